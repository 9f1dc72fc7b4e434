import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoundsRepository } from '../../src/modules/rounds/rounds.repository.js';
import { openMigratedDatabase } from '../../src/service.js';
import { runCapturedCli } from '../helpers/cli.js';
import { startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * The operator CLI against a real embedded database in a temporary folder, exactly as an operator
 * runs it (same config loading, same migrations), with its output captured.
 */
let dir: string;
const savedEnv = { ...process.env };

const cli = (...argv: string[]) => runCapturedCli(argv);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'service-radar-cli-'));
  process.env.PGLITE_DIR = dir;
  delete process.env.DATABASE_URL;
  const database = await openMigratedDatabase({
    PGLITE_DIR: dir,
    DATABASE_POOL_SIZE: 1,
    DATABASE_URL: undefined,
  });
  const rounds = createRoundsRepository({ db: database.db });
  const base = {
    customerName: 'Casey',
    service: 'Loans',
    serviceKey: 'loans',
    segment: 'core' as const,
    unit: 'Reference',
    selfScore: 8,
    interviewOn: '2026-12-01',
  };
  const first = await rounds.createRound({
    ...base,
    staffUserId: 'UAAA',
    customerUserId: 'UCUST',
    customerKey: 'slack:UCUST',
    sourceViewId: 'V1',
    createdAt: new Date('2026-11-01T10:00:00Z'),
  });
  await rounds.createRound({
    ...base,
    staffUserId: 'UBBB',
    customerUserId: null,
    customerName: 'Pat',
    customerKey: 'name:pat',
    sourceViewId: 'V2',
    createdAt: new Date('2026-11-02T10:00:00Z'),
  });
  await rounds.recordResponse(
    {
      roundId: first.round.id,
      customerScore: 5,
      needFromMe: 'a',
      whyDependOnMe: 'b',
      notAdequatelyProviding: 'c',
      concentrateOn: 'd',
      noLongerNeed: 'e',
      answeredByUserId: 'UCUST',
      recordedOnBehalf: false,
      sourceViewId: 'VR',
    },
    new Date('2026-11-03T10:00:00Z'),
  );
  await database.close();
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  await rm(dir, { recursive: true, force: true });
});

describe('operator CLI', () => {
  it('rounds list prints a table, newest first', async () => {
    const { code, out } = await cli('rounds', 'list');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+status\s+staffUserId/);
    expect(lines[2]).toMatch(/^2\s+awaiting_customer\s+UBBB\s+Pat/);
    expect(lines[3]).toMatch(/^1\s+completed\s+UAAA\s+UCUST\s+Loans\s+Reference\s+8\s+5\s+-3/);
  });

  it('rounds list --staff --json filters and prints JSON', async () => {
    const { code, out } = await cli('rounds', 'list', '--staff', 'UAAA', '--json');
    expect(code).toBe(0);
    const rows = JSON.parse(out);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: 1,
      staffUserId: 'UAAA',
      selfScore: 8,
      customerScore: 5,
      gap: -3,
      status: 'completed',
    });
  });

  it('refuses a malformed user id with a clear message and a non-zero exit', async () => {
    const { code, err } = await cli('rounds', 'list', '--staff', 'bob');
    expect(code).not.toBe(0);
    expect(err).toContain('expected a Slack user id');
  });

  it('refuses to open the embedded database while another live process holds it', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'service-radar.lock'), String(process.ppid));
    const { code, err } = await cli('rounds', 'list');
    expect(code).toBe(1);
    expect(err).toContain(`in use by process ${process.ppid}`);
    expect(err).toContain(`delete ${join(dir, 'service-radar.lock')}`);
    await rm(join(dir, 'service-radar.lock'));
  });

  it('reminders run --now schedules and sends what is due at that time; reminders list shows it', async () => {
    const standIn = await startSlackStandIn();
    try {
      standIn.addUser({ id: 'UBBB', name: 'bea', tz: 'Europe/London' });
      standIn.addUser({ id: 'UAAA', name: 'al', tz: 'Europe/London' });
      process.env.SLACK_BOT_TOKEN = 'xoxb-cli-test';
      process.env.SLACK_SIGNING_SECRET = 'cli-test-secret';
      process.env.SLACK_API_URL = standIn.url;
      process.env.LOG_LEVEL = 'silent';
      // Round 2 (outside customer, interview on 1 December) gets its reminder scheduled...
      const scheduled = await cli('reminders', 'run', '--now', '2026-11-02T10:05:00Z', '--json');
      expect(scheduled.code).toBe(0);
      expect(JSON.parse(scheduled.out)).toMatchObject({ scheduled: 1, sent: 0 });
      const due = await cli('reminders', 'list', '--due', '--now', '2026-12-01T09:00:00Z', '--json');
      // Round 1's result to UAAA is due too: this test stored the answer directly, not through the app
      // (which would have sent it at once from the outbox).
      expect(JSON.parse(due.out)).toMatchObject([
        { kind: 'round_result', recipient: 'UAAA', state: 'pending' },
        { kind: 'interview_due', recipient: 'UBBB', state: 'pending' },
      ]);
      // By then the round has gone unanswered for 29 days: catching up expires it, cancels the
      // interview reminder and tells the staff member once.
      const caughtUp = await cli('reminders', 'run', '--now', '2026-12-01T09:00:00Z');
      expect(caughtUp.code).toBe(0);
      expect(caughtUp.out).toMatch(/expired\s+1/);
      expect(caughtUp.out).toMatch(/sent\s+2/);
      const posts = standIn.callsTo('chat.postMessage');
      expect(posts.map((call) => [call.args.channel, String(call.args.text).includes('expired')])).toEqual([
        ['UAAA', false],
        ['UBBB', true],
      ]);
      const list = await cli('reminders', 'list');
      expect(list.out).toMatch(/round_expired\s+sent/);
      expect(list.out).not.toContain('interview_due');
    } finally {
      await standIn.close();
    }
  });

  it('reminders run refuses a malformed time', async () => {
    const { code, err } = await cli('reminders', 'run', '--now', 'tomorrow');
    expect(code).not.toBe(0);
    expect(err).toContain('expected an ISO time');
  });

  it('db migrate applies migrations and says so', async () => {
    const { code, out } = await cli('db', 'migrate');
    expect(code).toBe(0);
    expect(out).toContain('Migrations applied (pglite)');
  });
});
