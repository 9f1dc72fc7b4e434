/**
 * Reminders benchmark: 10,000 due reminders for 10,000 people, delivered by the real delivery code
 * (claims, checks, sends through a real WebClient over HTTP to the Slack stand-in, records).
 *
 * Run 1: a stand-in that never limits. Reports reminders per second and database time per reminder.
 * Run 2: a stand-in that answers 429 + Retry-After above a set rate. Reports delivered, duplicates
 *        (must be 0) and the total time against the rate's floor (count / rate).
 *
 * Time zones are cached for everyone (as after their first message), so the figures measure the
 * queue, not 10,000 users.info calls.
 */
import { WebClient } from '@slack/web-api';
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../src/db/client.js';
import { fixedClock } from '../src/lib/clock.js';
import { createLogger } from '../src/logger.js';
import { createPeopleDirectory } from '../src/modules/people/people.directory.js';
import { createPeopleRepository } from '../src/modules/people/people.repository.js';
import { createRemindersRepository } from '../src/modules/reminders/reminders.repository.js';
import {
  deliverDue,
  REMINDER_EVENT_TYPE,
  type ReminderDeps,
} from '../src/modules/reminders/reminders.usecases.js';
import { createRoundsRepository } from '../src/modules/rounds/rounds.repository.js';
import { createMessenger } from '../src/slack/messenger.js';
import { createSlackPersonSource } from '../src/slack/person-source.js';
import { TEST_SETTINGS } from '../test/helpers/reminders.js';
import { type SlackStandIn, startSlackStandIn } from '../test/helpers/slack-stand-in.js';
import { withBenchDatabase } from './engines.js';

const COUNT = Number(process.env.BENCH_REMINDERS ?? 10_000);
// Below what the queue manages unlimited, so the limit, not our own speed, sets the floor.
const LIMIT_PER_SECOND = Number(process.env.BENCH_REMINDER_RATE ?? 200);
// A Tuesday, 10:00 in London: everyone's working hours.
const NOW = new Date('2026-11-24T10:00:00Z');

/** Wraps every method of a repository to add up the time spent waiting on the database. */
function timed<T extends object>(repository: T, total: { ms: number }): T {
  const wrapped = {} as T;
  for (const [name, fn] of Object.entries(repository)) {
    (wrapped as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const started = performance.now();
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      } finally {
        total.ms += performance.now() - started;
      }
    };
  }
  return wrapped;
}

async function seed(handle: DatabaseHandle): Promise<void> {
  const { db } = handle;
  await db.execute(
    sql`truncate table reminders, round_responses, rounds, staff_profiles, slack_users, person_settings restart identity cascade`,
  );
  await db.execute(sql`
    insert into staff_profiles (user_id, unit)
    select 'UB' || g, 'Unit ' || (g % 60) from generate_series(1, ${COUNT}) g`);
  await db.execute(sql`
    insert into slack_users (user_id, name, is_bot, deleted, tz, fetched_at)
    select 'UB' || g, 'Staff ' || g, false, false, 'Europe/London', ${NOW.toISOString()}::timestamptz
    from generate_series(1, ${COUNT}) g`);
  await db.execute(sql`
    insert into rounds (staff_user_id, customer_name, customer_key, service, service_key, segment, unit,
                        self_score, interview_on, source_view_id, created_at)
    select 'UB' || g, 'Patron ' || g, 'name:patron ' || g, 'Loans', 'loans', 'core', 'Unit ' || (g % 60),
           7, '2026-11-24', 'VBENCH' || g, ${NOW.toISOString()}::timestamptz - interval '3 days'
    from generate_series(1, ${COUNT}) g`);
  await db.execute(sql`
    insert into reminders (kind, round_id, recipient_user_id, due_at, dedupe_key)
    select 'interview_due', id, staff_user_id, ${NOW.toISOString()}::timestamptz - interval '1 minute', 'interview_due:' || id
    from rounds`);
}

