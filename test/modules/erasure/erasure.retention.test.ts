import { eq, inArray, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, type DatabaseHandle, openDatabase } from '../../../src/db/client.js';
import {
  actionPlans,
  auditLog,
  type Committee,
  erasures,
  planNotes,
  planSteps,
  reminders,
  roundResponses,
  rounds,
  slackUsers,
} from '../../../src/db/schema.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/logger.js';
import { buildDigest } from '../../../src/modules/digests/digests.build.js';
import { createDigestsRepository } from '../../../src/modules/digests/digests.repository.js';
import { ERASED_TEXT } from '../../../src/modules/erasure/erasure.content.js';
import { createRetentionJob } from '../../../src/modules/erasure/erasure.job.js';
import {
  createErasureRepository,
  ERASURE_LOCK_KEY,
} from '../../../src/modules/erasure/erasure.repository.js';
import { type RetentionSettings, retentionCutoff } from '../../../src/modules/erasure/erasure.usecases.js';
import {
  createTestDatabase,
  databaseKinds,
  describeEachDatabase,
  type TestDatabase,
} from '../../helpers/database.js';
import { seedCommittee, seedRound } from '../../helpers/digests.js';
import { findAnywhere } from '../../helpers/row-scan.js';

/**
 * The retention job, on seeded history. NOW is Wednesday 2 December 2026; 730 days before it is
 * Monday 2 December 2024 10:00 UTC, inside 2024-W49. So the cutoff is that week's start, Monday
 * 2 December 2024 00:00 UTC: everything completed or closed before it (2024-W48 and earlier) goes,
 * whole weeks at once; a round completed at 01:00 that Monday stays until its week has passed too.
 */
const NOW = new Date('2026-12-02T10:00:00Z');
const SETTINGS: RetentionSettings = { days: 730, weekZone: 'UTC' };
const at = (iso: string) => new Date(iso);
const OLD = 'OLDWORDS';
const RECENT = 'RECENTWORDS';
const logger = createLogger('silent');
const jobFor = (db: Database) =>
  createRetentionJob({ erasure: createErasureRepository({ db }), settings: SETTINGS, logger });
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
/** Ticks, a minute apart: the job takes one week per tick until nothing past retention is left. */
async function tickThrough(job: ReturnType<typeof jobFor>, ticks = 4, from = 0) {
  for (let tick = 0; tick < ticks; tick++) await job.run(minutes(from + tick));
}

interface Seeded {
  committee: Committee;
  oldRounds: number[];
  keptRounds: number[];
}

