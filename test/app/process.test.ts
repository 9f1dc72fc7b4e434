import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { count } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { rounds } from '../../src/db/schema.js';
import { createTestDatabase, databaseKinds } from '../helpers/database.js';
import { exited, startAppProcess } from '../helpers/fault-process.js';
import { postToSlackEvents, roundFormSubmission, TEST_SIGNING_SECRET } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * The app as operators run it: `npm start`'s entry point in its own process, configured only through
 * the environment. These tests check start-up, configuration errors and graceful shutdown.
 */

/** Every process these tests start, so a failing test cannot leave one running. */
const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startProcess(env: Record<string, string>, options?: { cwd?: string }) {
  const app = startAppProcess(env, options);
  started.push(app.child);
  return app;
}

const root = new URL('../..', import.meta.url).pathname;

/** A complete configuration, as a developer's .env would hold it. */
function envFile(folder: string): string {
  return [
    'SLACK_BOT_TOKEN=xoxb-from-dotenv',
    `SLACK_SIGNING_SECRET=${TEST_SIGNING_SECRET}`,
    `SLACK_API_URL=${standIn.url}`,
    'PORT=0',
    'LOG_LEVEL=info',
    `PGLITE_DIR=${join(folder, 'data')}`,
    '',
  ].join('\n');
}

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
  standIn.addUser({ id: 'UCUST', name: 'casey', real_name: 'Casey' });
});
afterAll(() => standIn.close());

describe('the app process', () => {
  it('refuses to start without configuration, naming what is missing', async () => {
    const { child, output } = startProcess({ PGLITE_DIR: join(tmpdir(), 'never-created') });
    expect(await exited(child)).toBe(78);
    expect(output()).toContain('SLACK_BOT_TOKEN is required');
    expect(output()).toContain('SLACK_SIGNING_SECRET is required in HTTP mode');
  });

  it('reads only its environment, never a .env file in the folder it runs from', async () => {
    // A developer who followed the README has a complete .env; the entry point (what tests and
    // supervisors start) must not pick it up, only `npm start` and `npm run cli` do.
    const folder = await mkdtemp(join(tmpdir(), 'service-radar-dotenv-'));
    try {
      await writeFile(join(folder, '.env'), envFile(folder));
      const { child, output } = startProcess({}, { cwd: folder });
      expect(await exited(child)).toBe(78);
      expect(output()).toContain('SLACK_BOT_TOKEN is required');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  /** Waits until no process of the group is left (SIGKILL after 15 s). */
  async function groupGone(pgid: number): Promise<void> {
    const alive = () => {
      try {
        process.kill(-pgid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 15_000;
    while (alive()) {
      if (Date.now() > deadline) {
        process.kill(-pgid, 'SIGKILL');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('`npm start` reads .env, as the README says', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'service-radar-dotenv-'));
    // npm runs its scripts from the project folder; dotenv's own variable points it at this file.
    await writeFile(join(folder, '.env'), envFile(folder));
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DOTENV_CONFIG_PATH: join(folder, '.env'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // npm, its shell and the app form one group, stopped together below
    });
    started.push(npm);
    let output = '';
    npm.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    npm.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setInterval(() => {
          const match = /"port":(\d+)[^\n]*service radar is running/.exec(output);
          if (match) resolve(Number(match[1]));
        }, 50);
        npm.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
        npm.once('exit', () => clearInterval(timer));
        setTimeout(() => clearInterval(timer), 25_000);
      });
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      if (npm.pid) process.kill(-npm.pid, 'SIGTERM');
      await exited(npm);
      // npm may exit before the app it started has closed its database: wait for the whole group.
      if (npm.pid) await groupGone(npm.pid);
      await rm(folder, { recursive: true, force: true });
    }
  });

  for (const kind of databaseKinds()) {
    it(`[${kind}] finishes every acknowledged submission on SIGTERM, exits promptly and leaves no session`, async () => {
      const testDb = kind === 'postgres' ? await createTestDatabase('postgres') : undefined;
      const dir = kind === 'pglite' ? await mkdtemp(join(tmpdir(), 'service-radar-proc-')) : undefined;
      // The test's own pool would show up among the app's sessions: only the app may connect.
      await testDb?.handle.close();
      try {
        const { child, port } = startProcess({
          SLACK_BOT_TOKEN: 'xoxb-process-test',
          SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
          SLACK_API_URL: standIn.url,
          PORT: '0',
          LOG_LEVEL: 'info',
          ...(testDb?.url ? { DATABASE_URL: testDb.url } : { PGLITE_DIR: dir as string }),
        });
        const baseUrl = `http://127.0.0.1:${await port}`;
        expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);

        // Slack is slow to answer users.info, so submissions are still in flight when SIGTERM lands.
        standIn.on('users.info', async () => {
          await new Promise((resolve) => setTimeout(resolve, 400));
          return undefined;
        });
        const interviewOn = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
        const submissions = Array.from({ length: 20 }, (_, i) =>
          postToSlackEvents(
            baseUrl,
            TEST_SIGNING_SECRET,
            roundFormSubmission({
              userId: `USTAFF${i}`,
              viewId: `VPROCESS${i}`,
              answers: { customerUserId: 'UCUST', service: `Service ${i}`, interviewOn },
            }),
          ).catch((error: unknown) => ({ status: 0, error })),
        );
        await standIn.waitForCall('users.info');
        const stoppedAt = Date.now();
        child.kill('SIGTERM');
        const results = await Promise.all(submissions);
        expect(await exited(child)).toBe(0);
        expect(Date.now() - stoppedAt).toBeLessThan(10_000);

        const acknowledged = results.filter(
          (result) => result.status === 200 && 'body' in result && result.body === '',
        );
        expect(acknowledged.length).toBeGreaterThan(0);
        if (testDb?.url) {
          const client = postgres(testDb.url, { max: 1, connection: { application_name: 'process-test' } });
          const [stored] = await client`select count(*)::int as n from rounds`;
          const sessions =
            await client`select count(*)::int as n from pg_stat_activity where application_name like 'service-radar%' and datname = current_database()`;
          await client.end();
          expect(stored?.n).toBe(acknowledged.length);
          expect(sessions[0]?.n).toBe(0);
        } else {
          const check = await openDatabase({ pglite: await PGlite.create(dir as string) });
          const [{ n }] = (await check.db.select({ n: count() }).from(rounds)) as [{ n: number }];
          await check.close();
          expect(n).toBe(acknowledged.length);
        }
      } finally {
        standIn.reset();
        await testDb?.close();
        if (dir) await rm(dir, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
