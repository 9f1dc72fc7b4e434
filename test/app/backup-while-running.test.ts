import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, rounds } from '../../src/db/schema.js';
import { openMigratedDatabase } from '../../src/service.js';
import { runCapturedCli } from '../helpers/cli.js';
import { exited, startAppProcess } from '../helpers/fault-process.js';
import { postToSlackEvents, roundFormSubmission, TEST_SIGNING_SECRET } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * `db backup` while the app runs on the embedded database, as an operator does it: the app in its
 * own process holds the folder, the CLI asks it for the backup, rounds keep arriving meanwhile, and
 * the backup restores into a folder of its own with every round the app had acknowledged before.
 */
let dir: string;
let standIn: SlackStandIn;

const cli = (env: Record<string, string | undefined>, ...argv: string[]) =>
  runCapturedCli(argv, { LOG_LEVEL: 'silent', DATABASE_URL: undefined, ...env });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-live-backup-'));
  standIn = await startSlackStandIn();
  standIn.addUser({ id: 'UCUST', name: 'casey', tz: 'UTC' });
});
afterAll(async () => {
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
});

describe('db backup while the app runs on the embedded database', () => {
  it('is written by the running app, while it takes submissions, and restores every round acknowledged before', async () => {
    const data = join(dir, 'data');
    const app = startAppProcess({
      SLACK_BOT_TOKEN: 'xoxb-live-backup',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: standIn.url,
      PORT: '0',
      LOG_LEVEL: 'info',
      PGLITE_DIR: data,
    });
    try {
      const baseUrl = `http://127.0.0.1:${await app.port}`;
      const interviewOn = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
      const submit = (i: number) =>
        postToSlackEvents(
          baseUrl,
          TEST_SIGNING_SECRET,
          roundFormSubmission({
            userId: `USTAFF${i}`,
            viewId: `VLIVE${i}`,
            answers: { customerUserId: 'UCUST', service: `Service ${i}`, interviewOn },
          }),
        );
      const before = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(i)));
      expect(before.map((response) => [response.status, response.body])).toEqual(Array(10).fill([200, '']));

      // The CLI cannot open the folder the app holds; it asks the app, while more rounds arrive.
      const during = Promise.all(Array.from({ length: 10 }, (_, i) => submit(10 + i)));
      const file = join(dir, 'live.backup');
      const backup = await cli({ PGLITE_DIR: data }, 'db', 'backup', file);
      expect(backup).toMatchObject({ code: 0, err: '' });
      expect(backup.out).toMatch(
        /^Backup written to .*live\.backup by the running app \(process \d+\): \d+ rows/,
      );
      expect((await during).map((response) => [response.status, response.body])).toEqual(
        Array(10).fill([200, '']),
      );
      // Other commands still say the folder is in use.
      const listed = await cli({ PGLITE_DIR: data }, 'audit', 'list');
      expect(listed.code).toBe(1);
      expect(listed.err).toContain('is in use by process');
      const verify = await cli({}, 'db', 'verify', file);
      expect(verify).toMatchObject({ code: 0, err: '' });

      const restored = join(dir, 'restored');
      expect((await cli({ PGLITE_DIR: restored }, 'db', 'restore', file)).code).toBe(0);
      const copy = await openMigratedDatabase({
        PGLITE_DIR: restored,
        DATABASE_POOL_SIZE: 1,
        DATABASE_URL: undefined,
      });
      const [{ n }] = (await copy.db.select({ n: count() }).from(rounds)) as [{ n: number }];
      const kept = await copy.db.select({ viewId: rounds.sourceViewId }).from(rounds);
      await copy.close();
      expect(n).toBeGreaterThanOrEqual(10);
      expect(n).toBeLessThanOrEqual(20);
      for (let i = 0; i < 10; i++) expect(kept.map((row) => row.viewId)).toContain(`VLIVE${i}`);

      app.child.kill('SIGTERM');
      expect(await exited(app.child)).toBe(0);
      // The app recorded the backup in its own audit log, by the operator who asked.
      const source = await openMigratedDatabase({
        PGLITE_DIR: data,
        DATABASE_POOL_SIZE: 1,
        DATABASE_URL: undefined,
      });
      const entries = await source.db.select().from(auditLog).where(eq(auditLog.kind, 'backup'));
      const [{ all }] = (await source.db.select({ all: count() }).from(rounds)) as [{ all: number }];
      await source.close();
      expect(all).toBe(20);
      expect(entries).toEqual([
        expect.objectContaining({
          actor: expect.stringMatching(/^cli:./),
          subject: 'live.backup',
          detail: { engine: 'pglite', throughRunningApp: true },
        }),
      ]);
      expect(app.output()).not.toContain('a backup asked for by the CLI failed');
    } finally {
      if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
    }
  }, 90_000);
});
