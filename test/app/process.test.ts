import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { count } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { rounds } from '../../src/db/schema.js';
import { createTestDatabase, databaseKinds } from '../helpers/database.js';
import { type AppEntry, exited, startAppProcess, startScriptArguments } from '../helpers/fault-process.js';
import { postToSlackEvents, roundFormSubmission, TEST_SIGNING_SECRET } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * The app as operators run it: `npm start`'s command line (the compiled dist/main.js) in its own
 * process, configured only through the environment. These tests check start-up, configuration
 * errors, the files the compiled app reads beside itself, and graceful shutdown.
 */

/** Every process these tests start, so a failing test cannot leave one running. */
const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startProcess(env: Record<string, string>, options?: { cwd?: string; entry?: AppEntry }) {
  const app = startAppProcess(env, options);
  started.push(app.child);
  return app;
}

const root = new URL('../..', import.meta.url).pathname;

/** The exit code, once the process has exited and its output pipes have closed (all it wrote is read). */
function closed(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null && child.stdout?.closed !== false && child.stderr?.closed !== false)
    return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('close', (code) => resolve(code)));
}

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
    const { child, output } = startProcess(
      { PGLITE_DIR: join(tmpdir(), 'never-created') },
      { entry: 'start-script' },
    );
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
      const { child, output } = startProcess({}, { cwd: folder, entry: 'compiled' });
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

  it('`npm start` reads .env, as the README says, and stops cleanly on SIGTERM', async () => {
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
    // The app writes into the same pipes as npm: once both close, everything the app said is here.
    const pipesClosed = Promise.all(
      [npm.stdout, npm.stderr].map((pipe) => new Promise((resolve) => pipe?.once('close', resolve))),
    );
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
    await pipesClosed;
    expect(output).toContain('"signal":"SIGTERM"');
    expect(output).toMatch(/"msg":"stopped"/);
    expect(output).not.toMatch(/shutdown failed|could not start/);
  });

  it('`npm start` runs the compiled app, not the TypeScript sources', () => {
    const args = startScriptArguments();
    expect(args.at(-1)).toBe('dist/main.js');
    expect(args.join(' ')).not.toMatch(/tsx|\.ts\b/);
  });

  it('the compiled app finds the files it reads beside it: templates, stylesheet, words, migrations', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'service-radar-dist-'));
    try {
      const { child, port, output } = startProcess(
        {
          SLACK_BOT_TOKEN: 'xoxb-process-test',
          SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
          SLACK_API_URL: standIn.url,
          PORT: '0',
          LOG_LEVEL: 'info',
          PGLITE_DIR: join(dir, 'data'),
          PUBLIC_URL: 'http://radar.test',
          LINK_SECRET: 'k'.repeat(64),
        },
        { entry: 'start-script' },
      );
      const baseUrl = `http://127.0.0.1:${await port}`;
      // The migrations (drizzle/) ran: the app answers only once its database is ready.
      expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
      const css = await fetch(`${baseUrl}/assets/patron.css`);
      expect(css.status).toBe(200);
      expect(Buffer.from(await css.arrayBuffer())).toEqual(
        await readFile(join(root, 'src/web/assets/patron.css')),
      );
      // A walk-up link nobody made: the refusal page, from the Eta templates and locales/en.
      const english = JSON.parse(await readFile(join(root, 'locales/en/patron.json'), 'utf8')) as {
        refusal: { unknownTitle: string };
      };
      const page = await fetch(`${baseUrl}/s/nobody-made-this-link`);
      expect(page.status).toBe(404);
      const html = await page.text();
      expect(html).toMatch(/^<!doctype html>/i);
      expect(html).toContain(english.refusal.unknownTitle);
      child.kill('SIGTERM');
      expect(await closed(child)).toBe(0);
      expect(output()).toMatch(/"msg":"stopped"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('`npm run cli` runs the compiled CLI, also through a symlinked install folder', async () => {
    const { scripts } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
      scripts: { cli: string };
    };
    const [command, ...args] = scripts.cli.trim().split(/\s+/);
    expect(command).toBe('node');
    expect(args.at(-1)).toBe('dist/cli.js');
    const folder = await mkdtemp(join(tmpdir(), 'service-radar-link-'));
    try {
      // An install reached through a symlink (/srv/radar -> /opt/radar-2026-12): node runs the
      // script's real path, and the CLI must still know it is the program and run.
      await symlink(root, join(folder, 'radar'));
      const cli = spawn(
        process.execPath,
        [...args.slice(0, -1), join(folder, 'radar', 'dist/cli.js'), '--help'],
        {
          cwd: join(folder, 'radar'),
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            DOTENV_CONFIG_PATH: '/dev/null',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      started.push(cli);
      let output = '';
      cli.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      cli.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      expect(await closed(cli)).toBe(0);
      expect(output).toContain('Usage: service-radar');
    } finally {
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
        const { child, port } = startProcess(
          {
            SLACK_BOT_TOKEN: 'xoxb-process-test',
            SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
            SLACK_API_URL: standIn.url,
            PORT: '0',
            LOG_LEVEL: 'info',
            ...(testDb?.url ? { DATABASE_URL: testDb.url } : { PGLITE_DIR: dir as string }),
          },
          { entry: 'start-script' },
        );
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
