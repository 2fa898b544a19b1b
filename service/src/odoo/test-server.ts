// For the Odoo client's unit tests: a real HTTP server on 127.0.0.1 (port 0) whose /jsonrpc answers
// each test scripts, recording every request. `common.authenticate` answers uid 7 by default, so
// most tests script only the object calls.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryLogger } from '../shared/logger.ts';
import { createServiceMetrics } from '../shared/metrics.ts';
import { createOdooClient, type OdooClient, type OdooClientOptions } from './json-rpc-client.ts';

export interface RpcRequest {
  id: unknown;
  service: string;
  method: string;
  args: unknown[];
}

export interface RpcReply {
  /** HTTP status, default 200. */
  status?: number;
  /** Sent as is when a string, as JSON otherwise. Default: a JSON-RPC answer built from `result`/`error`. */
  body?: unknown;
  /** JSON-RPC result; `undefined` with no `error` gives an answer without a result key (Python None). */
  result?: unknown;
  /** Odoo's error.data. */
  error?: { name: string; message: string; debug?: string };
  /** Never answer. */
  hang?: boolean;
  /** Drop the connection without an answer. */
  destroy?: boolean;
}

export type RpcHandler = (request: RpcRequest, index: number) => RpcReply;

export interface ScriptedOdoo {
  url: string;
  /** Every JSON-RPC request received, authentication included. */
  requests: RpcRequest[];
  /** Only the object (execute_kw) requests. */
  objectRequests(): RpcRequest[];
  authRequests(): RpcRequest[];
  close(): Promise<void>;
}

export const TEST_UID = 7;
export const TEST_API_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

export function authenticateOk(): RpcReply {
  return { result: TEST_UID };
}

export async function startScriptedOdoo(object: RpcHandler, authenticate: RpcHandler = authenticateOk): Promise<ScriptedOdoo> {
  const requests: RpcRequest[] = [];
  let objectCount = 0;
  let authCount = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: unknown; params: { service: string; method: string; args: unknown[] } };
      const request: RpcRequest = { id: parsed.id, service: parsed.params.service, method: parsed.params.method, args: parsed.params.args };
      requests.push(request);
      const reply = request.service === 'common' && request.method === 'authenticate' ? authenticate(request, authCount++) : object(request, objectCount++);
      send(res, request.id, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    objectRequests: () => requests.filter((r) => r.service === 'object'),
    authRequests: () => requests.filter((r) => r.service === 'common' && r.method === 'authenticate'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, id: unknown, reply: RpcReply): void {
  if (reply.hang) return;
  if (reply.destroy) {
    res.socket?.destroy();
    return;
  }
  let body: string;
  if (reply.body !== undefined) body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  else if (reply.error) {
    body = JSON.stringify({
      jsonrpc: '2.0',
      id,
      error: {
        code: 200,
        message: 'Odoo Server Error',
        data: { name: reply.error.name, message: reply.error.message, debug: reply.error.debug ?? `Traceback...\n${reply.error.name}: ${reply.error.message}\n`, arguments: [reply.error.message], context: {} },
      },
    });
  } else body = JSON.stringify(reply.result === undefined ? { jsonrpc: '2.0', id } : { jsonrpc: '2.0', id, result: reply.result });
  res.writeHead(reply.status ?? 200, { 'content-type': typeof reply.body === 'string' ? 'text/html' : 'application/json' });
  res.end(body);
}

export interface OdooHarness {
  server: ScriptedOdoo;
  client: OdooClient;
  logger: ReturnType<typeof createMemoryLogger>;
  metrics: ReturnType<typeof createServiceMetrics>;
  /** Every backoff the client asked for (the injected sleep does not wait). */
  sleeps: number[];
  close(): Promise<void>;
}

export async function startOdooHarness(object: RpcHandler, options: { authenticate?: RpcHandler; client?: Partial<OdooClientOptions> } = {}): Promise<OdooHarness> {
  const server = await startScriptedOdoo(object, options.authenticate);
  const logger = createMemoryLogger('debug');
  const metrics = createServiceMetrics();
  const sleeps: number[] = [];
  const client = createOdooClient({
    url: server.url,
    db: 'testdb',
    login: 'paypal-bridge-service',
    apiKey: TEST_API_KEY,
    logger,
    metrics,
    timeoutMs: 2_000,
    retry: { maxAttempts: 3, baseDelayMs: 100 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options.client,
  });
  return { server, client, logger, metrics, sleeps, close: () => server.close() };
}
