import { type ChildProcess, spawn } from 'node:child_process';
import { DateTime } from 'luxon';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { actionPlans, digestPosts, type Reminder, reminders, rounds } from '../../src/db/schema.js';
import { createDependencies } from '../../src/dependencies.js';
import { fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/logger.js';
import { createCommitteesRepository } from '../../src/modules/committees/committees.repository.js';
import { DIGEST_EVENT_TYPE } from '../../src/modules/digests/digests.usecases.js';
import { announcePlanWritten, openPlan, writePlan } from '../../src/modules/plans/plans.usecases.js';
import { planWords } from '../../src/modules/plans/plans.words.js';
import { muteReminders } from '../../src/modules/reminders/reminders.buttons.js';
import { REMINDER_EVENT_TYPE } from '../../src/modules/reminders/reminders.outbox.js';
import { INTERVIEW_QUESTIONS } from '../../src/modules/rounds/rounds.content.js';
import { createRoundsRepository } from '../../src/modules/rounds/rounds.repository.js';
import { recordResponse, startRound } from '../../src/modules/rounds/rounds.usecases.js';
import type { FromCopy, ToCopy } from '../helpers/copy-process.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.js';
import { TEST_SIGNING_SECRET } from '../helpers/slack-requests.js';
import { type RecordedCall, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * Three copies of the app's scheduled work, each its own process with its own connection pool,
 * behind one PostgreSQL, for eight simulated weeks (Mon 28 Sep to Mon 23 Nov 2026) that contain
 * three clock changes: Sydney springs forward on Sun 4 Oct (02:00 becomes 03:00), London falls back
 * on Sun 25 Oct and New York on Sun 1 Nov (01:00-02:00 happens twice). Staff and customers in those
 * zones start rounds, answer some, leave others to be nudged and to expire; action plans bring
 * check-ins and a re-measure; five committees get weekly digests, three of them on the Sunday hour
 * a clock change skips or repeats. All three copies tick every simulated instant, together,
 * sometimes with their clocks a few seconds apart, as real machines' are.
 *
 * What must hold (docs/how-it-works.md, "Exactly once: the rule for the send-then-crash window" and "When it posts, and exactly once"): every reminder,
 * check-in and re-measure is posted once, none twice, none lost; every committee gets one digest for
 * each week, on the spring-forward and fall-back weeks too, at the local hour it chose; and the work
 * is really shared between the copies.
 *
 * PostgreSQL only: PGlite is an embedded database inside one process and cannot be shared by three.
 */

const COPIES = 3;
const START = new Date('2026-09-28T00:00:00Z'); // Monday; already 10:00 in Sydney
const END = new Date('2026-11-24T00:00:00Z'); // eight weeks later
/**
 * Ticks are 20 to 45 simulated minutes apart, at uneven seconds, so they rarely land on :00.
 * Production ticks every minute; here three copies on two cores manage some 40 ticks a second, and
 * eight weeks take about a minute. Every local hour a clock change skips around or repeats gets a
 * tick, both occurrences of a repeated one (the test checks); and the checks do not lean on the
 * step: whatever was due must go out at the first tick that could send it.
 */
const MAX_STEP_MS = 45 * 60_000;
const MIN_STEP_MS = 20 * 60_000;
/**
 * Copies' clocks differ by up to this much on some ticks. Claims assume clocks agree far better than
 * REMINDER_LEASE_SECONDS (120 s) and the digest lease (3 min); 20 s is a badly kept server clock.
 */
const MAX_SKEW_MS = 20_000;
/** What people do in Slack happens at least this long before the tick that follows it. */
const EVENT_LEAD_MS = 60_000;

const SYD = 'Australia/Sydney';
const LON = 'Europe/London';
const NYC = 'America/New_York';
const COPY_TOKEN = 'xoxb-several-copies-scheduler';
const USER_TOKEN = 'xoxb-several-copies-listener';
const MANAGER = 'UMANAGER';
const ADMIN = 'UADMIN';
const WORKDAY = { start: 9, end: 17 };

const root = new URL('../..', import.meta.url).pathname;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// People, committees, plans

interface Staff {
  id: string;
  zone: string;
  unit: string;
  /** Starts one round in the first week and none after: invited again after CADENCE_DAYS. */
  quiet?: boolean;
}
const STAFF: Staff[] = [
  { id: 'USYDA', zone: SYD, unit: 'Reference' },
  { id: 'USYDB', zone: SYD, unit: 'Archives' },
  { id: 'USYDC', zone: SYD, unit: 'Circulation', quiet: true },
  { id: 'ULONA', zone: LON, unit: 'Reference' },
  { id: 'ULONB', zone: LON, unit: 'Circulation' },
  { id: 'ULONC', zone: LON, unit: 'Archives', quiet: true },
  { id: 'UNYCA', zone: NYC, unit: 'Reference' },
  { id: 'UNYCB', zone: NYC, unit: 'Circulation' },
  { id: 'UNYCC', zone: NYC, unit: 'Reference', quiet: true },
];
/** Customers in Slack, in the three zones and one without daylight saving, at half an hour. */
const CUSTOMERS = [
  { id: 'UCUSTA', zone: SYD },
  { id: 'UCUSTB', zone: LON },
  { id: 'UCUSTC', zone: NYC },
  { id: 'UCUSTD', zone: 'Asia/Kolkata' },
  { id: 'UCUSTE', zone: LON },
  { id: 'UCUSTF', zone: NYC },
  { id: 'UCUSTG', zone: SYD },
];

interface CommitteePlan {
  channel: string;
  weekday: number;
  hour: number;
  timeZone: string;
  subscribedAt: Date;
  /** Every week whose digest comes due inside the window. */
  weeks: string[];
  /** The clock-change weeks, with the instant their digest is due, worked out by hand. */
  dstWeeks: Record<string, string>;
}
const isoWeeks = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => `2026-W${String(from + index).padStart(2, '0')}`);
const COMMITTEES: CommitteePlan[] = [
  {
    // Sunday 02:00 Sydney does not exist on 4 Oct: the W39 digest is due at 03:00 AEDT (16:00 UTC).
    channel: 'CSYDNEYSUN',
    weekday: 7,
    hour: 2,
    timeZone: SYD,
    subscribedAt: START,
    weeks: isoWeeks(39, 46),
    dstWeeks: { '2026-W39': '2026-10-03T16:00:00Z', '2026-W40': '2026-10-10T15:00:00Z' },
  },
  {
    // Sunday 01:00 London happens twice on 25 Oct: the W42 digest is due at the first (00:00 UTC).
    channel: 'CLONDONSUN',
    weekday: 7,
    hour: 1,
    timeZone: LON,
    subscribedAt: START,
    weeks: isoWeeks(39, 46),
    dstWeeks: { '2026-W42': '2026-10-25T00:00:00Z', '2026-W43': '2026-11-01T01:00:00Z' },
  },
  {
    // Sunday 01:00 New York happens twice on 1 Nov: W43 at the first (05:00 UTC).
    channel: 'CNEWYORKSUN',
    weekday: 7,
    hour: 1,
    timeZone: NYC,
    subscribedAt: START,
    weeks: isoWeeks(39, 46),
    dstWeeks: { '2026-W43': '2026-11-01T05:00:00Z', '2026-W44': '2026-11-08T06:00:00Z' },
  },
  {
    channel: 'CLONDONMON',
    weekday: 1,
    hour: 9,
    timeZone: LON,
    subscribedAt: START,
    weeks: isoWeeks(39, 47),
    // W43 holds London's fall-back: W42's digest is due at 09:00 BST, W43's at 09:00 GMT.
    dstWeeks: { '2026-W42': '2026-10-19T08:00:00Z', '2026-W43': '2026-10-26T09:00:00Z' },
  },
  {
    // Subscribes on a Wednesday: not the week whose post time has passed, the next one on.
    channel: 'CNEWYORKLATE',
    weekday: 1,
    hour: 9,
    timeZone: NYC,
    subscribedAt: new Date('2026-10-14T15:00:00Z'),
    weeks: isoWeeks(42, 47),
    dstWeeks: { '2026-W43': '2026-10-26T13:00:00Z', '2026-W44': '2026-11-02T14:00:00Z' },
  },
];

interface PlanScript {
  staff: string;
  opener: string;
  /** When the staff member writes it, local time in their zone: a working day and hour. */
  writtenLocal: string;
  checkinEvery: 7 | 14 | 28;
  remeasureOn: string;
}
const PLANS: PlanScript[] = [
  // Thursday 16:00 in Sydney, before its spring-forward: each check-in at 16:00 on a Thursday.
  {
    staff: 'USYDA',
    opener: MANAGER,
    writtenLocal: '2026-10-01T16:00',
    checkinEvery: 7,
    remeasureOn: '2026-11-05',
  },
  // Monday 14:00 in Sydney, every four weeks.
  {
    staff: 'USYDB',
    opener: 'USYDB',
    writtenLocal: '2026-09-28T14:00',
    checkinEvery: 28,
    remeasureOn: '2026-11-16',
  },
  // Tuesday 10:30 in London, across its fall-back.
  {
    staff: 'ULONA',
    opener: 'ULONA',
    writtenLocal: '2026-10-20T10:30',
    checkinEvery: 7,
    remeasureOn: '2026-11-19',
  },
  // Wednesday 09:20 in New York, every two weeks, across its fall-back.
  {
    staff: 'UNYCA',
    opener: MANAGER,
    writtenLocal: '2026-10-21T09:20',
    checkinEvery: 14,
    remeasureOn: '2026-11-20',
  },
];
/** A staff member who mutes reminders for five days. */
const MUTE = { user: 'ULONB', atLocal: '2026-10-12T10:00', days: 5 };

// ---------------------------------------------------------------------------------------------
// The copies: child processes driven over IPC

interface Copy {
  child: ChildProcess;
  instanceId: string;
  tick(at: Date): Promise<number>;
  stop(): Promise<void>;
  output(): string;
}

/** Spawns a copy; `children` gets it at once, so it is killed whatever happens next. */
function startCopy(env: Record<string, string>, children: ChildProcess[]): Promise<Copy> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/copy-process.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  let sequence = 0;
  const waiting = new Map<number, { resolve: (ms: number) => void; reject: (error: Error) => void }>();
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      for (const { reject } of waiting.values())
        reject(new Error(`copy exited (${code ?? signal}) during a tick:\n${output}`));
      waiting.clear();
      resolve();
    });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`copy did not start in 60 s:\n${output}`)), 60_000);
    void exit.then(() => reject(new Error(`copy exited before it was ready:\n${output}`)));
    child.on('message', (message: FromCopy) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve({
          child,
          instanceId: message.instanceId,
          output: () => output,
          tick(at) {
            if (exited) return Promise.reject(new Error(`copy has exited:\n${output}`));
            const id = ++sequence;
            return new Promise<number>((done, fail) => {
              // A tick keeps sending for at most TICK_BUDGET_MS (50 s); one that never ends is a hang.
              const hung = setTimeout(
                () => fail(new Error(`a tick at ${at.toISOString()} hung:\n${output}`)),
                60_000,
              );
              const settle = (then: () => void) => {
                clearTimeout(hung);
                then();
              };
              waiting.set(id, {
                resolve: (ms) => settle(() => done(ms)),
                reject: (error) => settle(() => fail(error)),
              });
              child.send({ type: 'tick', id, at: at.toISOString() } satisfies ToCopy);
            });
          },
          async stop() {
            if (!exited) child.send({ type: 'stop' } satisfies ToCopy);
            await Promise.race([exit, new Promise((settle) => setTimeout(settle, 10_000))]);
          },
        });
        return;
      }
      const pending = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.type === 'done') pending?.resolve(message.ms);
      else pending?.reject(new Error(`tick failed in a copy: ${message.error}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** A small seeded generator, so the scenario is the same on every run (the interleaving is not). */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (from: number, to: number) => from + Math.floor(next() * (to - from + 1)),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T,
    shuffle: <T>(items: readonly T[]) => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
      }
      return copy;
    },
  };
}

const local = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone });
const localInstant = (text: string, zone: string) => DateTime.fromISO(text, { zone }).toJSDate();
const inWorkingHours = (at: Date, zone: string) => {
  const time = local(at, zone);
  return time.weekday <= 5 && time.hour >= WORKDAY.start && time.hour < WORKDAY.end;
};
/** The first local time at or after `time` inside working hours (Monday to Friday, 09:00-17:00). */
const nextWorkingLocal = (time: DateTime): DateTime => {
  let at = time;
  for (;;) {
    if (at.weekday <= 5) {
      const opens = at.startOf('day').set({ hour: WORKDAY.start });
      if (at < opens) return opens;
      if (at < at.startOf('day').set({ hour: WORKDAY.end })) return at;
    }
    at = at.plus({ days: 1 }).startOf('day');
  }
};
const answers = (text: string) =>
  Object.fromEntries(INTERVIEW_QUESTIONS.map((question) => [question.key, `${text}: ${question.key}`])) as {
    [K in (typeof INTERVIEW_QUESTIONS)[number]['key']]: string;
  };
const keyOf = (call: RecordedCall): string | undefined => call.args.metadata?.event_payload?.radar_key;

// ---------------------------------------------------------------------------------------------

/** Every local hour a clock change skips around or repeats, as UTC instants [from, to). */
const DST_HOURS = [
  ['2026-10-03T15:00:00Z', '2026-10-03T16:00:00Z'], // Sydney 01:00-02:00 AEST, before the gap
  ['2026-10-03T16:00:00Z', '2026-10-03T17:00:00Z'], // Sydney 03:00-04:00 AEDT, after it
  ['2026-10-25T00:00:00Z', '2026-10-25T01:00:00Z'], // London 01:00-02:00 BST
  ['2026-10-25T01:00:00Z', '2026-10-25T02:00:00Z'], // London 01:00-02:00 GMT
  ['2026-11-01T05:00:00Z', '2026-11-01T06:00:00Z'], // New York 01:00-02:00 EDT
  ['2026-11-01T06:00:00Z', '2026-11-01T07:00:00Z'], // New York 01:00-02:00 EST
].map(([from, to]) => [new Date(from as string).getTime(), new Date(to as string).getTime()] as const);

/**
 * The simulated instants: MIN_STEP_MS to MAX_STEP_MS apart at uneven seconds, with one more in any
 * DST_HOURS hour the steps jumped over, and END last.
 */
function planTicks(rand: ReturnType<typeof random>): Date[] {
  const ticks: Date[] = [];
  for (let at = START.getTime() + rand.int(60, 600) * 1000; at < END.getTime(); ) {
    ticks.push(new Date(at));
    at += rand.int(MIN_STEP_MS / 1000, MAX_STEP_MS / 1000) * 1000;
  }
  for (const [from, to] of DST_HOURS)
    if (!ticks.some((at) => at.getTime() >= from && at.getTime() < to))
      ticks.push(new Date(from + rand.int(2 * 60, 58 * 60) * 1000));
  ticks.sort((a, b) => a.getTime() - b.getTime());
  ticks.push(END);
  return ticks;
}

// ---------------------------------------------------------------------------------------------

// Runs on every engine: the plan the PostgreSQL test ticks through is sound, whatever the seed.
it('plans ticks through every hour a clock change skips around or repeats, whatever the seed', () => {
  // The listed hours are where the zones' clocks change: the offset differs across each pair's seam.
  for (const [zone, seam] of [
    ['Australia/Sydney', '2026-10-03T16:00:00Z'],
    ['Europe/London', '2026-10-25T01:00:00Z'],
    ['America/New_York', '2026-11-01T06:00:00Z'],
  ] as const) {
    const at = new Date(seam).getTime();
    expect(DateTime.fromMillis(at - 1, { zone }).offset).not.toBe(DateTime.fromMillis(at, { zone }).offset);
  }
  for (const seed of [1, 2, 3, 20261004]) {
    const ticks = planTicks(random(seed));
    for (const [from, to] of DST_HOURS)
      expect(ticks.some((at) => at.getTime() >= from && at.getTime() < to)).toBe(true);
    const gaps = ticks.slice(1).map((at, i) => at.getTime() - (ticks[i] as Date).getTime());
    expect(Math.max(...gaps)).toBeLessThanOrEqual(MAX_STEP_MS);
    expect(ticks.at(-1)).toEqual(END);
  }
});

// Like every PostgreSQL test, defined only when a test database is there (TEST_DATABASE_URL).
for (const kind of databaseKinds().filter((k) => k === 'postgres'))
  it(`[${kind}] three copies, eight simulated weeks across DST changes: every reminder, digest and check-in exactly once`, async () => {
    const wallStarted = performance.now();
    // SEVERAL_COPIES_SEED=n plays another scenario; the same seed plays the same one.
    const seed = Number(process.env.SEVERAL_COPIES_SEED ?? 20261004);
    const rand = random(seed);
    const standIn = await startSlackStandIn();
    let testDb: TestDatabase | undefined;
    const copies: Copy[] = [];
    const children: ChildProcess[] = [];
    try {
      testDb = await createTestDatabase(kind);
      const db = testDb.handle.db;
      for (const person of STAFF)
        standIn.addUser({ id: person.id, name: person.id.toLowerCase(), tz: person.zone });
      for (const person of CUSTOMERS)
        standIn.addUser({ id: person.id, name: person.id.toLowerCase(), tz: person.zone });
      standIn.addUser({ id: MANAGER, name: 'morgan', tz: LON });
      standIn.addUser({ id: ADMIN, name: 'ada', tz: LON, is_admin: true });
      const zoneOf = new Map([...STAFF, ...CUSTOMERS].map((person) => [person.id, person.zone]));

      const env = {
        SLACK_BOT_TOKEN: COPY_TOKEN,
        SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
        SLACK_API_URL: standIn.url,
        DATABASE_URL: testDb.url as string,
        DATABASE_POOL_SIZE: '4',
        LOG_LEVEL: 'warn',
        PORT: '0',
        MANAGER_USER_IDS: MANAGER,
        ADMIN_USER_IDS: ADMIN,
        // The library's weeks in UTC, whatever zone the machine is in (each committee posts in its own).
        LIBRARY_TIME_ZONE: 'UTC',
        // A month, so staff who go quiet in the first week are invited again inside the window.
        CADENCE_DAYS: '30',
        COPY_START_AT: START.toISOString(),
      };
      const started = await Promise.allSettled(
        Array.from({ length: COPIES }, () => startCopy(env, children)),
      );
      for (const result of started) if (result.status === 'fulfilled') copies.push(result.value);
      for (const result of started) if (result.status === 'rejected') throw result.reason;

      // What people do in Slack goes through the use cases the listeners call, with its own token so
      // the copies' own posts can be told apart.
      const userClock = fixedClock(START);
      const listener = createDependencies({
        config: loadConfig({ ...env, SLACK_BOT_TOKEN: USER_TOKEN }),
        logger: createLogger('silent'),
        db: testDb.handle.db,
        clock: userClock,
      }).background;
      const roundsRepo = createRoundsRepository({ db });
      const planDeps = listener.plans;
      const reminderDeps = listener.reminders;
      const committeesRepo = createCommitteesRepository({ db });

      // ---- the scenario: events at simulated instants ------------------------------------------
      type Behaviour =
        | 'answers_soon'
        | 'answers_after_nudge'
        | 'never'
        | 'outside_recorded'
        | 'outside_never';
      const startedRounds: { id: number; staff: string; customer: string | null; behaviour: Behaviour }[] =
        [];
      const events: { at: Date; label: string; run: () => Promise<void> }[] = [];
      const event = (at: Date, label: string, run: () => Promise<void>) => events.push({ at, label, run });

      for (const committee of COMMITTEES) {
        event(committee.subscribedAt, `subscribe ${committee.channel}`, async () => {
          await committeesRepo.save(
            committee.channel,
            {
              units: [],
              weekday: committee.weekday,
              hour: committee.hour,
              timeZone: committee.timeZone,
              minGroupSize: 3,
              showIndividuals: false,
            },
            { userId: ADMIN, now: userClock.now() },
          );
        });
      }

      let serial = 0;
      for (const [index, person] of STAFF.entries()) {
        const days = person.quiet ? [1] : [0, 6, 12, 18, 24, 30, 36, 42].map((day) => day + (index % 4));
        for (const day of days) {
          const createdLocal = DateTime.fromJSDate(START, { zone: person.zone })
            .startOf('day')
            .plus({ days: day, hours: rand.int(8, 18), minutes: rand.int(0, 59), seconds: rand.int(0, 59) });
          const createdAt = createdLocal.toJSDate();
          if (createdAt < START) continue;
          const outside = rand.next() < 0.15;
          const roll = rand.next();
          const behaviour: Behaviour = outside
            ? roll < 0.5
              ? 'outside_recorded'
              : 'outside_never'
            : person.quiet
              ? 'answers_soon'
              : roll < 0.35
                ? 'answers_soon'
                : roll < 0.6
                  ? 'answers_after_nudge'
                  : 'never';
          const customer = outside ? null : rand.pick(CUSTOMERS).id;
          const interviewOn = createdLocal.plus({ days: rand.int(1, 8) }).toISODate() as string;
          const record = { id: 0, staff: person.id, customer, behaviour };
          const n = ++serial;
          event(createdAt, `round ${n} by ${person.id}`, async () => {
            const result = await startRound({
              rounds: roundsRepo,
              directory: listener.directory,
              clock: userClock,
              staffUserId: person.id,
              staffTimeZone: person.zone,
              sourceViewId: `VROUND${n}`,
              draft: {
                customerUserId: customer,
                customerName: customer ? null : `Outside reader ${n}`,
                previousService: null,
                newService: `Service ${n}`,
                segment: 'core',
                unit: person.unit,
                selfScore: String(rand.int(5, 9)),
                selfNote: null,
                interviewOn,
              },
            });
            if (!result.ok) throw new Error(`round ${n} refused: ${JSON.stringify(result.errors)}`);
            record.id = result.round.id;
          });
          startedRounds.push(record);
          const answerAfterHours =
            behaviour === 'answers_soon'
              ? rand.int(2, 70)
              : behaviour === 'answers_after_nudge'
                ? rand.int(5 * 24, 7 * 24)
                : behaviour === 'outside_recorded'
                  ? rand.int(9 * 24, 10 * 24)
                  : undefined;
          if (answerAfterHours !== undefined) {
            const answeredAt = new Date(
              createdAt.getTime() + answerAfterHours * 3_600_000 + rand.int(0, 3599) * 1000,
            );
            if (answeredAt.getTime() < END.getTime() - DAY_MS)
              event(answeredAt, `answer to round ${n}`, async () => {
                const result = await recordResponse({
                  rounds: roundsRepo,
                  clock: userClock,
                  roundId: record.id,
                  userId: customer ?? person.id,
                  sourceViewId: `VANSWER${n}`,
                  draft: {
                    answers: answers(`Round ${n}`),
                    customerScore: String(rand.int(3, 9)),
                    shareWithManager: false,
                    customerAgreed: true,
                  },
                });
                if (!result.ok)
                  throw new Error(`answer to round ${n} refused: ${JSON.stringify(result.errors)}`);
              });
          }
        }
      }

      const planIds = new Map<string, number>();
      for (const plan of PLANS) {
        const zone = zoneOf.get(plan.staff) as string;
        const writtenAt = localInstant(plan.writtenLocal, zone);
        event(new Date(writtenAt.getTime() - 20 * 60_000), `plan for ${plan.staff} opened`, async () => {
          const said = await openPlan(planDeps, {
            callerId: plan.opener,
            place: { kind: 'private_channel', channelId: `CPLANS${plan.staff.slice(1)}` },
            staffUserId: plan.staff,
            now: userClock.now(),
          });
          if (!said.ok) throw new Error(`plan refused: ${planWords(said.code, said.values)}`);
          const [opened] = await planDeps.plans.openPlansFor(plan.staff);
          if (!opened) throw new Error('no plan opened');
          planIds.set(plan.staff, opened.id);
        });
        event(writtenAt, `plan for ${plan.staff} written`, async () => {
          const written = await writePlan(planDeps, {
            planId: planIds.get(plan.staff) as number,
            userId: plan.staff,
            sourceViewId: `VPLAN${plan.staff}`,
            draft: {
              strengths: 'Knows the catalogue.',
              improvements: 'Answers late.',
              steps: 'Answer the same day\nSay when it will take longer',
              successMeasure: 'Customers say so.',
              checkinEvery: String(plan.checkinEvery),
              remeasureOn: plan.remeasureOn,
              share: false,
            },
            now: userClock.now(),
          });
          if (!written.ok) throw new Error(`plan not written: ${JSON.stringify(written.errors)}`);
          if (written.created) await announcePlanWritten(planDeps, written);
        });
      }

      const mutedFrom = localInstant(MUTE.atLocal, zoneOf.get(MUTE.user) as string);
      const mutedUntil = new Date(mutedFrom.getTime() + MUTE.days * DAY_MS);
      event(mutedFrom, `${MUTE.user} mutes`, async () => {
        await muteReminders(reminderDeps, { userId: MUTE.user, days: MUTE.days, now: userClock.now() });
      });
      events.sort((a, b) => a.at.getTime() - b.at.getTime());

      // ---- ticks --------------------------------------------------------------------------------
      const ticks = planTicks(rand);
      for (const [from, to] of DST_HOURS)
        expect(ticks.filter((at) => at.getTime() >= from && at.getTime() < to).length).toBeGreaterThan(0);
      /**
       * A tick that could have sent something due at `due` but was not the one that did (it went out at
       * `done`): every copy's clock was past `due` on it (and what people did at `due` was done), and,
       * for a reminder, inside the recipient's working hours. Undefined when nothing was missed.
       */
      const missedTick = (due: Date, done: Date, zone?: string) =>
        ticks.find(
          (at) =>
            at.getTime() - Math.max(MAX_SKEW_MS, EVENT_LEAD_MS) >= due.getTime() &&
            at.getTime() + MAX_SKEW_MS < done.getTime() &&
            (zone === undefined ||
              (inWorkingHours(new Date(at.getTime() - MAX_SKEW_MS), zone) &&
                inWorkingHours(new Date(at.getTime() + MAX_SKEW_MS), zone))),
        );

      const tickMs: number[] = [];
      let skewedTicks = 0;
      let nextEvent = 0;
      const ticksStarted = performance.now();
      for (const at of ticks) {
        // People act a minute or more before the tick that follows them, whatever the copies' clocks say.
        while (
          nextEvent < events.length &&
          (events[nextEvent] as (typeof events)[number]).at.getTime() <= at.getTime() - EVENT_LEAD_MS
        ) {
          const due = events[nextEvent++] as (typeof events)[number];
          userClock.set(due.at);
          await due.run().catch((error: unknown) => {
            throw new Error(`${due.label} at ${due.at.toISOString()}: ${String(error)}`, { cause: error });
          });
        }
        const skewed = at !== END && rand.next() < 0.3;
        if (skewed) skewedTicks++;
        const order = rand.shuffle(copies);
        const times = await Promise.all(
          order.map((copy) =>
            copy.tick(skewed ? new Date(at.getTime() + rand.int(-MAX_SKEW_MS, MAX_SKEW_MS)) : at),
          ),
        );
        tickMs.push(...times);
      }
      const tickingMs = performance.now() - ticksStarted;
      expect(nextEvent, 'every scripted event happened').toBe(events.length);
      await Promise.all(copies.map((copy) => copy.stop()));

      // ---- what arrived -------------------------------------------------------------------------
      // Everything found wrong is listed, the figures printed, and only then the test fails.
      const lost: string[] = [];
      const problems: string[] = [];
      const copyPosts = standIn.callsTo('chat.postMessage').filter((call) => call.token === COPY_TOKEN);
      for (const call of copyPosts)
        if (call.reply?.body.ok !== true) problems.push(`a post failed: ${call.reply?.body.error}`);
      // The copies post nothing but reminders and digests (no "could not post" notices either).
      for (const call of copyPosts)
        if (
          call.args.metadata?.event_type !== REMINDER_EVENT_TYPE &&
          call.args.metadata?.event_type !== DIGEST_EVENT_TYPE
        )
          problems.push(`a post without reminder or digest metadata: ${call.args.text}`);
      /** Radar key (message metadata) -> the posts Slack accepted with it. */
      const postsByKey = new Map<string, RecordedCall[]>();
      for (const call of copyPosts) {
        if (call.reply?.body.ok !== true) continue;
        const key = keyOf(call) as string;
        postsByKey.set(key, [...(postsByKey.get(key) ?? []), call]);
      }
      const duplicates = [...postsByKey].filter(([, calls]) => calls.length > 1).map(([key]) => key);

      // ---- reminders ----------------------------------------------------------------------------
      const rows: Reminder[] = await db.select().from(reminders);
      const allRounds = await db.select().from(rounds);
      const roundById = new Map(allRounds.map((round) => [round.id, round]));
      const byState = (state: Reminder['state']) => rows.filter((row) => row.state === state);
      for (const row of byState('sending')) lost.push(`${row.dedupeKey} left claimed by ${row.claimedBy}`);
      for (const row of byState('failed')) lost.push(`${row.dedupeKey} failed: ${row.lastError}`);
      for (const row of byState('pending'))
        if (row.dueAt.getTime() <= END.getTime())
          lost.push(`${row.dedupeKey} still pending, due ${row.dueAt.toISOString()}`);
      for (const row of byState('sent')) {
        const calls = postsByKey.get(`reminder:${row.id}`) ?? [];
        if (calls.length === 0) lost.push(`${row.dedupeKey} marked sent, never posted`);
        else if (calls[0]?.reply?.body.ts !== row.messageTs)
          problems.push(`${row.dedupeKey}: recorded ts ${row.messageTs}, posted ${calls[0]?.reply?.body.ts}`);
      }
      for (const row of byState('cancelled')) {
        if (postsByKey.has(`reminder:${row.id}`)) problems.push(`${row.dedupeKey} cancelled but posted`);
        // Cancelled because its round closed: no tick before that could have sent it.
        const round = row.roundId ? roundById.get(row.roundId) : undefined;
        const closed = round?.completedAt ?? round?.closedAt;
        const missed = closed && missedTick(row.dueAt, closed, zoneOf.get(row.recipientUserId) ?? LON);
        if (missed)
          lost.push(
            `${row.dedupeKey} due ${row.dueAt.toISOString()}, not sent at ${missed.toISOString()}, cancelled at ${closed.toISOString()}`,
          );
      }
      const ids = new Set(rows.map((row) => `reminder:${row.id}`));
      const orphans = [...postsByKey.keys()].filter((key) => key.startsWith('reminder:') && !ids.has(key));
      for (const key of orphans) problems.push(`${key} posted, but there is no such reminder`);

      // Each round got what docs/how-it-works.md promises it, once.
      const keys = new Map(rows.map((row) => [row.dedupeKey, row]));
      for (const record of startedRounds) {
        const round = roundById.get(record.id);
        if (!round) {
          problems.push(`round by ${record.staff} never started`);
          continue;
        }
        const want = [`interview_due:${round.id}`];
        if (round.customerUserId)
          want.push(
            `customer_request:${round.id}`,
            `customer_nudge:${round.id}:1`,
            `customer_nudge:${round.id}:2`,
          );
        if (round.status === 'completed') want.push(`round_result:${round.id}`);
        if (round.status === 'expired') want.push(`round_expired:${round.id}`);
        for (const key of want) if (!keys.has(key)) problems.push(`${key} never scheduled`);
        if (record.behaviour === 'never' && round.createdAt.getTime() + 25 * DAY_MS < END.getTime()) {
          if (round.status !== 'expired') problems.push(`round ${round.id} is ${round.status}, not expired`);
          if (keys.get(`round_expired:${round.id}`)?.state !== 'sent')
            problems.push(`round_expired:${round.id} not sent`);
        }
      }
      /**
       * Whether a reminder meant for `expected` is due then, or was put off as it should be: when no
       * tick came between `expected` and the end of that working day, the copy that claimed it after
       * hours set it to the start of the next working day.
       */
      const dueAsExpected = (row: Reminder, expected: DateTime, zone: string) =>
        row.dueAt.getTime() === expected.toMillis() ||
        (row.dueAt.getTime() > expected.toMillis() &&
          !missedTick(expected.toJSDate(), row.dueAt, zone) &&
          local(row.dueAt, zone).toFormat('HH:mm:ss.SSS') === '09:00:00.000');
      // Due on the right local day and hour, across the clock changes: the interview reminder at the
      // start of working hours on the interview day (or the next working day), each nudge that many
      // calendar days after the request at the same wall-clock time (then into working hours), in the
      // recipient's zone. The muted staff member's are put off, so only theirs are left out.
      for (const row of rows) {
        const round = row.roundId ? roundById.get(row.roundId) : undefined;
        const zone = zoneOf.get(row.recipientUserId) ?? LON;
        if (!round || row.recipientUserId === MUTE.user) continue;
        let due: DateTime | undefined;
        if (row.kind === 'interview_due')
          due = nextWorkingLocal(DateTime.fromISO(round.interviewOn, { zone }).startOf('day'));
        if (row.kind === 'customer_nudge') {
          const nudge = Number(row.dedupeKey.split(':')[2]);
          due = nextWorkingLocal(local(round.createdAt, zone).plus({ days: 4 * nudge }));
        }
        if (due && !dueAsExpected(row, due, zone))
          problems.push(`${row.dedupeKey} due ${local(row.dueAt, zone).toISO()}, not ${due.toISO()}`);
      }
      for (const person of STAFF.filter((candidate) => candidate.quiet)) {
        const invitations = rows.filter((row) => row.kind === 'cadence' && row.recipientUserId === person.id);
        if (invitations.length !== 1 || invitations[0]?.state !== 'sent')
          problems.push(
            `${person.id}: ${invitations.length} cadence invitations (${invitations.map((row) => row.state)})`,
          );
      }

      // Every reminder (not the messages people wait for) arrived in working hours, in its
      // recipient's own zone, at the first tick that could send it.
      const anyTime = new Set<Reminder['kind']>(['customer_request', 'round_result']);
      for (const row of byState('sent')) {
        const zone = zoneOf.get(row.recipientUserId) ?? LON;
        const sentAt = row.sentAt as Date;
        if (!anyTime.has(row.kind) && !inWorkingHours(sentAt, zone))
          problems.push(`${row.dedupeKey} sent ${local(sentAt, zone).toISO()}, outside working hours`);
        const missed = missedTick(row.dueAt, sentAt, anyTime.has(row.kind) ? undefined : zone);
        if (sentAt < row.dueAt || missed)
          problems.push(
            `${row.dedupeKey} due ${row.dueAt.toISOString()}, sent ${sentAt.toISOString()}, not at ${missed?.toISOString()}`,
          );
        if (
          row.recipientUserId === MUTE.user &&
          !anyTime.has(row.kind) &&
          sentAt >= mutedFrom &&
          sentAt < mutedUntil
        )
          problems.push(`${row.dedupeKey} sent while ${MUTE.user} was muted`);
      }

      // ---- plans: each check-in and the re-measure once, on the cadence, at the same local time
      const plans = await db.select().from(actionPlans);
      expect(plans).toHaveLength(PLANS.length);
      let checkins = 0;
      let remeasures = 0;
      for (const plan of PLANS) {
        const zone = zoneOf.get(plan.staff) as string;
        const planId = planIds.get(plan.staff) as number;
        const written = DateTime.fromISO(plan.writtenLocal, { zone });
        const remeasureAt = DateTime.fromISO(plan.remeasureOn, { zone }).set({ hour: WORKDAY.start });
        const expected: { key: string; at: DateTime }[] = [];
        for (let n = 1; written.plus({ days: n * plan.checkinEvery }) < remeasureAt; n++)
          expected.push({
            key: `plan_checkin:${planId}:${n}`,
            at: written.plus({ days: n * plan.checkinEvery }),
          });
        expected.push({ key: `plan_remeasure:${planId}`, at: remeasureAt });
        const planRows = rows.filter((row) => row.planId === planId);
        const scheduled = planRows.map((row) => row.dedupeKey).sort();
        const wanted = expected.map((item) => item.key).sort();
        if (JSON.stringify(scheduled) !== JSON.stringify(wanted))
          problems.push(`plan ${planId} (${plan.staff}) has ${scheduled}, not ${wanted}`);
        for (const item of expected) {
          const row = keys.get(item.key);
          if (row?.state !== 'sent') {
            lost.push(`${item.key} is ${row?.state}`);
            continue;
          }
          if (!dueAsExpected(row, item.at, zone))
            problems.push(
              `${item.key} (${plan.staff}) due ${local(row.dueAt, zone).toISO()}, not ${item.at.toISO()}`,
            );
          const call = postsByKey.get(`reminder:${row.id}`)?.[0];
          if (call?.args.channel !== `CPLANS${plan.staff.slice(1)}` || !call.args.thread_ts)
            problems.push(`${item.key} not posted in the plan's thread`);
          if (row.kind === 'plan_checkin') checkins++;
          else remeasures++;
        }
      }

      // ---- digests: one per committee and week, at the local hour chosen, DST weeks included --
      const posts = await db.select().from(digestPosts);
      const committeeRows = await committeesRepo.listActive();
      const digestsPer: Record<string, unknown> = {};
      for (const committee of COMMITTEES) {
        const row = committeeRows.find((candidate) => candidate.channelId === committee.channel);
        if (!row) throw new Error(`${committee.channel} not subscribed`);
        const mine = posts.filter((post) => post.committeeId === row.id);
        const counts: Record<string, number> = {};
        for (const [key, calls] of postsByKey)
          if (key.startsWith(`digest:${row.id}:`)) counts[key.split(':')[2] as string] = calls.length;
        digestsPer[committee.channel] = {
          weeks: `${committee.weeks[0]}..${committee.weeks.at(-1)}`,
          posts: Object.values(counts).reduce((sum, n) => sum + n, 0),
          postsPerWeek: [...new Set(Object.values(counts))],
          clockChangeWeeks: Object.fromEntries(
            Object.keys(committee.dstWeeks).map((week) => [week, counts[week] ?? 0]),
          ),
        };
        const weeks = Object.keys(counts).sort();
        if (JSON.stringify(weeks) !== JSON.stringify(committee.weeks))
          problems.push(`${committee.channel} got digests for ${weeks}, not ${committee.weeks}`);
        const claims = mine.map((post) => `${post.week} ${post.state}`).sort();
        if (JSON.stringify(claims) !== JSON.stringify(committee.weeks.map((week) => `${week} posted`)))
          problems.push(`${committee.channel} has digest claims ${claims}`);
        for (const week of committee.weeks) {
          const post = mine.find((candidate) => candidate.week === week);
          const call = postsByKey.get(`digest:${row.id}:${week}`)?.[0];
          if (call?.reply?.body.ts !== post?.messageTs)
            problems.push(`${committee.channel} ${week}: ts differs`);
          const next = DateTime.fromISO(`${week}-1`, { zone: committee.timeZone }).plus({ weeks: 1 });
          const due = (
            committee.dstWeeks[week]
              ? DateTime.fromISO(committee.dstWeeks[week] as string)
              : next.set({ weekday: committee.weekday as 1, hour: committee.hour })
          ).toMillis();
          const postedAt = post?.postedAt ?? new Date(0);
          const missed = missedTick(new Date(due), postedAt);
          if (postedAt.getTime() < due || missed)
            problems.push(
              `${committee.channel} ${week} due ${new Date(due).toISOString()}, posted ${postedAt.toISOString()}, not at ${missed?.toISOString()}`,
            );
        }
        // The clock-change weeks, by name: posted, once.
        for (const week of Object.keys(committee.dstWeeks))
          if (counts[week] !== 1)
            problems.push(`${committee.channel} ${week} (clock change) posted ${counts[week] ?? 0} times`);
      }
      // At most one chart per digest, in its thread.
      const charts = standIn
        .callsTo('files.completeUploadExternal')
        .filter((call) => call.token === COPY_TOKEN);
      const chartThreads = charts.map((call) => String(call.args.thread_ts));
      if (new Set(chartThreads).size !== chartThreads.length) problems.push('a digest got two charts');

      // ---- the work was shared --------------------------------------------------------------------
      // Claims name the copy that took them (claimed_by); sent rows and digest posts keep the name.
      const copyName = new Map(copies.map((copy, index) => [copy.instanceId, `copy${index + 1}`]));
      const tally = (names: (string | null)[]) => {
        const counts: Record<string, number> = {};
        for (const name of names) {
          const key = copyName.get(name ?? '') ?? `unknown ${name}`;
          counts[key] = (counts[key] ?? 0) + 1;
        }
        return counts;
      };
      const sentBy = tally(byState('sent').map((row) => row.claimedBy));
      const digestsBy = tally(posts.map((post) => post.claimedBy));

      // No copy logged an error or a warning (a failed job, a refused post, a lost database).
      for (const copy of copies)
        for (const line of copy.output().split('\n'))
          if (/"level":(40|50|60)/.test(line))
            problems.push(`${copyName.get(copy.instanceId)} logged ${line}`);

      const sortedMs = [...tickMs].sort((a, b) => a - b);
      const figures = {
        seed,
        copies: COPIES,
        ticks: ticks.length,
        skewedTicks,
        simulated: `${START.toISOString()} .. ${END.toISOString()}`,
        rounds: allRounds.length,
        roundsByStatus: Object.fromEntries(
          ['awaiting_customer', 'completed', 'expired'].map((status) => [
            status,
            allRounds.filter((round) => round.status === status).length,
          ]),
        ),
        reminderRows: rows.length,
        remindersSent: byState('sent').length,
        sentByKind: Object.fromEntries(
          [...new Set(rows.map((row) => row.kind))].map((kind) => [
            kind,
            byState('sent').filter((row) => row.kind === kind).length,
          ]),
        ),
        cancelled: byState('cancelled').length,
        pendingAfterWindow: byState('pending').length,
        checkins,
        remeasures,
        digestsPerCommittee: digestsPer,
        charts: charts.length,
        remindersSentByCopy: sentBy,
        digestsByCopy: digestsBy,
        duplicates: duplicates.length,
        lost: lost.length,
        tickMsMedianP99: [
          sortedMs[Math.floor(sortedMs.length / 2)],
          sortedMs[Math.floor(sortedMs.length * 0.99)],
        ].map((ms) => Math.round(ms ?? 0)),
        tickingSeconds: Math.round(tickingMs / 100) / 10,
        wallSeconds: Math.round((performance.now() - wallStarted) / 100) / 10,
      };
      if (process.env.FAULT_REPORT) console.info('several copies', figures);

      expect(duplicates, 'posted more than once').toEqual([]);
      expect(lost, 'lost').toEqual([]);
      expect(problems).toEqual([]);
      // The work was shared: every copy did some, and reminders went out from more than one.
      expect(Object.keys(sentBy).filter((name) => !name.startsWith('copy'))).toEqual([]);
      expect(Object.keys(sentBy).length, 'copies that sent reminders').toBeGreaterThan(1);
      expect(new Set([...Object.keys(sentBy), ...Object.keys(digestsBy)]).size, 'copies that did work').toBe(
        COPIES,
      );
    } finally {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await standIn.close();
      await testDb?.close();
    }
  }, 300_000);
