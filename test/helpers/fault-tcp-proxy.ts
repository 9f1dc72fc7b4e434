import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Transform } from 'node:stream';

/**
 * A TCP proxy to put between the app and PostgreSQL, so a test can cut the database off while the
 * app runs and bring it back without restarting anything.
 *
 * - `pass`: bytes flow both ways (the normal state).
 * - `refuse`: every open connection is destroyed and the port stops listening, as when PostgreSQL
 *   has stopped: new connections are refused (ECONNREFUSED).
 * - `reset`: every open connection is destroyed and new ones are closed at once, as when the server
 *   has crashed or refuses connections (the client sees the failure immediately).
 * - `blackhole`: every open connection is destroyed, and new ones are accepted but never answered, as
 *   when the server's host has gone from the network (the client waits for its own timeout). When
 *   the network comes back, those connections are reset, as the server (which never saw them) would.
 */
export type ProxyMode = 'pass' | 'refuse' | 'reset' | 'blackhole';

export interface FaultProxy {
  port: number;
  /** The same URL with its host and port pointing at the proxy. */
  url: string;
  readonly mode: ProxyMode;
  setMode(mode: ProxyMode): Promise<void>;
  /**
   * The next time the app sends bytes containing `text` (a value among a statement's parameters,
   * say), every open connection is destroyed before those bytes reach the server: that statement
   * fails mid-way, as when the server goes at that very moment. New connections pass at once.
   * Resolves when the cut has happened.
   */
  cutWhenSent(text: string): Promise<void>;
  /** Connections the proxy has accepted since it started (to see that the app reconnected). */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || 5432);
  const targetHost = target.hostname;
  const open = new Set<Socket>();
  let mode: ProxyMode = 'pass';
  let accepted = 0;

  const cuts: { pattern: Buffer; done: () => void }[] = [];
  const cutAll = () => {
    for (const socket of [...open]) socket.destroy();
  };
  /** Watches what the app sends for an armed pattern, keeping a tail for patterns split across chunks. */
  const watch = () => {
    let tail = Buffer.alloc(0);
    return new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        const seen = Buffer.concat([tail, chunk]);
        const hit = cuts.findIndex((cut) => seen.includes(cut.pattern));
        if (hit >= 0) {
          const [cut] = cuts.splice(hit, 1);
          cutAll();
          cut?.done();
          callback();
          return;
        }
        const keep = Math.max(0, ...cuts.map((cut) => cut.pattern.length - 1));
        tail = keep > 0 ? seen.subarray(Math.max(0, seen.length - keep)) : Buffer.alloc(0);
        callback(null, chunk);
      },
    });
  };

  let listening = true;
  const server: Server = createServer((client) => {
    accepted++;
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (mode === 'reset') {
      client.destroy();
      return;
    }
    if (mode === 'blackhole') {
      // Accepted, never answered: the client's bytes go nowhere.
      client.on('data', () => undefined);
      return;
    }
    const upstream = createConnection({ host: targetHost, port: targetPort });
    open.add(upstream);
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(watch()).pipe(upstream);
    upstream.pipe(client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);

  const proxy: FaultProxy = {
    port,
    url: url.toString(),
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    async setMode(next) {
      const previous = mode;
      mode = next;
      // A fault ends the live connections; the end of a fault resets those a blackhole swallowed.
      if (previous !== 'pass' || next !== 'pass') for (const socket of [...open]) socket.destroy();
      if (next === 'refuse' && listening) {
        listening = false;
        await new Promise<void>((resolve) => server.close(() => resolve()));
      } else if (next !== 'refuse' && !listening) {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, '127.0.0.1', () => resolve());
        });
        listening = true;
      }
    },
    cutWhenSent: (text) =>
      new Promise<void>((resolve) => {
        cuts.push({ pattern: Buffer.from(text, 'utf8'), done: resolve });
      }),
    close: async () => {
      for (const socket of [...open]) socket.destroy();
      if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
