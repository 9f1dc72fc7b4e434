/**
 * `npm run bench`: runs every benchmark case (or those named: `npm run bench -- digest`) and writes
 * their figures to bench/results.json, keeping the figures of cases not run this time.
 *
 * PostgreSQL cases use BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local server
 * (postgres://postgres@127.0.0.1:5432/postgres); each creates and drops its own database.
 */
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { runAckBenchmark } from './ack.js';
import { runBackupBenchmark } from './backup.js';
import { runDigestBenchmark } from './digest.js';
import { runRemindersBenchmark } from './reminders.js';
import { runRetentionBenchmark } from './retention.js';
import { runStartBenchmark } from './start.js';

interface BenchCase {
  name: string;
  run(): Promise<unknown>;
}

/** Every case, in the order they run. */
const cases: BenchCase[] = [
  { name: 'ack', run: () => runAckBenchmark() },
  { name: 'reminders', run: () => runRemindersBenchmark() },
  { name: 'digest', run: () => runDigestBenchmark() },
  { name: 'retention', run: () => runRetentionBenchmark() },
  { name: 'backup', run: () => runBackupBenchmark() },
  { name: 'start', run: () => runStartBenchmark() },
];

const RESULTS = new URL('./results.json', import.meta.url);

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !cases.some((c) => c.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `Unknown case(s): ${unknown.join(', ')}. Cases: ${cases.map((c) => c.name).join(', ')}\n`,
    );
    process.exitCode = 2;
    return;
  }
  // The app runs in the benchmark as `npm start` runs it: the compiled dist/, rebuilt if the sources changed.
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], {
    cwd: new URL('..', import.meta.url).pathname,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('the build failed');
  let results: Record<string, unknown> = {};
  try {
    results = JSON.parse(await readFile(RESULTS, 'utf8')) as Record<string, unknown>;
  } catch {
    // first run
  }
  results.machine = {
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
  for (const benchCase of cases.filter((c) => wanted.length === 0 || wanted.includes(c.name))) {
    process.stderr.write(`== ${benchCase.name}\n`);
    const started = performance.now();
    const figures = await benchCase.run();
    results[benchCase.name] = {
      ranAt: new Date().toISOString(),
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      ...(figures as object),
    };
    await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  }
  process.stderr.write(`Figures written to ${RESULTS.pathname}\n`);
}

await main();
