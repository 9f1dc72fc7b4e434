import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/db/client.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.js';
import { exited, startAppProcess } from '../helpers/fault-process.js';
import { countRows } from '../helpers/fault-rows.js';
import { type RawResponse, rawRequest } from '../helpers/raw-http.js';
import {
  encodeSlackRequest,
  postToSlackEvents,
  signBody,
  slashCommand,
  TEST_SIGNING_SECRET,
} from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * What a stranger can send to the port, over raw TCP so nothing normalises it: any method, any
 * request-target (absolute-form, malformed, encoded), duplicated and broken headers, stale and
 * future timestamps, every content type and body. The app runs as operators run it, in its own
 * process, so a crash is an exit rather than a failed assertion inside the test runner.
 *
 * The oracle after every case: the same process still answers /healthz and a correctly signed
 * /rate-service (its modal opens), nothing answered 5xx, and nothing was written. At the end, the
 * log holds no line per refusal (they are summarised) and none of the text the requests carried.
 */

const RUNS = Number(process.env.TRANSPORT_FUZZ_RUNS ?? 200);
const STAFF = 'USTAFF';
/** Text placed in paths, headers and bodies, to look for in the log afterwards. */
const MARKER = 'TRANSPORT-MARKER-5d1c';
/** The people cache fills from users.info whatever the input: it records Slack's answers. */
const NOT_INPUT = new Set(['slack_users']);

const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
  standIn.addUser({ id: STAFF, name: 'sam', real_name: 'Sam Staff' });
});
afterAll(() => standIn.close());

const now = () => Math.floor(Date.now() / 1000);

/** A /rate-service command's body, the same on every call, to sign and send as the test needs. */
function commandBody(): string {
  return encodeSlackRequest({
    kind: 'command',
    fields: slashCommand({
      command: '/rate-service',
      text: MARKER,
      userId: STAFF,
      triggerId: '1000.2000.abc',
    }),
  }).body;
}

/** One HTTP/1.1 request, written out by hand. */
function request(line: string, headers: [string, string][], body = ''): string {
  return `${line}\r\n${headers.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n${body}`;
}

function signedHeaders(body: string, timestamp = now()): [string, string][] {
  return [
    ['Host', '127.0.0.1'],
    ['Content-Type', 'application/x-www-form-urlencoded'],
    ['Content-Length', String(Buffer.byteLength(body))],
    ['X-Slack-Request-Timestamp', String(timestamp)],
    ['X-Slack-Signature', signBody(TEST_SIGNING_SECRET, timestamp, body)],
  ];
}

// ---- generators -------------------------------------------------------------------------------

const methods = fc.oneof(
  fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND', 'POST'),
  fc.constantFrom('get', 'P0ST', 'POST ', '', 'G\u0000ET', 'BREW', 'M-SEARCH', 'X'.repeat(300)),
);
const targets = fc.oneof(
  fc.constantFrom(
    '/slack/events',
    '/healthz',
    '/',
    '*',
    'http://[',
    'http://[::1',
    'http://[::1]:3000/slack/events',
    'http://example.org/slack/events',
    'https://user:pw@example.org:99999/healthz',
    '//slack/events',
    '/slack/events?ssl_check=1',
    '/slack/events#top',
    '/slack/%65vents',
    '/slack/events/../healthz',
    '/%',
    '/%zz',
    '/slack/events%00',
    `/${MARKER}`,
    `/${'a'.repeat(9_000)}`,
    'example.org:443',
    '/\u00ff\u00fe',
    '/ /',
  ),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, '')),
);
const versions = fc.constantFrom(
  'HTTP/1.1',
  'HTTP/1.1',
  'HTTP/1.0',
  'HTTP/2.0',
  'HTTP/0.9',
  'HTTP/1.1 extra',
  '',
);
const timestamps = fc.oneof(
  fc.constant(() => String(now())),
  fc.constant(() => String(now() - 301)),
  fc.constant(() => String(now() + 3_600)),
  fc.constantFrom(
    () => '',
    () => 'soon',
    () => '-1',
    () => '1e9',
    () => String(now()).repeat(3),
    () => '٣',
  ),
);
const contentTypes = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded; charset=utf-8',
  '',
  '\u0000',
);
const bodies = fc.oneof(
  fc.constant(''),
  fc.constant(commandBody()),
  fc.constant('ssl_check=1&token=x'),
  fc.constant(JSON.stringify({ type: 'url_verification', challenge: MARKER })),
  fc.constant(
    JSON.stringify({ type: 'event_callback', event: { type: 'app_uninstalled' }, event_id: 'Ev1' }),
  ),
  fc.string({ maxLength: 200 }).map((s) => `${s}${MARKER}`),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);
