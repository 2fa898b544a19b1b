import * as net from 'node:net';

/** A TCP port free on 127.0.0.1 right now (the OS picks it), for servers started by tests and tools. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}
