import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedDatabase } from '../../../src/service.js';
import { runCapturedCli } from '../../helpers/cli.js';
import { seedCommittee, seedRound } from '../../helpers/digests.js';
import { seedServicePoint, seedWalkUp } from '../../helpers/service-points.js';
import { type SlackStandIn, startSlackStandIn } from '../../helpers/slack-stand-in.js';

/** `digest committees | show | send`, run as an operator runs them, on an embedded database in a temporary folder. */
let dir: string;
let standIn: SlackStandIn;
const savedEnv = { ...process.env };

const cli = (...argv: string[]) => runCapturedCli(argv);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'service-radar-digest-cli-'));
  standIn = await startSlackStandIn();
  process.env.PGLITE_DIR = dir;
  delete process.env.DATABASE_URL;
  process.env.SLACK_BOT_TOKEN = 'xoxb-cli-test';
  process.env.SLACK_SIGNING_SECRET = 'cli-test-secret';
  process.env.SLACK_API_URL = standIn.url;
  process.env.LOG_LEVEL = 'silent';
  process.env.LIBRARY_TIME_ZONE = 'Europe/London';
  const database = await openMigratedDatabase({
    PGLITE_DIR: dir,
    DATABASE_POOL_SIZE: 1,
    DATABASE_URL: undefined,
  });
  await seedCommittee(database.db, 'C0COMMITTEE', { timeZone: 'Europe/London', units: ['Reference'] });
  // 2026-W40: 28 September to 4 October 2026. Self 8+7+9 = 24 (8.0), customer 5+6+4 = 15 (5.0).
  for (const [staff, self, customer, day] of [
    ['U1', 8, 5, '28'],
    ['U2', 7, 6, '29'],
    ['U3', 9, 4, '30'],
  ] as const)
    await seedRound(database.db, {
      staff,
      unit: 'Reference',
      self,
      customer,
      completedAt: new Date(`2026-09-${day}T12:00:00Z`),
      answers: 'PRIVATE-WORDS',
    });
  // A service point of Reference, 3 walk-up answers in 2026-W40: experience 6+7+8 = 21 (7.0), expected 8+8+8 (8.0).
  const desk = await seedServicePoint(database.db, { name: 'Reference desk', unit: 'Reference' });
  for (const [experience, day] of [
    [6, '28'],
    [7, '29'],
    [8, '30'],
  ] as const)
    await seedWalkUp(database.db, desk.id, {
      experience,
      expectation: 8,
      at: new Date(`2026-09-${day}T10:00:00Z`),
      doBetter: 'WALKUP-PRIVATE-WORDS',
    });
  await database.close();
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
  await rm(`${dir}-chart.png`, { force: true });
});