/** How the request says how long its body is, or fails to. */
const lengths = fc.constantFrom(
  'exact',
  'exact',
  'missing',
  'short',
  'chunked',
  'both',
  'twice',
  'negative',
  'word',
  'huge',
);
const extras = fc.array(
  fc.constantFrom<[string, string] | string>(
    ['X-Slack-Signature', `v0=${'0'.repeat(64)}`],
    ['X-Slack-Signature', MARKER],
    ['X-Slack-Signature', 'v0=abc'],
    ['X-Slack-Request-Timestamp', '1'],
    ['Host', 'example.org'],
    ['Expect', '100-continue'],
    ['Connection', 'Upgrade'],
    ['Upgrade', 'websocket'],
    ['Connection', 'keep-alive'],
    ['Content-Encoding', 'gzip'],
    ['X-Forwarded-For', MARKER],
    ['Cookie', `session=${MARKER}`],
    ['X-Long', 'y'.repeat(20_000)],
    'no colon here',
    ' folded: continuation',
    'Bad Name: value',
    'X-Nul: a\u0000b',
    ':',
  ),
  { maxLength: 4 },
);

const cases = fc.record({
  method: methods,
  target: targets,
  version: versions,
  timestamp: timestamps,
  contentType: contentTypes,
  body: bodies,
  length: lengths,
  sign: fc.boolean(),
  extras,
});
type Case = typeof cases extends fc.Arbitrary<infer T> ? T : never;

