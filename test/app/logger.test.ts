import { WebClient } from '@slack/web-api';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rounds } from '../../src/db/schema.js';
import { createLogger, toBoltLogger } from '../../src/logger.js';
import { LogCapture } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * What reaches the log of an error or of Bolt's and the SDK's own lines, at trace level: codes and
 * names, never people's words. Each marker below stands for someone's words.
 */
const WORDS = 'MARKER-WORDS-7f3a';

function capture(level = 'trace') {
  const logs = new LogCapture();
  return { logs, logger: createLogger(level, logs) };
}

const parsed = (logs: LogCapture) => logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describeEachDatabase('a failed insert in the log', (getDb) => {
  it('is logged by SQLSTATE, constraint and table, without its message, detail or parameters', async () => {
    const { logs, logger } = capture();
    const error = await getDb()
      .handle.db.insert(rounds)
      .values({
        staffUserId: 'USTAFF',
        customerUserId: null,
        customerName: `Pat ${WORDS}`,
        customerKey: `name:pat ${WORDS}`,
        service: `Loans ${WORDS}`,
        serviceKey: `loans ${WORDS}`,
        segment: 'core',
        unit: `Reference ${WORDS}`,
        selfScore: 11,
        interviewOn: '2026-12-01',
        sourceViewId: 'V1',
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    // What the log used to carry: drizzle's message lists the parameters, PostgreSQL's detail the row.
    expect(String((error as Error).message)).toContain(WORDS);

    logger.error({ err: error, user: 'USTAFF' }, 'could not start a round');
    logger.error(error as Error);
    logger.error({ err: error });

    expect(logs.text).not.toContain(WORDS);
    const [line, bare, unnamed] = parsed(logs);
    expect(line).toMatchObject({
      level: 50,
      user: 'USTAFF',
      msg: 'could not start a round',
      err: {
        type: 'DrizzleQueryError',
        cause: { code: '23514', constraint: 'rounds_self_score_range', table: 'rounds' },
      },
    });
    const err = line?.err as { stack?: string[]; cause: { stack?: string[] } };
    expect(err.stack?.[0]).toMatch(/^at /);
    expect(bare).toMatchObject({ msg: 'error', err: { cause: { code: '23514' } } });
    expect(unnamed).toMatchObject({ msg: 'error' });
  });

  it('is logged without the message a trigger raised, which quoted the row', async () => {
    const db = getDb().handle.db;
    await db.execute(sql`
      create function log_test_refuse() returns trigger language plpgsql as $$
      begin
        raise exception 'refused service %', new.service using errcode = 'check_violation';
      end $$`);
    await db.execute(sql`create trigger log_test_refuse before insert on rounds
      for each row execute function log_test_refuse()`);
    try {
      const { logs, logger } = capture();
      const error = await db
        .insert(rounds)
        .values({
          staffUserId: 'USTAFF',
          customerName: 'Pat',
          customerKey: 'name:pat',
          service: `Loans ${WORDS}\n    at ${WORDS} (file.ts:1:1)`,
          serviceKey: 'loans',
          segment: 'core',
          unit: 'Reference',
          selfScore: 5,
          interviewOn: '2026-12-01',
          sourceViewId: 'V2',
        })
        .catch((caught: unknown) => caught);
      expect(((error as Error).cause as Error).message).toContain(WORDS);
      logger.error({ err: error }, 'could not start a round');
      expect(logs.text).not.toContain(WORDS);
      expect(parsed(logs)[0]).toMatchObject({
        err: { cause: { code: '23514', routine: expect.any(String) } },
      });
    } finally {
      await db.execute(sql`drop trigger log_test_refuse on rounds`);
      await db.execute(sql`drop function log_test_refuse()`);
    }
  });
});

describe('errors in the log', () => {
  it('keep no message, even one that looks like stack frames, and follow cause and original', () => {
    const { logs, logger } = capture();
    const inner = Object.assign(new Error(`socket said ${WORDS}`), { code: 'ECONNRESET', syscall: 'read' });
    const error = new Error(`Failed query: insert\nparams: ${WORDS},\n    at ${WORDS} (x.ts:1:1)`, {
      cause: inner,
    });
    const wrapped = Object.assign(new Error(`An API error occurred: ${WORDS}`), {
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: 'invalid_blocks', response_metadata: { messages: [WORDS] } },
      original: error,
    });
    logger.warn({ err: wrapped }, 'slack call failed');
    logger.error({ err: `a string of ${WORDS}` }, 'odd');
    logger.info(`fixed text %s`, WORDS);
    expect(logs.text).not.toContain(WORDS);
    const [first, second, third] = parsed(logs);
    expect(first).toMatchObject({
      err: {
        code: 'slack_webapi_platform_error',
        slackError: 'invalid_blocks',
        original: { type: 'Error', cause: { code: 'ECONNRESET', syscall: 'read' } },
      },
    });
    const original = (first?.err as { original: { stack: string[] } } | undefined)?.original;
    expect(original?.stack.length).toBeGreaterThan(0);
    expect(second).toMatchObject({ err: { type: 'string' } });
    expect(third).toMatchObject({ msg: 'fixed text %s' });
  });
});

describe('Bolt and the Web API client in the log', () => {
  let standIn: SlackStandIn;
  beforeAll(async () => {
    standIn = await startSlackStandIn();
    standIn.addUser({ id: 'UCUST', name: 'casey', real_name: `Casey ${WORDS}` });
  });
  afterAll(() => standIn.close());

  it('never carry request or response bodies at trace level', async () => {
    const { logs, logger } = capture();
    const client = new WebClient('xoxb-logger-test-token', {
      slackApiUrl: standIn.url,
      logger: toBoltLogger(logger, ['xoxb-logger-test-token']),
    });
    await client.chat.postMessage({ channel: 'UCUST', text: `Your answers: ${WORDS}` });
    await client.users.info({ user: 'UCUST' });
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.text).toContain("apiCall('chat.postMessage') start");
    expect(logs.text).not.toContain(WORDS);
    expect(logs.text).not.toContain('xoxb-logger-test-token');
  });

  it('reduce the lines that interpolate payloads to their description', () => {
    const { logs, logger } = capture();
    const bolt = toBoltLogger(logger, []);
    bolt.debug(`ack() response sent (body: {"errors":{"b":"${WORDS}"}})`);
    bolt.debug(`{"type":"view_submission","view":"${WORDS}"}`);
    bolt.debug(`Error details: Error: ${WORDS}, storedResponse: undefined`);
    bolt.debug(`Received a message on the WebSocket: {"payload":"${WORDS}"}`);
    bolt.error(`An unhandled error occurred while Bolt processed (type: view_submission, error: ${WORDS})`);
    bolt.warn('http request failed', WORDS);
    bolt.error(`Slack API error: ${WORDS}`, new Error(WORDS));
    expect(logs.text).not.toContain(WORDS);
    expect(parsed(logs).map((line) => line.msg)).toEqual([
      'ack() response sent',
      'Received a message on the WebSocket',
      'An unhandled error occurred while Bolt processed',
      'http request failed',
      'Slack API error',
    ]);
  });
});
