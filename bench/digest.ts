/**
 * Digest benchmark: 200,000 completed rounds over two years, 5,000 staff in 60 units, 20 committees
 * (half all staff, half a few units, in several time zones). Seeded set-based with generate_series.
 *
 * Reports, on PostgreSQL and PGlite: the time to build one committee's digest (the all-staff one,
 * the largest) and all 20, each the median of several warm runs; the same after two more years of
 * older history are added (the cost should not grow with history); and EXPLAIN of each aggregate
 * query, to show the indexes in use.
 */
import { type SQL, sql } from 'drizzle-orm';
import { type DatabaseHandle, rowsOf } from '../src/db/client.js';
import type { Committee } from '../src/db/schema.js';
import { createRepositories } from '../src/dependencies.js';
import { fixedClock } from '../src/lib/clock.js';
import { buildDigest, CHART_WEEKS, scopeOf } from '../src/modules/digests/digests.build.js';
import { digestQueries } from '../src/modules/digests/digests.repository.js';
import { lastCompleteWeek, weekBounds, weeksEndingWith } from '../src/modules/digests/digests.weeks.js';
import { withBenchDatabase } from './engines.js';

const ROUNDS = Number(process.env.BENCH_DIGEST_ROUNDS ?? 200_000);
const STAFF = 5_000;
const UNITS = 60;
const COMMITTEES = 20;
const YEARS = 2;
/** Monday 09:00 UTC: the digests of the week just ended are due. */
const NOW = new Date('2026-11-23T09:00:00Z');
const DAY_MS = 86_400_000;
/** The library's calendar: every committee's weeks are cut here, whatever zone it posts in. */
const LIBRARY_TIME_ZONE = 'Europe/London';
const ZONES = ['Europe/London', 'America/New_York', 'America/Chicago', 'Australia/Sydney', 'UTC'];

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** Rounds completed between `from` and `to` days before NOW, with their responses. */
async function seedRounds(handle: DatabaseHandle, count: number, from: number, to: number, offset: number) {
  const { db } = handle;
  const nowIso = NOW.toISOString();
  // One statement for rounds and their responses; random() is seeded for repeatable data.
  await db.transaction(async (tx) => {
    await tx.execute(sql`select setseed(${0.42 + offset / 10_000_000})`);
    await tx.execute(sql`
      with inserted as (
        insert into rounds (staff_user_id, customer_user_id, customer_name, customer_key, service, service_key,
                            segment, unit, self_score, interview_on, status, source_view_id,
                            created_at, completed_at)
        select 'U' || lpad(s::text, 5, '0'),
               'C' || g,
               'Customer ' || g,
               'slack:C' || g,
               'Service ' || (g % 40),
               'service ' || (g % 40),
               (array['core', 'regular', 'occasional', 'should_be'])[1 + g % 4]::customer_segment,
               'Unit ' || lpad((s % ${UNITS})::text, 2, '0'),
               1 + floor(random() * 10)::int,
               (t - interval '7 days')::date,
               'completed',
               'VBENCH' || g,
               t - interval '7 days',
               t
        from generate_series(${offset + 1}::int, ${offset + count}::int) as g,
             lateral (select 1 + floor(random() * ${STAFF})::int as s,
                             ${nowIso}::timestamptz - (${from} + random() * ${to - from}) * interval '1 day' as t
                      where g > 0) as x
        returning id, self_score, customer_user_id, completed_at
      )
      insert into round_responses (round_id, customer_score, need_from_me, why_depend_on_me,
                                   not_adequately_providing, concentrate_on, no_longer_need,
                                   answered_by_user_id, recorded_on_behalf, source_view_id, created_at)
      select id,
             greatest(1, least(10, self_score - 3 + floor(random() * 6)::int)),
             'Answer', 'Answer', 'Answer', 'Answer',
             case when random() < 0.2 then 'The weekly printed list' else 'Nothing' end,
             customer_user_id, false, 'VRBENCH' || id, completed_at
      from inserted`);
  });
}

/** The 200,000-round data set, also what the backup case backs up. */
export async function seedDigestDataSet(handle: DatabaseHandle): Promise<Committee[]> {
  const { db } = handle;
  await db.execute(
    sql`truncate table digest_posts, committees, round_responses, rounds, staff_profiles restart identity cascade`,
  );
  await db.execute(sql`
    insert into staff_profiles (user_id, unit)
    select 'U' || lpad(s::text, 5, '0'), 'Unit ' || lpad((s % ${UNITS})::text, 2, '0')
    from generate_series(1, ${STAFF}) as s`);
  await seedRounds(handle, ROUNDS, 0, YEARS * 365, 0);
  // Follow-ups: some rounds still awaiting (last month) and some expired (over the two years).
  await db.execute(sql`
    insert into rounds (staff_user_id, customer_name, customer_key, service, service_key, segment, unit,
                        self_score, interview_on, status, source_view_id, created_at, closed_at)
    select 'U' || lpad((1 + g % ${STAFF})::text, 5, '0'), 'Patron ' || g, 'name:patron ' || g,
           'Loans', 'loans', 'core', 'Unit ' || lpad(((1 + g % ${STAFF}) % ${UNITS})::text, 2, '0'), 7,
           '2026-11-01', case when g % 3 = 0 then 'awaiting_customer' else 'expired' end::round_status,
           'VOPEN' || g,
           ${NOW.toISOString()}::timestamptz - (g % 700) * interval '1 day',
           case when g % 3 = 0 then null
                else ${NOW.toISOString()}::timestamptz - (g % 700) * interval '1 day' + interval '21 days' end
    from generate_series(1, 6000) as g`);
  const committees = createRepositories(db).committees;
  const saved: Committee[] = [];
  for (let index = 0; index < COMMITTEES; index++) {
    const units =
      index < COMMITTEES / 2
        ? []
        : Array.from(
            { length: 3 + (index % 8) },
            (_, k) => `unit ${String((index * 7 + k * 5) % UNITS).padStart(2, '0')}`,
          );
    const { committee } = await committees.save(
      `CBENCH${index}`,
      {
        units,
        weekday: 1,
        hour: 9,
        timeZone: ZONES[index % ZONES.length] as string,
        minGroupSize: 3 + (index % 3),
        showIndividuals: index % 4 === 0,
      },
      { userId: 'UADMIN', now: new Date(NOW.getTime() - 400 * DAY_MS) },
    );
    saved.push(committee);
  }
  await db.execute(sql`analyze`);
  return saved;
}