/** Two old weeks (2024-W47, -W48), the Monday just after the cutoff, and a recent week (2026-W47). */
async function seedHistory(db: Database): Promise<Seeded> {
  const committee = await seedCommittee(db, 'C0COMMITTEE', { timeZone: 'UTC', units: [] });
  const oldRound = (staff: string, customerUserId: string, day: string, noLongerNeed: string, customer = 5) =>
    seedRound(db, {
      staff,
      unit: 'Reference',
      self: 8,
      customer,
      customerUserId,
      completedAt: at(`${day}T12:00:00Z`),
      answers: `${OLD}-${staff}-${day}`,
      noLongerNeed,
    });
  const oldRounds = [
    // 2024-W47: four rounds, one customer twice. Two customers named something they no longer need.
    await oldRound('UREF1', 'UCUSTOLDA', '2024-11-18', 'The printed list', 4),
    await oldRound('UREF2', 'UCUSTOLDA', '2024-11-19', 'Nothing.', 6),
    await oldRound('UREF3', 'UCUSTOLDB', '2024-11-20', 'Fax confirmations', 5),
    await oldRound('UREF4', 'UCUSTOLDC', '2024-11-21', 'n/a', 3),
    // 2024-W48, its last hour: Sunday 1 December 23:00.
    await seedRound(db, {
      staff: 'UREF1',
      unit: 'Reference',
      self: 7,
      customer: 7,
      customerUserId: 'UCUSTOLDD',
      completedAt: at('2024-12-01T23:00:00Z'),
      answers: `${OLD}-sunday`,
    }),
    // An old round that expired, and its customer's name with it.
    await seedRound(db, {
      staff: 'UREF2',
      unit: 'Reference',
      self: 6,
      status: 'expired',
      customerUserId: 'UCUSTOLDE',
      closedAt: at('2024-11-22T09:00:00Z'),
    }),
  ];
  const keptRounds = [
    // 2024-W49 has not yet passed in full: its Monday 01:00 round stays.
    await seedRound(db, {
      staff: 'UREF3',
      unit: 'Reference',
      self: 9,
      customer: 8,
      customerUserId: 'UCUSTMONDAY',
      completedAt: at('2024-12-02T01:00:00Z'),
      answers: `${RECENT}-monday`,
    }),
    // 2026-W47, recent.
  ];
  for (const [index, staff] of ['UREF1', 'UREF2', 'UREF3'].entries())
    keptRounds.push(
      await seedRound(db, {
        staff,
        unit: 'Reference',
        self: 7,
        customer: 6 + index,
        customerUserId: `UCUSTNEW${index}`,
        completedAt: at(`2026-11-1${6 + index}T12:00:00Z`),
        answers: `${RECENT}-${staff}`,
        noLongerNeed: index === 0 ? 'The old catalogue' : 'No',
      }),
    );
  // Staff notes on every round.
  for (const id of [...oldRounds, ...keptRounds])
    await db
      .update(rounds)
      .set({ selfNote: `${oldRounds.includes(id) ? OLD : RECENT}-note-${id}` })
      .where(eq(rounds.id, id));
  // The requests that went to the customers, by id and DM channel; and the staff's results.
  for (const id of [...oldRounds, ...keptRounds]) {
    const [round] = await db.select().from(rounds).where(eq(rounds.id, id));
    if (!round?.customerUserId) continue;
    await db.insert(reminders).values([
      {
        kind: 'customer_request',
        roundId: id,
        recipientUserId: round.customerUserId,
        dueAt: round.createdAt,
        state: 'sent',
        sentAt: round.createdAt,
        messageChannelId: `D${round.customerUserId}`,
        messageTs: '1.2',
        dedupeKey: `customer_request:${id}`,
      },
      {
        kind: 'round_result',
        roundId: id,
        recipientUserId: round.staffUserId,
        dueAt: round.createdAt,
        state: 'sent',
        sentAt: round.createdAt,
        messageChannelId: `D${round.staffUserId}`,
        messageTs: '1.3',
        dedupeKey: `round_result:${id}`,
      },
    ]);
  }
  // Plans: one closed long ago, one closed recently, one still open since long ago.
  const plan = async (staff: string, words: string, closedAt: Date | null, createdAt: Date) => {
    const [row] = await db
      .insert(actionPlans)
      .values({
        staffUserId: staff,
        managerUserId: 'UMANAGER',
        channelId: 'CPLANS',
        threadTs: `${createdAt.getTime()}.1`,
        state: closedAt ? 'closed' : 'active',
        strengths: `${words}-strengths`,
        improvements: `${words}-improvements`,
        successMeasure: `${words}-measure`,
        outcome: closedAt ? 'improved' : null,
        outcomeNote: closedAt ? `${words}-outcome` : null,
        createdAt,
        closedAt,
      })
      .returning({ id: actionPlans.id });
    if (!row) throw new Error('no plan');
    await db.insert(planSteps).values({ planId: row.id, position: 1, text: `${words}-step` });
    return row.id;
  };
  const oldPlan = await plan('UREF1', OLD, at('2024-11-20T10:00:00Z'), at('2024-09-01T10:00:00Z'));
  const recentPlan = await plan('UREF2', RECENT, at('2026-11-20T10:00:00Z'), at('2026-09-01T10:00:00Z'));
  const openPlan = await plan('UREF3', `${RECENT}-open`, null, at('2024-06-01T10:00:00Z'));
  await db.insert(planNotes).values([
    {
      planId: oldPlan,
      userId: 'UMANAGER',
      text: `${OLD}-note-a`,
      sourceViewId: 'VN1',
      createdAt: at('2024-10-01T00:00:00Z'),
    },
    {
      planId: openPlan,
      userId: 'UREF3',
      text: `${OLD}-note-b`,
      sourceViewId: 'VN2',
      createdAt: at('2024-11-30T00:00:00Z'),
    },
    {
      planId: openPlan,
      userId: 'UREF3',
      text: `${RECENT}-note-c`,
      sourceViewId: 'VN3',
      createdAt: at('2024-12-02T08:00:00Z'),
    },
    {
      planId: recentPlan,
      userId: 'UMANAGER',
      text: `${RECENT}-note-d`,
      sourceViewId: 'VN4',
      createdAt: at('2026-10-01T00:00:00Z'),
    },
  ]);
  // The people cache: a name nobody has needed for years, and a fresh one.
  await db.insert(slackUsers).values([
    {
      userId: 'ULONGGONE',
      name: `${OLD}-cached-name`,
      isBot: false,
      deleted: true,
      fetchedAt: at('2024-01-05T00:00:00Z'),
    },
    {
      userId: 'UREF1',
      name: `${RECENT}-cached-name`,
      isBot: false,
      deleted: false,
      fetchedAt: at('2026-12-01T00:00:00Z'),
    },
  ]);
  return { committee, oldRounds, keptRounds };
}

