/**
 * Erasure benchmark: 200,000 completed rounds over four years (half of them past a 730-day
 * retention), 5,000 staff, each with a customer in Slack. Reports, on PostgreSQL and PGlite: the
 * retention job's first day (two years to erase, a week per run: how many runs, the longest), its
 * daily run when nothing is due (what every day costs), a week's worth a week later, and `people forget` of one staff member with
 * about 40 rounds, as a dry run and for real.
 */
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../src/db/client.js';
import { createRepositories } from '../src/dependencies.js';
import { forgetPerson, runRetention } from '../src/modules/erasure/erasure.usecases.js';
import { withBenchDatabase } from './engines.js';

const ROUNDS = Number(process.env.BENCH_RETENTION_ROUNDS ?? 200_000);
const STAFF = 5_000;
const NOW = new Date('2026-11-23T09:00:00Z');
const DAY_MS = 86_400_000;
const round = (value: number) => Number(value.toFixed(1));

async function seed({ db }: DatabaseHandle) {
  await db.execute(sql`
    insert into staff_profiles (user_id, unit)
    select 'U' || lpad(s::text, 5, '0'), 'Unit ' || (s % 60) from generate_series(1, ${STAFF}) as s`);
  await db.execute(sql`select setseed(0.42)`);
  await db.execute(sql`
    with inserted as (
      insert into rounds (staff_user_id, customer_user_id, customer_name, customer_key, service, service_key,
                          segment, unit, self_score, self_note, interview_on, status, source_view_id,
                          created_at, completed_at)
      select 'U' || lpad((1 + g % ${STAFF})::text, 5, '0'), 'C' || (g % 20000), 'Customer ' || (g % 20000),
             'slack:C' || (g % 20000), 'Service', 'service', 'core', 'Unit ' || ((1 + g % ${STAFF}) % 60),
             1 + g % 10, 'A note', '2024-01-01', 'completed', 'VB' || g,
             t - interval '7 days', t
      from generate_series(1, ${ROUNDS}) as g,
           lateral (select ${NOW.toISOString()}::timestamptz - (g::float8 / ${ROUNDS}) * 1460 * interval '1 day' as t
                    where g > 0) as x
      returning id, self_score, customer_user_id, completed_at
    )
    insert into round_responses (round_id, customer_score, need_from_me, why_depend_on_me, not_adequately_providing,
                                 concentrate_on, no_longer_need, additional_comments, answered_by_user_id,
                                 recorded_on_behalf, source_view_id, created_at)
    select id, self_score, 'Answer', 'Answer', 'Answer', 'Answer', 'The printed list', 'Thanks',
           customer_user_id, false, 'VR' || id, completed_at
    from inserted`);
  await db.execute(sql`analyze`);
}

async function time<T>(run: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await run();
  return [round(performance.now() - started), result];
}

async function onEngine(engine: 'postgres' | 'pglite') {
  return withBenchDatabase(engine, 'retention', async (handle) => {
    const [seedMs] = await time(() => seed(handle));
    const erasure = createRepositories(handle.db).erasure;
    const settings = { days: 730, weekZone: 'UTC' };
    // The first day: a week per run (a tick), until nothing past retention is left.
    const catchUp: number[] = [];
    for (let tick = 0; ; tick++) {
      const [ms, result] = await time(() =>
        runRetention({ erasure, settings }, new Date(NOW.getTime() + tick * 60_000)),
      );
      catchUp.push(ms);
      if (!result.remaining) break;
    }
    const erased = await handle.db.execute(
      sql`select count(*)::int as n from rounds where erased_at is not null`,
    );
    // Every later day, with nothing due: what retention costs each day.
    const daily: number[] = [];
    for (let day = 1; day <= 5; day++)
      daily.push(
        (await time(() => runRetention({ erasure, settings }, new Date(NOW.getTime() + day * 3_600_000))))[0],
      );
    const [weekLaterMs] = await time(() =>
      runRetention({ erasure, settings }, new Date(NOW.getTime() + 7 * DAY_MS)),
    );
    const clock = { now: () => NOW };
    const [dryRunMs, dry] = await time(() =>
      forgetPerson({ erasure, clock, userId: 'U00042', requestedBy: 'bench', dryRun: true }),
    );
    const [forgetMs] = await time(() =>
      forgetPerson({ erasure, clock, userId: 'U00042', requestedBy: 'bench', dryRun: false }),
    );
    return {
      seedSeconds: round(seedMs / 1000),
      firstDay: {
        runs: catchUp.length,
        totalMs: round(catchUp.reduce((sum, ms) => sum + ms, 0)),
        longestRunMs: Math.max(...catchUp),
        roundsErased: (Array.isArray(erased) ? erased : (erased as { rows: { n: number }[] }).rows)[0]?.n,
      },
      dailyRunNothingDueMs: daily.sort((a, b) => a - b)[2],
      weekLaterMs,
      forgetOneStaffMember: { rounds: dry.changed.rounds, dryRunMs, forgetMs },
    };
  });
}

export async function runRetentionBenchmark(engines: ('postgres' | 'pglite')[] = ['postgres', 'pglite']) {
  const results: Record<string, unknown> = { rounds: ROUNDS, staff: STAFF, retentionDays: 730 };
  for (const engine of engines) {
    process.stderr.write(`retention benchmark on ${engine}...\n`);
    results[engine] = await onEngine(engine);
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const engines = (process.argv[2]?.split(',') ?? ['postgres', 'pglite']) as ('postgres' | 'pglite')[];
  runRetentionBenchmark(engines).then((results) =>
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`),
  );
}