function encode(c: Case): { bytes: Buffer; head: boolean } {
  const timestamp = c.timestamp();
  const size = Buffer.byteLength(c.body, 'latin1');
  const lines: string[] = [`Host: 127.0.0.1`];
  if (c.contentType) lines.push(`Content-Type: ${c.contentType}`);
  lines.push(`X-Slack-Request-Timestamp: ${timestamp}`);
  // A correct signature over a body that is still not a valid request for its content type.
  if (c.sign && /^\d+$/.test(timestamp))
    lines.push(`X-Slack-Signature: ${signBody(TEST_SIGNING_SECRET, Number(timestamp), c.body)}`);
  let body = c.body;
  switch (c.length) {
    case 'exact':
      lines.push(`Content-Length: ${size}`);
      break;
    case 'short':
      lines.push(`Content-Length: ${Math.floor(size / 2)}`);
      break;
    case 'chunked':
      lines.push('Transfer-Encoding: chunked');
      body = `${size.toString(16)}\r\n${c.body}\r\n0\r\n\r\n`;
      break;
    case 'both':
      lines.push('Transfer-Encoding: chunked', `Content-Length: ${size}`);
      break;
    case 'twice':
      lines.push(`Content-Length: ${size}`, `Content-Length: ${size + 1}`);
      break;
    case 'negative':
      lines.push('Content-Length: -1');
      break;
    case 'word':
      lines.push('Content-Length: ten');
      break;
    case 'huge':
      lines.push('Content-Length: 1073741824');
      break;
    case 'missing':
      break;
  }
  for (const extra of c.extras) lines.push(typeof extra === 'string' ? extra : `${extra[0]}: ${extra[1]}`);
  const text = `${c.method} ${c.target} ${c.version}`.trimEnd();
  return {
    bytes: Buffer.from(`${text}\r\n${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1'),
    head: c.method === 'HEAD',
  };
}

// ---- the app under test -----------------------------------------------------------------------

interface Running {
  child: ChildProcess;
  port: number;
  output(): string;
  /** Rows per table now; PostgreSQL is read while the app runs, PGlite only once it has stopped. */
  rowsNow(): Promise<Record<string, number> | undefined>;
  stopAndCount(): Promise<Record<string, number>>;
}

async function startApp(kind: 'pglite' | 'postgres'): Promise<Running> {
  let testDb: TestDatabase | undefined;
  let dir: string | undefined;
  if (kind === 'postgres') testDb = await createTestDatabase('postgres');
  else dir = await mkdtemp(join(tmpdir(), 'service-radar-transport-'));
  const app = startAppProcess({
    SLACK_BOT_TOKEN: 'xoxb-transport-test',
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: standIn.url,
    PORT: '0',
    LOG_LEVEL: 'trace',
    SCHEDULER_ENABLED: 'false',
    ...(testDb?.url ? { DATABASE_URL: testDb.url } : { PGLITE_DIR: dir as string }),
  });
  started.push(app.child);
  const port = await app.port;
  const counted = (counts: Record<string, number>) => {
    for (const table of NOT_INPUT) delete counts[table];
    return counts;
  };
  return {
    child: app.child,
    port,
    output: app.output,
    rowsNow: async () => (testDb ? counted(await countRows(testDb.handle.db)) : undefined),
    async stopAndCount() {
      app.child.kill('SIGTERM');
      expect(await exited(app.child)).toBe(0);
      if (testDb) {
        const counts = counted(await countRows(testDb.handle.db));
        await testDb.close();
        return counts;
      }
      let handle: DatabaseHandle | undefined;
      try {
        handle = await openDatabase({ pglite: await PGlite.create(dir as string) });
        return counted(await countRows(handle.db));
      } finally {
        await handle?.close();
        await rm(dir as string, { recursive: true, force: true });
      }
    },
  };
}

/** The same process still does its work: health, and a signed command that opens its modal. */
async function stillServing(app: Running): Promise<void> {
  expect(app.child.exitCode, app.output().slice(-2_000)).toBeNull();
  const health = await fetch(`http://127.0.0.1:${app.port}/healthz`);
  expect(health.status).toBe(200);
  const opened = standIn.callsTo('views.open').length;
  const command = await postToSlackEvents(`http://127.0.0.1:${app.port}`, TEST_SIGNING_SECRET, {
    kind: 'command',
    fields: slashCommand({ command: '/rate-service', text: '', userId: STAFF }),
  });
  expect(command.status).toBe(200);
  await expect.poll(() => standIn.callsTo('views.open').length).toBe(opened + 1);
}

function logLines(app: Running): string[] {
  return app
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'));
}

for (const kind of databaseKinds()) {
  describe(`[${kind}] the app process, sent what a stranger sends`, () => {
    let app: Running;
    let before: Record<string, number> | undefined;
    const report: Record<string, number> = {};
    beforeAll(async () => {
      app = await startApp(kind);
      before = await app.rowsNow();
    }, 60_000);

    it('answers the findings that used to stop it: other methods on /slack/events, unparsable targets', async () => {
      const fresh = () => String(now());
      for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE']) {
        const sent = request(`${method} /slack/events HTTP/1.1`, [
          ['Host', '127.0.0.1'],
          ['X-Slack-Request-Timestamp', fresh()],
        ]);
        const answer = await rawRequest(app.port, sent, { head: method === 'HEAD' });
        expect(answer.status, method).toBe(405);
        expect(answer.headers.allow).toBe('POST');
        await stillServing(app);
      }
      for (const target of ['http://[', 'http://[::1', '//[', 'http://exa mple']) {
        const answer = await rawRequest(app.port, request(`GET ${target} HTTP/1.1`, [['Host', '127.0.0.1']]));
        expect([400], target).toContain(answer.status);
        await stillServing(app);
      }
      const absolute = await rawRequest(
        app.port,
        request('GET http://example.org/slack/events HTTP/1.1', [['Host', 'example.org']]),
      );
      expect(absolute.status).toBe(405);
      const elsewhere = await rawRequest(app.port, request(`GET /${MARKER} HTTP/1.1`, [['Host', 'x']]));
      expect(elsewhere.status).toBe(404);
      const postHealth = await rawRequest(
        app.port,
        request('POST /healthz HTTP/1.1', [
          ['Host', 'x'],
          ['Content-Length', '0'],
        ]),
      );
      expect(postHealth.status).toBe(405);
      expect(postHealth.headers.allow).toBe('GET, HEAD');
      await stillServing(app);
    });

    it('answers broken framing with 4xx: bad header lines, headers too large, no length, a body too large', async () => {
      const cases: [string, string | Buffer, number][] = [
        ['a header line without a colon', 'POST /slack/events HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n', 400],
        ['a NUL in a header value', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n', 400],
        ['a lowercase method', 'get /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 400],
        [
          'headers over 16 KiB',
          request('GET /healthz HTTP/1.1', [
            ['Host', 'x'],
            ['X-Long', 'y'.repeat(20_000)],
          ]),
          431,
        ],
        [
          'a chunked body of unknown length',
          `${request('POST /slack/events HTTP/1.1', [
            ['Host', 'x'],
            ['Transfer-Encoding', 'chunked'],
            ['X-Slack-Request-Timestamp', String(now())],
          ])}5\r\nhello\r\n0\r\n\r\n`,
          411,
        ],
        [
          'a Content-Length of 1 GiB',
          request('POST /slack/events HTTP/1.1', [
            ['Host', 'x'],
            ['Content-Length', '1073741824'],
            ['X-Slack-Request-Timestamp', String(now())],
          ]),
          413,
        ],
        [
          'two different Content-Lengths',
          `${request('POST /slack/events HTTP/1.1', [
            ['Host', 'x'],
            ['Content-Length', '1'],
            ['Content-Length', '2'],
          ])}ab`,
          400,
        ],
        [
          'a stale timestamp',
          request('POST /slack/events HTTP/1.1', signedHeaders(commandBody(), now() - 301)) + commandBody(),
          401,
        ],
        [
          'a forged signature',
          request('POST /slack/events HTTP/1.1', [
            ...signedHeaders(commandBody()).filter(([name]) => name !== 'X-Slack-Signature'),
            ['X-Slack-Signature', `v0=${'0'.repeat(64)}`],
          ]) + commandBody(),
          401,
        ],
      ];
      for (const [what, sent, status] of cases) {
        const answer = await rawRequest(app.port, sent);
        expect(answer.status, what).toBe(status);
        await stillServing(app);
      }
      // The same body, signed, is a command: the refusals above were about what was wrong with them.
      const body = commandBody();
      const signed = await rawRequest(
        app.port,
        `${request('POST /slack/events HTTP/1.1', signedHeaders(body))}${body}`,
      );
      expect(signed.status).toBe(200);
    });

    it(`survives ${RUNS} generated requests over raw TCP, writing nothing`, async () => {
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(cases, async (c) => {
          const { bytes, head } = encode(c);
          const answer: RawResponse = await rawRequest(app.port, bytes, { timeoutMs: 1_500, head });
          const status = answer.status === undefined ? 'none' : String(answer.status);
          report[status] = (report[status] ?? 0) + 1;
          // A signed request is a Slack request, and Bolt's answer to a body with no listener is
          // its own; nothing a stranger sends may make the app fail.
          if (answer.status !== undefined) expect(answer.status, answer.raw.slice(0, 200)).toBeLessThan(500);
          await stillServing(app);
          const rows = await app.rowsNow();
          if (rows) expect(rows).toEqual(before);
        }),
        { numRuns: RUNS },
      );
      const seconds = (Date.now() - started) / 1000;
      const lines = logLines(app);
      // No line per refusal: one when they begin, then one summary a minute at most.
      const refusalLines = lines.filter(
        (line) => line.includes('refused a request') || line.includes('refused requests'),
      );
      expect(refusalLines.length).toBeLessThanOrEqual(2 + Math.ceil(seconds / 60));
      expect(lines.filter((line) => line.includes('a request failed unexpectedly'))).toEqual([]);
      if (process.env.FAULT_REPORT)
        console.info(`[${kind}] transport fuzz: ${RUNS} raw requests`, {
          sent: { requests: RUNS, seconds },
          answered: report,
          lost: { processExits: 0, rowsWritten: 0, refusalLogLines: refusalLines.length },
        });
    });

    it('writes nothing, and the log holds no line per refusal and none of the text sent', async () => {
      const counts = await app.stopAndCount();
      if (before) expect(counts).toEqual(before);
      else expect(counts.rounds ?? 0).toBe(0);
      const text = app.output();
      expect(text).not.toContain(MARKER);
      expect(text).not.toContain(TEST_SIGNING_SECRET);
      expect(text).not.toContain('xoxb-transport-test');
      expect(text).not.toContain('Unhandled HTTP request');
      expect(text).not.toContain('uncaught');
    });
  });
}
