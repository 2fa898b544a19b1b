// A real HTTP server that speaks Odoo 18's external API (POST /jsonrpc) with Odoo's semantics for
// what the PayPal Bridge uses: authentication with passwords or API keys, Odoo's method-name
// rules and access rights, the paypal_bridge entry points on top of Odoo's payment state machine,
// and Odoo's error envelope. Tests drive it through fixtures, failure injection and state
// snapshots; `main.ts` runs it for the demo.
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { BridgeEntryPoints, ENTRY_POINTS, type EntryPoint } from './bridge.ts';
import { ACCESS_DENIED, errorEnvelope, FAULT_PRESETS, messages, OdooFault, userError } from './faults.ts';
import { formatDecimal, isKnownCurrency, parseDecimal } from './money.ts';
import { callOrm, checkMethodName, ORM_METHODS, SIMULATED_MODELS } from './orm.ts';
import { blankPayPalFields } from './payment-flow.ts';
import {
  INTERNAL_GROUP,
  INVOICING_GROUP,
  MANAGER_GROUP,
  SERVICE_GROUP,
  SimDatabase,
  snapshotTx,
  SYSTEM_GROUP,
  odooDatetime,
  type SimUser,
} from './records.ts';

export const SERVICE_LOGIN = 'paypal-bridge-service';

export interface OdooSimOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Database name. Default "odoo18". */
  db?: string;
  /** Delay before each answer. */
  latencyMs?: number;
  /** The technical user's API key. Default: 40 random hex characters, as Odoo generates them. */
  serviceApiKey?: string;
  /** The simulated clock (activities' deadlines, last_state_change). */
  now?: () => Date;
}

export interface SimCredentials {
  uid: number;
  login: string;
  /** A password for admin and the internal user, the API key for the technical user. */
  password: string;
}

export interface SaleOrderFixtureInput {
  /** Decimal string in `currency`, e.g. "10.00". */
  amount: string;
  /** Default USD. */
  currency?: string;
  /** Default: the order's name, as Odoo's checkout does (S00001, then S00001-1 when taken). */
  reference?: string;
  /** Sets the PayPal provider's "Capture Amount Manually" (as on a real database: provider-wide). */
  captureManually?: boolean;
  partnerName?: string;
  /** An existing customer (res.partner id) instead of a new one. */
  partnerId?: number;
  /** The order's salesperson (user id). Default: the administrator. */
  salespersonId?: number;
}

export interface SaleOrderFixture {
  reference: string;
  saleOrderId: number;
  txId: number;
  partnerId: number;
}

export type DownMode = 'refused' | '503';

export interface FailNextOptions {
  /** Only calls of this `model.method` (or just `method`) fail. */
  method?: string;
  /** Replaces the preset's message. */
  message?: string;
}

export interface CallRecord {
  /** `common.authenticate`, `payment.transaction.paypal_bridge_find`, ... */
  key: string;
  login: string | undefined;
  at: Date;
}

export interface OdooSim {
  readonly url: string;
  readonly port: number;
  readonly db: string;
  readonly admin: SimCredentials;
  readonly service: SimCredentials;
  /** An internal user without the service group. */
  readonly internalUser: SimCredentials;
  /** The records, for tests that need to look or poke deeper than `state()`. */
  readonly database: SimDatabase;
  /** Starts again from an empty database with the same users and API keys. */
  reset(): void;
  /** down: connections refused (the port is closed) or every request answered 503. */
  setDown(down: boolean, mode?: DownMode): Promise<void>;
  /**
   * The next `count` object calls (execute_kw) fail with `error`: a preset name
   * (SerializationFailure, LockNotAvailable, AccessError, MissingError, ValidationError,
   * UserError, KeyError) or a full Odoo exception name. Nothing is applied by a failed call.
   */
  failNext(count: number, error: string, options?: FailNextOptions): void;
  setLatency(ms: number): void;
  createSaleOrderWithTransaction(input: SaleOrderFixtureInput): SaleOrderFixture;
  state(): SimSnapshot;
  /** Calls received for `key` (see CallRecord.key), or all calls when omitted. */
  callCount(key?: string): number;
  readonly calls: readonly CallRecord[];
  resetCalls(): void;
  close(): Promise<void>;
}