async function timeDigests(handle: DatabaseHandle, committees: Committee[]) {
  const digests = createRepositories(handle.db).digests;
  const clock = fixedClock(NOW);
  const build = (committee: Committee) =>
    buildDigest({
      digests,
      committee,
      week: lastCompleteWeek(NOW, LIBRARY_TIME_ZONE),
      clock,
      libraryTimeZone: LIBRARY_TIME_ZONE,
    });
  const first = committees[0] as Committee;
  for (let i = 0; i < 3; i++) await build(first); // warm caches and plans
  const one: number[] = [];
  for (let i = 0; i < 15; i++) {
    const started = performance.now();
    await build(first);
    one.push(performance.now() - started);
  }
  const all: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    for (const committee of committees) await build(committee);
    all.push(performance.now() - started);
  }
  const sample = await build(first);
  return {
    oneDigestMs: round(median(one)),
    oneDigestMaxMs: round(Math.max(...one)),
    all20DigestsMs: round(median(all)),
    roundsInWeek: sample.headline.rounds,
    unitsShown: sample.units.length,
  };
}

/** EXPLAIN (ANALYZE) of each aggregate query, for the all-staff committee and a units committee. */
async function explain(handle: DatabaseHandle, committees: Committee[]) {
  const plans: Record<string, string[]> = {};
  for (const committee of [committees[0], committees[COMMITTEES - 1]] as Committee[]) {
    const week = lastCompleteWeek(NOW, LIBRARY_TIME_ZONE);
    const weeks = weeksEndingWith(week, CHART_WEEKS);
    const bounds = [
      ...weeks.map((w) => weekBounds(w, LIBRARY_TIME_ZONE).start),
      weekBounds(week, LIBRARY_TIME_ZONE).end,
    ];
    const { start, end } = weekBounds(week, LIBRARY_TIME_ZONE);
    const scope = scopeOf(committee);
    const label = committee.units.length === 0 ? 'all staff' : `${committee.units.length} units`;
    const queries: [string, SQL][] = [
      ['atoms: week x unit (12 weeks)', digestQueries.atoms(scope, bounds)],
      ['people (1 week)', digestQueries.people(scope, start, end)],
      ['follow-ups', digestQueries.followUps(scope, start, end)],
    ];
    for (const [name, query] of queries) {
      const result = await handle.db.execute(sql`explain (analyze, costs off, timing off) ${query}`);
      const rows = rowsOf<Record<string, string>>(result);
      plans[`${label}: ${name}`] = rows.map((row) => Object.values(row)[0] as string);
    }
  }
  return plans;
}

const usesIndexes = (plans: Record<string, string[]>) =>
  Object.fromEntries(
    Object.entries(plans).map(([name, lines]) => [
      name,
      {
        indexes: [
          ...new Set(
            lines.flatMap(
              (line) =>
                /(?:Index|Index Only|Bitmap Index) Scan (?:using|on) (\S+)/.exec(line)?.slice(1) ?? [],
            ),
          ),
        ],
        seqScanOnRounds: lines.some((line) => /Seq Scan on rounds/.test(line)),
      },
    ]),
  );

async function onEngine(engine: 'postgres' | 'pglite') {
  return withBenchDatabase(engine, 'digest', async (handle) => {
    let started = performance.now();
    const committees = await seedDigestDataSet(handle);
    const seedSeconds = round((performance.now() - started) / 1000);
    const twoYears = await timeDigests(handle, committees);
    const plans = await explain(handle, committees);
    // Two more years of older history: the digest's cost should stay the same.
    started = performance.now();
    await seedRounds(handle, ROUNDS, YEARS * 365, 2 * YEARS * 365, ROUNDS);
    await handle.db.execute(sql`analyze`);
    const moreSeedSeconds = round((performance.now() - started) / 1000);
    const fourYears = await timeDigests(handle, committees);
    return {
      seedSeconds,
      twoYearsOfHistory: twoYears,
      fourYearsOfHistory: { ...fourYears, seedSeconds: moreSeedSeconds },
      indexUse: usesIndexes(plans),
      explain: plans,
    };
  });
}

/** The digest case of `npm run bench`. */
export async function runDigestBenchmark(engines: ('postgres' | 'pglite')[] = ['postgres', 'pglite']) {
  const results: Record<string, unknown> = {
    rounds: ROUNDS,
    years: YEARS,
    staff: STAFF,
    units: UNITS,
    committees: COMMITTEES,
    targetOneDigestMsOnPostgres: 100,
  };
  for (const engine of engines) {
    process.stderr.write(`digest benchmark on ${engine}...\n`);
    results[engine] = await onEngine(engine);
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const engines = (process.argv[2]?.split(',') ?? ['postgres', 'pglite']) as ('postgres' | 'pglite')[];
  runDigestBenchmark(engines).then((results) =>
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`),
  );
}