function depsFor(handle: DatabaseHandle, standIn: SlackStandIn, dbTime: { ms: number }): ReminderDeps {
  const clock = fixedClock(NOW);
  const client = new WebClient('xoxb-bench', {
    slackApiUrl: standIn.url,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: 10_000,
  });
  const logger = createLogger('silent');
  const people = timed(createPeopleRepository({ db: handle.db }), dbTime);
  return {
    reminders: timed(createRemindersRepository({ db: handle.db }), dbTime),
    rounds: timed(createRoundsRepository({ db: handle.db }), dbTime),
    people,
    directory: createPeopleDirectory({ source: createSlackPersonSource(client), people, clock }),
    messenger: createMessenger({ client, logger }),
    logger,
    instanceId: 'bench',
    settings: { ...TEST_SETTINGS, tickBudgetMs: 600_000 },
  };
}

function deliveries(standIn: SlackStandIn) {
  const counts = new Map<string, number>();
  for (const call of standIn.callsTo('chat.postMessage')) {
    if (call.reply?.body.ok !== true || call.args.metadata?.event_type !== REMINDER_EVENT_TYPE) continue;
    const key = String(call.args.metadata.event_payload.radar_key);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { delivered: counts.size, duplicates: [...counts.values()].reduce((sum, n) => sum + (n - 1), 0) };
}

async function runOnce(handle: DatabaseHandle, standIn: SlackStandIn, limited: boolean) {
  await seed(handle);
  standIn.reset();
  let rateLimited = 0;
  if (limited) {
    // A token bucket at LIMIT_PER_SECOND, refilled continuously; over it, 429 with Retry-After: 1.
    let tokens = LIMIT_PER_SECOND;
    let refilled = Date.now();
    standIn.on('chat.postMessage', () => {
      const now = Date.now();
      tokens = Math.min(LIMIT_PER_SECOND, tokens + ((now - refilled) / 1000) * LIMIT_PER_SECOND);
      refilled = now;
      if (tokens >= 1) {
        tokens -= 1;
        return undefined;
      }
      rateLimited++;
      return { status: 429, headers: { 'Retry-After': '1' } };
    });
  }
  const dbTime = { ms: 0 };
  const deps = depsFor(handle, standIn, dbTime);
  const started = performance.now();
  let sent = 0;
  for (let tick = 0; tick < 20 && sent < COUNT; tick++) sent += (await deliverDue(deps, NOW)).sent;
  const seconds = (performance.now() - started) / 1000;
  const { delivered, duplicates } = deliveries(standIn);
  return limited
    ? {
        rate: LIMIT_PER_SECOND,
        delivered,
        duplicates,
        answered429: rateLimited,
        seconds: round(seconds),
        floorSeconds: round(COUNT / LIMIT_PER_SECOND),
        overFloor: round(seconds / (COUNT / LIMIT_PER_SECOND)),
      }
    : {
        delivered,
        duplicates,
        seconds: round(seconds),
        remindersPerSecond: round(delivered / seconds),
        dbMsPerReminder: round(dbTime.ms / Math.max(1, delivered), 3),
      };
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

async function onEngine(name: 'postgres' | 'pglite', standIn: SlackStandIn) {
  return withBenchDatabase(name, 'reminders', async (handle) => {
    const unlimited = await runOnce(handle, standIn, false);
    const limited = await runOnce(handle, standIn, true);
    return { unlimited, limited };
  });
}

/** The reminders case of `npm run bench`. */
export async function runRemindersBenchmark(engines: ('postgres' | 'pglite')[] = ['postgres', 'pglite']) {
  const standIn = await startSlackStandIn();
  try {
    const results: Record<string, unknown> = {
      reminders: COUNT,
      people: COUNT,
      batchSize: TEST_SETTINGS.batchSize,
      concurrency: TEST_SETTINGS.concurrency,
    };
    for (const engine of engines) {
      process.stderr.write(`reminders benchmark on ${engine}...\n`);
      results[engine] = await onEngine(engine, standIn);
    }
    return results;
  } finally {
    await standIn.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runRemindersBenchmark().then((results) => process.stdout.write(`${JSON.stringify(results, null, 2)}\n`));
}