const WEEKS = ['2024-W47', '2024-W48', '2024-W49', '2026-W47'];
const digests = (db: Database, committee: Committee) =>
  Promise.all(
    WEEKS.map((week) =>
      buildDigest({
        digests: createDigestsRepository({ db }),
        committee,
        week,
        libraryTimeZone: 'UTC',
        clock: fixedClock(NOW),
      }),
    ),
  );

describeEachDatabase('retention', (getDb) => {
  const db = () => getDb().handle.db;

  it('cuts at the start of the week that holds the day RETENTION_DAYS ago, in the given zone', () => {
    expect(retentionCutoff(NOW, SETTINGS)).toEqual(at('2024-12-02T00:00:00Z'));
    // In Sydney that Monday starts 11 hours earlier.
    expect(retentionCutoff(NOW, { days: 730, weekZone: 'Australia/Sydney' })).toEqual(
      at('2024-12-01T13:00:00Z'),
    );
  });

  it('erases old words and identities, keeps recent ones and every score, and past digests keep their figures', async () => {
    const seeded = await seedHistory(db());
    const before = await digests(db(), seeded.committee);
    // The old weeks do publish figures, and the "no longer needed" count is 2 in 2024-W47.
    expect(before[0]?.headline.rounds).toBe(4);
    expect(before[0]?.followUps.noLongerNeed).toBe(2);
    const oldCustomers = ['UCUSTOLDA', 'UCUSTOLDB', 'UCUSTOLDC', 'UCUSTOLDD', 'UCUSTOLDE'];
    expect(await findAnywhere(db(), [OLD, ...oldCustomers])).not.toEqual([]);
    const scores = await db()
      .select({
        id: rounds.id,
        self: rounds.selfScore,
        customer: roundResponses.customerScore,
        unit: rounds.unit,
      })
      .from(rounds)
      .leftJoin(roundResponses, eq(roundResponses.roundId, rounds.id))
      .orderBy(rounds.id);

    await tickThrough(jobFor(db()));

    // No old word, no old customer's id or name, no old cached name anywhere; the recent ones stay.
    expect(await findAnywhere(db(), [OLD, ...oldCustomers])).toEqual([]);
    const kept = await findAnywhere(db(), [RECENT]);
    for (const table of [
      'rounds',
      'round_responses',
      'action_plans',
      'plan_steps',
      'plan_notes',
      'slack_users',
    ])
      expect(kept).toContain(`${table}: ${RECENT}`);
    // Every score, unit and week is as it was.
    expect(
      await db()
        .select({
          id: rounds.id,
          self: rounds.selfScore,
          customer: roundResponses.customerScore,
          unit: rounds.unit,
        })
        .from(rounds)
        .leftJoin(roundResponses, eq(roundResponses.roundId, rounds.id))
        .orderBy(rounds.id),
    ).toEqual(scores);
    // So the digests of past weeks say exactly what they said.
    expect(await digests(db(), seeded.committee)).toEqual(before);

    // The old rounds: no customer, no note, one key per customer (so each week keeps its count of
    // distinct customers), erased_at set; their answers null but the "named something" mark.
    const old = await db()
      .select()
      .from(rounds)
      .where(inArray(rounds.id, seeded.oldRounds))
      .orderBy(rounds.id);
    for (const round of old)
      expect(round).toMatchObject({
        customerUserId: null,
        customerName: ERASED_TEXT,
        selfNote: null,
        requestChannelId: null,
        erasedAt: expect.any(Date),
        customerKey: expect.stringMatching(/^erased:\d+$/),
      });
    const keys = old.map((round) => round.customerKey);
    expect(keys[0]).toBe(keys[1]); // UCUSTOLDA twice
    expect(new Set(keys).size).toBe(5);
    const answers = await db()
      .select()
      .from(roundResponses)
      .where(inArray(roundResponses.roundId, seeded.oldRounds))
      .orderBy(roundResponses.roundId);
    expect(answers.map((row) => row.noLongerNeed)).toEqual([ERASED_TEXT, null, ERASED_TEXT, null, null]);
    for (const row of answers) {
      expect(row).toMatchObject({
        needFromMe: null,
        whyDependOnMe: null,
        notAdequatelyProviding: null,
        concentrateOn: null,
        additionalComments: null,
        erasedAt: expect.any(Date),
      });
      expect(row.answeredByUserId).toBe(old.find((round) => round.id === row.roundId)?.customerKey);
    }
    // The requests to old customers now name only the key; the staff's results are untouched.
    const oldRequests = await db()
      .select()
      .from(reminders)
      .where(inArray(reminders.roundId, seeded.oldRounds))
      .orderBy(reminders.id);
    for (const row of oldRequests.filter((r) => r.kind === 'customer_request'))
      expect(row).toMatchObject({
        recipientUserId: expect.stringMatching(/^erased:/),
        messageChannelId: null,
      });
    for (const row of oldRequests.filter((r) => r.kind === 'round_result'))
      expect(row.recipientUserId).toMatch(/^UREF/);
    // The recent rounds are untouched.
    for (const round of await db().select().from(rounds).where(inArray(rounds.id, seeded.keptRounds)))
      expect(round).toMatchObject({ erasedAt: null, customerUserId: expect.stringMatching(/^UCUST/) });

    // One audit row per run that changed anything, a week each, with the counts and nothing else.
    const none = {
      committees: 0,
      staff_profiles: 0,
      person_settings: 0,
      walk_up_answers: 0,
      service_points: 0,
      best_practices: 0,
      home_pictures: 0,
      audit_log: 0,
    };
    expect(await db().select().from(erasures)).toEqual([
      {
        id: 1,
        kind: 'retention',
        requestedBy: 'retention',
        createdAt: minutes(0),
        // 2024-W47 (four rounds and the expired one), with the plans, notes and cache past retention.
        changed: {
          rounds: 5,
          round_responses: 4,
          reminders: 5,
          action_plans: 1,
          plan_steps: 1,
          plan_notes: 2,
          slack_users: 1,
          ...none,
        },
      },
      {
        id: 2,
        kind: 'retention',
        requestedBy: 'retention',
        createdAt: minutes(1),
        // 2024-W48: its Sunday round.
        changed: {
          rounds: 1,
          round_responses: 1,
          reminders: 1,
          action_plans: 0,
          plan_steps: 0,
          plan_notes: 0,
          slack_users: 0,
          ...none,
        },
      },
    ]);
    // The audit log has each run too, by the scheduler, with its total and the same counts.
    const erased = await db().select().from(erasures).orderBy(erasures.id);
    const erasureEntries = await db()
      .select()
      .from(auditLog)
      .where(eq(auditLog.kind, 'erasure'))
      .orderBy(auditLog.id);
    expect(erasureEntries).toEqual(
      erased.map((erasure) => ({
        id: expect.any(Number),
        kind: 'erasure',
        actor: 'scheduler',
        subject: null,
        rows: Object.values(erasure.changed).reduce((sum, count) => sum + count, 0),
        detail: { erasure: 'retention', erasureId: erasure.id, changed: erasure.changed },
        createdAt: erasure.createdAt,
      })),
    );
    expect(erasureEntries.map((entry) => entry.rows)).toEqual([19, 3]);
  });

  it('is idempotent: the same day, the next day, another copy: nothing more, no second record', async () => {
    await seedHistory(db());
    const job = jobFor(db());
    await tickThrough(job);
    const after = await findAnywhere(db(), [RECENT]);
    const snapshot = JSON.stringify(await db().select().from(rounds).orderBy(rounds.id));
    await tickThrough(job, 3, 10);
    await tickThrough(jobFor(db()));
    await job.run(new Date(NOW.getTime() + 86_400_000));
    expect(await db().select().from(erasures)).toHaveLength(2);
    expect(JSON.stringify(await db().select().from(rounds).orderBy(rounds.id))).toBe(snapshot);
    expect(await findAnywhere(db(), [RECENT])).toEqual(after);
  });

  it('a week later, the next whole week goes, recorded as a second erasure', async () => {
    const seeded = await seedHistory(db());
    await tickThrough(jobFor(db()));
    await jobFor(db()).run(new Date(NOW.getTime() + 7 * 86_400_000));
    const [monday] = await db()
      .select()
      .from(rounds)
      .where(eq(rounds.id, seeded.keptRounds[0] as number));
    expect(monday).toMatchObject({ customerUserId: null, customerName: ERASED_TEXT });
    expect((await db().select().from(erasures)).map((row) => row.changed.rounds)).toEqual([5, 1, 1]);
  });

  it('runs once when two copies tick at the same moment', async () => {
    const seeded = await seedHistory(db());
    const before = await digests(db(), seeded.committee);
    // On PostgreSQL each copy has its own connection pool, as two processes would.
    const url = getDb().url;
    const second: DatabaseHandle = url
      ? await openDatabase({ databaseUrl: url, poolSize: 2 })
      : getDb().handle;
    try {
      // Whichever finds the lock held tries again on its next tick, and finds that week done.
      const one = jobFor(db());
      const two = jobFor(second.db);
      for (let tick = 0; tick < 4; tick++)
        await Promise.all([one.run(minutes(tick)), two.run(minutes(tick))]);
    } finally {
      if (url) await second.close();
    }
    const rows = await db().select().from(erasures);
    expect(rows.map((row) => row.changed.rounds)).toEqual([5, 1]);
    expect(await findAnywhere(db(), [OLD])).toEqual([]);
    expect(await digests(db(), seeded.committee)).toEqual(before);
    const [count] = await db()
      .execute(sql`select count(*)::int as n from rounds where erased_at is not null`)
      .then(
        (result) =>
          (Array.isArray(result) ? result : (result as { rows: { n: number }[] }).rows) as { n: number }[],
      );
    expect(count?.n).toBe(6);
  });
});

for (const kind of databaseKinds().filter((k) => k === 'postgres'))
  describe(`retention beside another copy [${kind}]`, () => {
    let database: TestDatabase;
    const db = () => database.handle.db;
    beforeAll(async () => {
      database = await createTestDatabase(kind);
    });
    afterAll(() => database.close());

    it('skips its turn while another copy holds the erasure lock, and erases on its next tick', async () => {
      await seedHistory(db());
      const other = postgres(database.url as string, { max: 1, onnotice: () => {} });
      const job = jobFor(db());
      try {
        await other.begin(async (tx) => {
          await tx`select pg_advisory_xact_lock(${ERASURE_LOCK_KEY})`;
          await job.run(NOW);
          expect(await db().select().from(erasures)).toEqual([]);
          expect(await findAnywhere(db(), [OLD])).not.toEqual([]);
        });
      } finally {
        await other.end({ timeout: 5 });
      }
      await tickThrough(job, 3, 1);
      expect(await db().select().from(erasures)).toHaveLength(2);
      expect(await findAnywhere(db(), [OLD])).toEqual([]);
    });
  });
