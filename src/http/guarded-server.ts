import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.js';
import type { RefusalLog, RefusalReason } from './refusal-log.js';

export type Method = 'GET' | 'HEAD' | 'POST';
export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
/**
 * Each path the app serves and the methods it answers there; everything else is refused. A key
 * ending in `/*` serves every path one segment below it (`/r/*` serves `/r/abc`, not `/r/a/b`);
 * its handler reads the segment with `lastSegment`.
 */
export type Routes = Record<string, Partial<Record<Method, Handler>>>;

/** The route a path falls under: its own, or the `/*` route of its parent. */
function routeFor(routes: Routes, path: string): Partial<Record<Method, Handler>> | undefined {
  if (Object.hasOwn(routes, path)) return routes[path];
  const slash = path.lastIndexOf('/');
  if (slash <= 0 || slash === path.length - 1) return undefined;
  const parent = `${path.slice(0, slash)}/*`;
  return Object.hasOwn(routes, parent) ? routes[parent] : undefined;
}

/** The last segment of a request's path, decoded; undefined when it cannot be decoded. */
export function lastSegment(target: string | undefined): string | undefined {
  const path = pathOf(target);
  if (!path) return undefined;
  try {
    return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
  } catch {
    return undefined;
  }
}

/**
 * The server's limits, set on purpose rather than left to Node's defaults. Slack sends a complete
 * request in one go and gives up after 3 s, so a client that trickles its headers or body is not
 * Slack and may not hold a connection for long.
 */
export interface HttpLimits {
  /**
   * Time to receive the request line and all headers, counted from the connection's start, so a
   * connection that sends nothing is closed too (Node's default: 60 s).
   */
  headersTimeoutMs: number;
  /** Time to receive the whole request, body included (Node's default: 300 s). */
  requestTimeoutMs: number;
  /** How long an idle kept-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** How often the two time-outs above are enforced (Node's default: every 30 s). */
  connectionsCheckingIntervalMs: number;
  /** Headers beyond this count are dropped (Node's default: 2,000); Slack sends about 15. */
  maxHeadersCount: number;
  /** Bytes of request line and headers together; more is refused with 431. */
  maxHeaderBytes: number;
  /** Open connections at once; further ones are closed as they arrive. */
  maxConnections: number;
  /** Request body; more is refused with 413. Slack's largest payload, a full modal, is far smaller. */
  maxBodyBytes: number;
}

export const HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  connectionsCheckingIntervalMs: 1_000,
  maxHeadersCount: 100,
  maxHeaderBytes: 16 * 1024,
  maxConnections: 512,
  maxBodyBytes: 1024 * 1024,
};

/**
 * What every refusal carries, whichever path it answers (a patron page's 404 or 405 too): nothing
 * in it is rendered as anything but text, framed, or told where the visitor came from.
 */
export const REFUSAL_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

/** A plain answer that closes the connection: a refused client's unread body is not worth reading. */
export function refuse(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${message}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    connection: 'close',
    ...REFUSAL_HEADERS,
    ...headers,
  });
  res.end(body);
}

/** The path of a request-target, or undefined when it is not one a URL parser accepts. */
export function pathOf(target: string | undefined): string | undefined {
  if (!target) return undefined;
  try {
    return new URL(target, 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

/**
 * The one HTTP server of the app (HTTP mode and Socket Mode's health server alike), with a guard
 * around everything it runs: whatever method, target or headers arrive, the answer is a status
 * code, never a thrown exception that takes the process down. Routing is here too, so a path or
 * method nobody serves gets its 404 or 405 before any handler sees the request.
 */
export function createGuardedServer({
  routes,
  logger,
  refusals,
  limits = HTTP_LIMITS,
}: {
  routes: Routes;
  logger: Logger;
  refusals: RefusalLog;
  limits?: HttpLimits;
}): Server {
  const failed = (res: ServerResponse, error: unknown) => {
    const incident = randomBytes(6).toString('hex');
    logger.error({ err: error, incident }, 'a request failed unexpectedly');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify({ ok: false, error: 'internal_error', incident });
    res.writeHead(500, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'cache-control': 'no-store',
      connection: 'close',
      ...REFUSAL_HEADERS,
    });
    res.end(body);
  };
  const refused = (
    res: ServerResponse,
    reason: RefusalReason,
    status: number,
    message: string,
    headers = {},
  ) => {
    refusals.refused(reason);
    refuse(res, status, message, headers);
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    try {
      const path = pathOf(req.url);
      if (path === undefined) return refused(res, 'bad_request_target', 400, 'Bad request target');
      const route = routeFor(routes, path);
      if (!route) return refused(res, 'not_found', 404, 'Not found');
      const handler = Object.hasOwn(route, req.method ?? '') ? route[req.method as Method] : undefined;
      if (!handler)
        return refused(res, 'method_not_allowed', 405, 'Method not allowed', {
          allow: Object.keys(route).join(', '),
        });
      const running = handler(req, res);
      if (running) running.catch((error: unknown) => failed(res, error));
    } catch (error) {
      failed(res, error);
    }
  };

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
      maxHeaderSize: limits.maxHeaderBytes,
    },
    listener,
  );
  server.maxHeadersCount = limits.maxHeadersCount;
  server.maxConnections = limits.maxConnections;
  // Requests Node cannot even parse (a broken request line, a bad header, headers too large, a
  // time-out) arrive here rather than at a handler: answered once, counted, never thrown.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [reason, status]: [RefusalReason, string] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? ['headers_too_large', '431 Request Header Fields Too Large']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? ['request_timeout', '408 Request Timeout']
          : ['malformed_request', '400 Bad Request'];
    refusals.refused(reason);
    // A response already under way on this socket cannot be followed by another one.
    const inProgress = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (inProgress?.headersSent) {
      socket.destroy();
      return;
    }
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  return server;
}