describe('digest CLI', () => {
  it('lists the committee channels', async () => {
    const { code, out } = await cli('digest', 'committees');
    expect(code).toBe(0);
    expect(out).toMatch(/C0COMMITTEE\s+Reference\s+Mon 09:00 Europe\/London\s+3\s+no/);
  });

  it('shows a week as text or JSON, and writes its chart, without posting', async () => {
    const text = await cli('digest', 'show', '--channel', 'C0COMMITTEE', '--week', '2026-W40');
    expect(text.code).toBe(0);
    expect(text.out).toContain('Service digest · 28 Sep – 4 Oct 2026 (2026-W40, Europe/London)');
    expect(text.out).toMatch(/Gap \(average\)\s+-3\.0 red/);
    expect(text.out).not.toContain('PRIVATE-WORDS');

    const json = await cli('digest', 'show', '--channel', 'C0COMMITTEE', '--week', '2026-W40', '--json');
    expect(JSON.parse(json.out)).toMatchObject({
      week: { id: '2026-W40' },
      headline: { rounds: 3, figures: { self: 8, customer: 5, gap: -3, light: 'red' } },
      servicePoints: {
        points: [
          {
            name: 'Reference desk',
            answers: 3,
            experience: 7,
            expectation: 8,
            gap: -1,
            staffSelfRating: { shown: true, self: 8, rounds: 3 },
          },
        ],
        pointsLeftOut: 0,
        spamLeftOut: 0,
      },
    });
    expect(json.out).not.toContain('WALKUP-PRIVATE-WORDS');
    expect(text.out).toContain('At the service points');
    expect(text.out).not.toContain('WALKUP-PRIVATE-WORDS');

    // Beside the database folder, never in it: the folder check refuses files a database does not hold.
    const chart = `${dir}-chart.png`;
    expect(
      (await cli('digest', 'show', '--channel', 'C0COMMITTEE', '--week', '2026-W40', '--chart', chart)).code,
    ).toBe(0);
    expect((await readFile(chart)).subarray(1, 4).toString()).toBe('PNG');
    expect(standIn.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('sends a finished week once', async () => {
    const first = await cli('digest', 'send', '--channel', 'C0COMMITTEE', '--week', '2026-W40');
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('Posted the digest for 2026-W40 to C0COMMITTEE');
    const again = await cli('digest', 'send', '--channel', 'C0COMMITTEE', '--week', '2026-W40');
    expect(again.out).toContain('was posted already');
    const posts = standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === 'C0COMMITTEE');
    expect(posts).toHaveLength(1);
    await standIn.waitForCall('files.completeUploadExternal');
  });

  it('a failing send tells ADMIN_USER_IDS when the admin who subscribed cannot be reached', async () => {
    // The committee's creator (UADMIN) has left; the operator's list names another admin.
    standIn.on('chat.postMessage', (call) => {
      if (call.args.channel === 'C0COMMITTEE') return { body: { ok: false, error: 'not_in_channel' } };
      if (call.args.channel === 'UADMIN') return { body: { ok: false, error: 'user_disabled' } };
      return undefined;
    });
    standIn.on('conversations.history', (call) =>
      call.args.channel === 'C0COMMITTEE' ? { body: { ok: false, error: 'not_in_channel' } } : undefined,
    );
    process.env.ADMIN_USER_IDS = 'U0OTHERADMIN';
    try {
      const sent = await cli('digest', 'send', '--channel', 'C0COMMITTEE', '--week', '2026-W41');
      expect(sent.code).toBe(1);
      expect(sent.err).toContain('not_in_channel');
      const told = standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === 'U0OTHERADMIN');
      expect(told).toHaveLength(1);
      expect(String(told[0]?.args.text)).toContain('/invite @Service Radar');
    } finally {
      delete process.env.ADMIN_USER_IDS;
      standIn.reset();
    }
  });

  it('refuses what it cannot do, saying why', async () => {
    expect((await cli('digest', 'show', '--channel', 'C0NOPE')).err).toContain('not subscribed');
    expect((await cli('digest', 'show', '--channel', 'C0COMMITTEE', '--week', '2026-47')).err).toContain(
      'expected an ISO week',
    );
    const future = await cli('digest', 'send', '--channel', 'C0COMMITTEE', '--week', '2099-W01');
    expect(future.code).toBe(1);
    expect(future.err).toContain('not over yet in Europe/London');
    // A week still under way is not shown either: its figures would change as rounds come in.
    const unfinished = await cli('digest', 'show', '--channel', 'C0COMMITTEE', '--week', '2099-W01');
    expect(unfinished.code).toBe(1);
    expect(unfinished.err).toContain('Week 2099-W01 is not over yet in Europe/London (LIBRARY_TIME_ZONE)');
    process.env.LIBRARY_TIME_ZONE = 'Moon/Base';
    try {
      const wrongZone = await cli('digest', 'show', '--channel', 'C0COMMITTEE', '--week', '2026-W40');
      expect(wrongZone.code).toBe(78);
      expect(wrongZone.err).toContain('LIBRARY_TIME_ZONE must be an IANA time zone');
    } finally {
      process.env.LIBRARY_TIME_ZONE = 'Europe/London';
    }
  });
});
