/**
 * Start-up benchmark: the compiled app (`dist/main.js`, what `npm start` runs) started on a database
 * that already holds data, timed from the process's start to its first healthy `/healthz`, and its
 * resident memory 5 s later, at rest. On PostgreSQL and on an embedded folder, each started 5 times
 * (the first start of the folder, which creates the database, is reported on its own).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_SIGNING_SECRET } from '../test/helpers/slack-requests.js';
import { type Engine, withEmptyPostgresDatabase } from './engines.js';
import { startScriptNodeFlags } from './start-flags.js';

const STARTS = 5;
const root = new URL('..', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round1 = (n: number) => Math.round(n * 10) / 10;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function startOnce(env: Record<string, string>, port: number) {
  const started = performance.now();
  const child = spawn(process.execPath, [...startScriptNodeFlags(), 'dist/main.js'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      SLACK_BOT_TOKEN: 'xoxb-bench-start',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      // Nothing answers there: the start-up token check gives up at once, as a blocked network would.
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}`);
      const healthy = await fetch(`http://127.0.0.1:${port}/healthz`)
        .then((response) => response.ok)
        .catch(() => false);
      if (healthy) break;
      await sleep(20);
    }
    const toHealthyMs = performance.now() - started;
    await sleep(5_000);
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { toHealthyMs, rssMiB: rssKiB / 1024 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function series(engine: Engine, env: Record<string, string>) {
  const runs: { toHealthyMs: number; rssMiB: number }[] = [];
  for (let i = 0; i < STARTS; i++) runs.push(await startOnce(env, 3900 + i));
  const first = engine === 'pglite' ? runs.shift() : undefined;
  return {
    ...(first
      ? { firstStart: { toHealthyMs: Math.round(first.toHealthyMs), rssIdleMiB: round1(first.rssMiB) } }
      : {}),
    toHealthyMs: {
      median: Math.round(median(runs.map((run) => run.toHealthyMs))),
      max: Math.round(Math.max(...runs.map((run) => run.toHealthyMs))),
    },
    rssIdleMiB: { median: round1(median(runs.map((run) => run.rssMiB))) },
  };
}

/** The start case of `npm run bench`. */
export async function runStartBenchmark() {
  const targets = { postgresMs: 2_000, pgliteMs: 4_000, pgliteRssIdleMiB: 250 };
  // A first start migrates the database; the starts measured open it as it is then.
  const postgres = await withEmptyPostgresDatabase('start', async (url) => {
    await startOnce({ DATABASE_URL: url }, 3899);
    return series('postgres', { DATABASE_URL: url });
  });
  const dir = await mkdtemp(join(tmpdir(), 'service-radar-bench-start-'));
  try {
    const pglite = await series('pglite', { PGLITE_DIR: join(dir, 'data') });
    return { targets, postgres, pglite };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