export function snapshot(db: SimDatabase) {
  return {
    transactions: db.transactions.map((t) => snapshotTx(db, t)),
    payments: db.payments.map((p) => ({
      id: p.id,
      name: p.name,
      amount: formatDecimal(p.amount, p.currency),
      currency: p.currency,
      payment_type: p.payment_type,
      state: p.state,
      memo: p.memo,
      payment_transaction_id: p.payment_transaction_id,
      transaction_reference: db.tx(p.payment_transaction_id)?.reference ?? null,
    })),
    orders: db.orders.map((o) => ({
      id: o.id,
      name: o.name,
      state: o.state,
      amount_total: formatDecimal(o.amount_total, o.currency),
      currency: o.currency,
      partner_id: o.partner_id,
      user_id: o.user_id ?? null,
      messages: [...o.messages],
    })),
    disputes: db.disputes.map((d) => ({
      id: d.id,
      dispute_id: d.dispute_id,
      status: d.status ?? null,
      reason: d.reason ?? null,
      stage: d.stage ?? null,
      amount: d.amount === undefined || d.currency === undefined ? null : formatDecimal(d.amount, d.currency),
      currency: d.currency ?? null,
      seller_response_due_date: odooDatetime(d.seller_response_due_date) || null,
      outcome: d.outcome ?? null,
      transaction_id: d.transaction_id ?? null,
      user_id: d.user_id ?? null,
      update_time: odooDatetime(d.update_time) || null,
      messages: [...d.messages],
    })),
    activities: db.activities.map((a) => ({ ...a })),
    partners: db.partners.map((p) => ({ id: p.id, name: p.name, paypal_payer_id: p.paypal_payer_id ?? null })),
  };
}

export type SimSnapshot = ReturnType<typeof snapshot>;

interface PendingFailure {
  remaining: number;
  name: string;
  message: string;
  method: string | undefined;
}

function seed(db: SimDatabase, serviceApiKey: string): { admin: SimUser; service: SimUser; internal: SimUser } {
  const partner = (name: string) => {
    const id = db.nextId('res.partner');
    db.partners.push({ id, name, email: undefined, paypal_payer_id: undefined });
    return id;
  };
  const user = (login: string, name: string, password: string | undefined, groups: string[], active = true): SimUser => {
    const u: SimUser = { id: db.nextId('res.users'), login, name, password, apiKeys: [], groups: new Set(groups), active, share: false, partnerId: partner(name) };
    db.users.push(u);
    return u;
  };
  partner('YourCompany');
  // OdooBot (base.user_root) is archived, as in Odoo; it is still a PayPal manager.
  user('__system__', 'OdooBot', undefined, [INTERNAL_GROUP, SYSTEM_GROUP, MANAGER_GROUP, INVOICING_GROUP], false);
  const admin = user('admin', 'Mitchell Admin', 'admin', [
    INTERNAL_GROUP, SYSTEM_GROUP, INVOICING_GROUP, MANAGER_GROUP, 'account.group_account_manager', 'account.group_account_user',
    'sales_team.group_sale_manager', 'sales_team.group_sale_salesman', 'base.group_partner_manager',
  ]);
  const internal = user('demo', 'Marc Demo', 'demo', [INTERNAL_GROUP, 'sales_team.group_sale_salesman']);
  // data/paypal_bridge_service_user.xml: internal user + the service group, no password.
  const service = user(SERVICE_LOGIN, 'PayPal Bridge Service', undefined, [INTERNAL_GROUP, SERVICE_GROUP]);
  service.apiKeys.push(serviceApiKey);
  db.providers.push({
    id: db.nextId('payment.provider'),
    name: 'PayPal',
    code: 'paypal',
    state: 'test',
    paypal_bridge_enabled: true,
    capture_manually: false,
    paypal_bridge_dispute_user_id: undefined,
  });
  return { admin, service, internal };
}

