import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createGuardedServer,
  HTTP_LIMITS,
  type HttpLimits,
  type Routes,
} from '../../src/http/guarded-server.js';
import { createRefusalLog } from '../../src/http/refusal-log.js';
import { createLogger } from '../../src/logger.js';
import { LogCapture } from '../helpers/app-harness.js';
import { rawRequest } from '../helpers/raw-http.js';

/** Words that must never reach the log, whatever a handler throws or a client sends. */
const WORDS = 'PATRON-WORDS-a41f';

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
  servers = [];
});

async function serve(routes: Routes, limits: Partial<HttpLimits> = {}, intervalMs = 60_000) {
  const logs = new LogCapture();
  const logger = createLogger('trace', logs);
  const refusals = createRefusalLog({ logger, intervalMs });
  const server = createGuardedServer({ routes, logger, refusals, limits: { ...HTTP_LIMITS, ...limits } });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, logs, refusals };
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

describe('the guard around every request', () => {
  it('turns a handler that throws, at once or later, into a logged 500 with an incident code', async () => {
    const { port, logs } = await serve({
      '/sync': {
        GET: () => {
          throw new Error(`sync failure mentioning ${WORDS}`);
        },
      },
      '/async': {
        GET: async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          throw Object.assign(new Error(`async failure mentioning ${WORDS}`), { code: 'E_TEST_FAILURE' });
        },
      },
    });
    for (const path of ['/sync', '/async']) {
      const answer = await rawRequest(port, get(path));
      expect(answer.status, path).toBe(500);
      const body = JSON.parse(answer.body) as { error: string; incident: string };
      expect(body.error).toBe('internal_error');
      expect(body.incident).toMatch(/^[0-9a-f]{12}$/);
      const line = logs.lines.find((l) => l.includes(body.incident));
      expect(line, 'the incident is in the log').toBeDefined();
      expect(JSON.parse(line as string)).toMatchObject({ level: 50, msg: 'a request failed unexpectedly' });
    }
    expect(logs.text).toContain('E_TEST_FAILURE');
    expect(logs.text).not.toContain(WORDS);
    // Still serving after both.
    expect((await rawRequest(port, get('/nowhere'))).status).toBe(404);
  });

  it('answers 404 for unknown paths and 405 with Allow for unknown methods, prototype names included', async () => {
    const { port } = await serve({ '/here': { GET: (_req, res) => void res.end('ok') } });
    expect((await rawRequest(port, get('/constructor'))).status).toBe(404);
    expect((await rawRequest(port, get('/__proto__'))).status).toBe(404);
    const wrong = await rawRequest(port, 'DELETE /here HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET');
    expect((await rawRequest(port, 'TOSTRING /here HTTP/1.1\r\nHost: x\r\n\r\n')).status).toBe(400);
    expect((await rawRequest(port, get('/here'))).body).toBe('ok');
  });

  it('closes a connection that trickles its headers or body once the time-outs pass', async () => {
    const { port } = await serve(
      {
        '/slow': {
          POST: (req, res) => {
            req.resume();
            req.on('end', () => res.end('read'));
          },
        },
      },
      {
        headersTimeoutMs: 300,
        requestTimeoutMs: 600,
        connectionsCheckingIntervalMs: 50,
      },
    );
    // Headers never finished.
    const headers = await rawRequest(port, 'GET /slow HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n', {
      timeoutMs: 5_000,
    });
    expect(headers.status).toBe(408);
    // A body that never arrives in full.
    const body = await rawRequest(port, 'POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc', {
      timeoutMs: 5_000,
    });
    expect(body.status).toBe(408);
    // A connection that sends nothing at all is closed too.
    const silent = await new Promise<number>((resolve) => {
      const started = Date.now();
      const socket = connect({ host: '127.0.0.1', port });
      socket.resume(); // read what comes, so the server's close is seen
      socket.on('close', () => resolve(Date.now() - started));
      setTimeout(() => socket.destroy(), 5_000);
    });
    expect(silent).toBeLessThan(4_000);
  });

  it('holds no more connections than its limit, and serves again once they go', async () => {
    const { port } = await serve(
      { '/healthz': { GET: (_req, res) => void res.end('ok') } },
      { maxConnections: 3 },
    );
    const held: Socket[] = [];
    for (let i = 0; i < 3; i += 1) {
      const socket = connect({ host: '127.0.0.1', port });
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // headers left open
      held.push(socket);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const over = await rawRequest(port, get('/healthz'), { timeoutMs: 2_000 });
    expect(over.status).toBeUndefined();
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await rawRequest(port, get('/healthz'))).body).toBe('ok');
  });
});

describe('the refusal log', () => {
  it('logs the first refusal, counts the rest, and writes one summary per interval', async () => {
    const { port, logs, refusals } = await serve(
      { '/here': { GET: (_req, res) => void res.end('ok') } },
      {},
      // Long enough for the 61 requests below to fall in one interval on a busy machine.
      1_500,
    );
    for (let i = 0; i < 50; i += 1) await rawRequest(port, get(`/${WORDS}-${i}`));
    for (let i = 0; i < 10; i += 1)
      await rawRequest(port, `PUT /here HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`);
    await rawRequest(port, `GET /here HTTP/1.1\r\nHost: x\r\nBroken ${WORDS}\r\n\r\n`);
    const firstLines = logs.lines.filter((line) => line.includes('refused a request'));
    expect(firstLines).toHaveLength(1);
    expect(JSON.parse(firstLines[0] as string)).toMatchObject({ refusal: 'not_found' });
    await expect
      .poll(
        () => logs.lines.filter((line) => line.includes('refused requests in the last interval')).length,
        {
          timeout: 6_000,
        },
      )
      .toBe(1);
    const summary = JSON.parse(logs.lines.find((line) => line.includes('in the last interval')) as string);
    expect(summary.refused).toEqual({ not_found: 49, method_not_allowed: 10, malformed_request: 1 });
    expect(summary.total).toBe(60);
    // A quiet interval ends the spell: the next refusal has its own line again.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    await rawRequest(port, get('/again'));
    expect(logs.lines.filter((line) => line.includes('refused a request'))).toHaveLength(2);
    refusals.flush();
    expect(logs.text).not.toContain(WORDS);
  });
});