export async function startOdooSim(options: OdooSimOptions = {}): Promise<OdooSim> {
  const dbName = options.db ?? 'odoo18';
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? (() => new Date());
  const serviceApiKey = options.serviceApiKey ?? randomBytes(20).toString('hex');
  let db = new SimDatabase();
  const { admin, service, internal } = seed(db, serviceApiKey);
  let latencyMs = options.latencyMs ?? 0;
  let downMode: DownMode | undefined;
  const failures: PendingFailure[] = [];
  const calls: CallRecord[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  function record(key: string, login: string | undefined): void {
    calls.push({ key, login, at: now() });
  }

  function checkDb(name: unknown): void {
    if (name !== dbName) {
      throw new OdooFault('psycopg2.OperationalError', `connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "${String(name)}" does not exist\n`);
    }
  }

  /** res.users._check_credentials for RPC: the password, or a global API key. */
  function credentialsMatch(user: SimUser, secret: unknown): boolean {
    if (typeof secret !== 'string' || secret === '') return false;
    return (user.password !== undefined && user.password === secret) || user.apiKeys.includes(secret);
  }

  function common(method: string, args: unknown[]): unknown {
    record(`common.${method}`, typeof args[1] === 'string' ? args[1] : undefined);
    switch (method) {
      case 'version':
        return { server_version: '18.0-20250506', server_version_info: [18, 0, 0, 'final', 0, ''], server_serie: '18.0', protocol_version: 1 };
      case 'login':
      case 'authenticate': {
        checkDb(args[0]);
        const user = db.users.find((u) => u.active && u.login === args[1]);
        return user && credentialsMatch(user, args[2]) ? user.id : false;
      }
      default:
        throw new OdooFault('builtins.KeyError', `'${method}'`);
    }
  }

  function object(method: string, args: unknown[]): unknown {
    if (method !== 'execute_kw' && method !== 'execute') throw new OdooFault('builtins.NameError', `Method not available ${method}`);
    const [dbArg, uidArg, secret, model, modelMethod] = args;
    const user = typeof uidArg === 'number' ? db.user(uidArg) : undefined;
    record(`${String(model)}.${String(modelMethod)}`, user?.login);
    checkDb(dbArg);
    // security.check(db, uid, passwd)
    if (!user || !user.active || !credentialsMatch(user, secret)) throw new OdooFault(ACCESS_DENIED, messages.accessDenied);
    let callArgs: unknown[];
    let kwargs: Record<string, unknown>;
    if (method === 'execute_kw') {
      callArgs = Array.isArray(args[5]) ? args[5] : [];
      kwargs = args[6] && typeof args[6] === 'object' && !Array.isArray(args[6]) ? { ...(args[6] as Record<string, unknown>) } : {};
    } else {
      callArgs = args.slice(5);
      kwargs = {};
    }
    delete kwargs['context']; // api.call_kw pops it
    if (typeof model !== 'string' || typeof modelMethod !== 'string') throw new OdooFault('builtins.TypeError', 'model and method must be strings');
    injectFailure(`${model}.${modelMethod}`);
    if (!SIMULATED_MODELS.has(model)) throw userError(messages.noSuchModel(model));
    const entryPoint = model === 'payment.transaction' ? ENTRY_POINTS[modelMethod] : undefined;
    checkMethodName(model, modelMethod, (name) => ORM_METHODS.has(name) || (model === 'payment.transaction' && Object.hasOwn(ENTRY_POINTS, name)));
    if (entryPoint) {
      const { bound, unknown } = bindPython(modelMethod, entryPoint, callArgs, kwargs);
      const bridge = new BridgeEntryPoints(db, user, dbName, now);
      bridge.checkCaller(unknown);
      return entryPoint.run(bridge, bound);
    }
    return callOrm(db, user, model, modelMethod, callArgs, kwargs);
  }

  function injectFailure(key: string): void {
    const next = failures[0];
    if (!next) return;
    if (next.method !== undefined && next.method !== key && !key.endsWith(`.${next.method}`)) return;
    next.remaining -= 1;
    if (next.remaining <= 0) failures.shift();
    throw new OdooFault(next.name, next.message);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (latencyMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, latencyMs);
        timers.add(timer);
      });
    }
    if (res.destroyed) return;
    if (downMode === '503') {
      send(res, 503, 'text/html', '<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>');
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/web/login') {
      send(res, 200, 'text/html', '<html><body>Odoo 18 simulator (PayPal Bridge tests)</body></html>');
      return;
    }
    if (req.method !== 'POST' || path !== '/jsonrpc') {
      send(res, 404, 'text/html', '<html><body><h1>404: Not Found</h1></body></html>');
      return;
    }
    let request: { id?: unknown; params?: { service?: unknown; method?: unknown; args?: unknown } };
    try {
      request = JSON.parse(body) as typeof request;
      if (!request || typeof request !== 'object') throw new TypeError('not an object');
    } catch {
      send(res, 400, 'application/json', JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: 400, message: 'Odoo Server Error', data: { name: 'werkzeug.exceptions.BadRequest', message: 'Invalid JSON data', debug: '', arguments: [], context: {} } } }));
      return;
    }
    const id = request.id ?? null;
    try {
      const params = request.params;
      if (!params || typeof params !== 'object') throw new OdooFault('builtins.TypeError', "jsonrpc() missing 3 required positional arguments: 'service', 'method', and 'args'");
      const args = Array.isArray(params.args) ? params.args : [];
      let result: unknown;
      if (params.service === 'common') result = common(String(params.method), args);
      else if (params.service === 'object') result = object(String(params.method), args);
      else throw new OdooFault('builtins.KeyError', `'${String(params.service)}'`);
      // Odoo leaves `result` out when the method returned None.
      sendJson(res, result === null || result === undefined ? { jsonrpc: '2.0', id } : { jsonrpc: '2.0', id, result });
    } catch (err) {
      if (err instanceof OdooFault) sendJson(res, errorEnvelope(id, err.odooName, err.message));
      else sendJson(res, errorEnvelope(id, 'builtins.Exception', err instanceof Error ? err.message : String(err)));
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) send(res, 500, 'text/plain', String(err));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;

  const sim: OdooSim = {
    url,
    port,
    db: dbName,
    admin: { uid: admin.id, login: admin.login, password: 'admin' },
    service: { uid: service.id, login: service.login, password: serviceApiKey },
    internalUser: { uid: internal.id, login: internal.login, password: 'demo' },
    get database() {
      return db;
    },
    reset() {
      // A fresh database with the same users and keys (for property tests that replay a payment
      // many times against an Odoo that starts empty each time).
      db = new SimDatabase();
      seed(db, serviceApiKey);
      failures.length = 0;
      calls.length = 0;
    },
    async setDown(down, mode = 'refused') {
      if (!down) {
        if (downMode === 'refused') await listen(server, port, host);
        downMode = undefined;
        return;
      }
      if (downMode === 'refused' && mode === 'refused') return;
      if (downMode === 'refused') await listen(server, port, host);
      downMode = mode;
      if (mode === 'refused') await closeServer(server, sockets);
    },
    failNext(count, error, failOptions = {}) {
      if (!Number.isInteger(count) || count < 1) throw new RangeError(`failNext count must be a positive integer (got ${count})`);
      const preset = FAULT_PRESETS[error];
      failures.push({
        remaining: count,
        name: preset?.name ?? error,
        message: failOptions.message ?? preset?.message ?? `Simulated ${error}`,
        method: failOptions.method,
      });
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    createSaleOrderWithTransaction(input) {
      const currency = input.currency ?? 'USD';
      if (!isKnownCurrency(currency)) throw new Error(`Unknown currency ${currency}`);
      const parsed = parseDecimal(input.amount, currency);
      if (!parsed.ok || parsed.minor <= 0n) throw new Error(`amount must be a positive decimal string in ${currency} (got "${input.amount}")`);
      const provider = db.paypalProvider();
      if (input.captureManually !== undefined) provider.capture_manually = input.captureManually;
      let partnerId = input.partnerId;
      if (partnerId === undefined) {
        partnerId = db.nextId('res.partner');
        db.partners.push({ id: partnerId, name: input.partnerName ?? `Customer ${partnerId}`, email: `customer${partnerId}@example.com`, paypal_payer_id: undefined });
      } else if (!db.partner(partnerId)) {
        throw new Error(`No res.partner ${partnerId} in the simulator`);
      }
      const saleOrderId = db.nextId('sale.order');
      const name = `S${String(saleOrderId).padStart(5, '0')}`;
      db.orders.push({ id: saleOrderId, name, state: 'draft', amount_total: parsed.minor, currency, partner_id: partnerId, user_id: input.salespersonId ?? admin.id, messages: [] });
      const reference = input.reference ?? name;
      if (db.transactions.some((t) => t.reference === reference)) throw new Error(`A transaction with reference ${reference} exists already (reference_uniq)`);
      const txId = db.nextId('payment.transaction');
      db.transactions.push({
        ...blankPayPalFields(),
        id: txId,
        reference,
        provider_id: provider.id,
        amount: parsed.minor,
        currency,
        state: 'draft',
        state_message: undefined,
        last_state_change: now(),
        operation: 'online_redirect',
        source_transaction_id: undefined,
        partner_id: partnerId,
        sale_order_ids: [saleOrderId],
        payment_id: undefined,
        is_post_processed: false,
      });
      return { reference, saleOrderId, txId, partnerId };
    },
    state: () => snapshot(db),
    callCount: (key) => (key === undefined ? calls.length : calls.filter((c) => c.key === key).length),
    calls,
    resetCalls() {
      calls.length = 0;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (downMode !== 'refused') await closeServer(server, sockets);
      downMode = 'refused';
    },
  };
  return sim;
}

/**
 * Python's binding for `method(self, a=None, b=None, ..., **unknown)`: positional then keyword
 * arguments; unknown keywords are collected for the module's own ValidationError.
 */
function bindPython(name: string, entryPoint: EntryPoint, args: unknown[], kwargs: Record<string, unknown>): { bound: Record<string, unknown>; unknown: string[] } {
  const qualified = `PaymentTransaction.${name}()`;
  const params = entryPoint.params;
  if (args.length > params.length) {
    const takes = params.length === 0 ? '1 positional argument' : `from 1 to ${params.length + 1} positional arguments`;
    throw new OdooFault('builtins.TypeError', `${qualified} takes ${takes} but ${args.length + 1} were given`);
  }
  const bound: Record<string, unknown> = {};
  params.forEach((p, i) => {
    if (i < args.length) bound[p.name] = args[i];
  });
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(kwargs)) {
    if (!params.some((p) => p.name === key)) unknown.push(key);
    else if (key in bound) throw new OdooFault('builtins.TypeError', `${qualified} got multiple values for argument '${key}'`);
    else bound[key] = value;
  }
  for (const p of params) if (!(p.name in bound)) bound[p.name] = p.default ?? null;
  return { bound, unknown };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: http.ServerResponse, value: unknown): void {
  send(res, 200, 'application/json', JSON.stringify(value));
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: http.Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
  });
}
