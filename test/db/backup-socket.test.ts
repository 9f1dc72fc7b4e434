import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type BackupSummary, tableSummaries, verifyBackup } from '../../src/db/backup.js';
import {
  BACKUP_SOCKET,
  type BackupRequest,
  type BackupSocket,
  requestBackupFromRunningApp,
  serveBackupRequests,
} from '../../src/db/backup-socket.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { seedRound } from '../helpers/digests.js';

/**
 * The embedded database's backup socket: the running app writes the backup `db backup` asks for,
 * on a socket only the folder's owner can open, and refuses whatever else arrives on it.
 */
let database: TestDatabase;
let dir: string;
let socket: BackupSocket | undefined;
const written: { summary: BackupSummary; request: BackupRequest }[] = [];
const errors: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase('pglite');
  for (let i = 0; i < 30; i++)
    await seedRound(database.handle.db, {
      staff: `U${i % 5}`,
      unit: 'Reference',
      self: 1 + (i % 10),
      customer: 1 + ((i * 7) % 10),
      completedAt: new Date(Date.UTC(2026, 9, 1 + i, 12)),
    });
}, 60_000);
afterAll(() => database.close());

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-socket-'));
  written.length = 0;
  errors.length = 0;
});
afterEach(async () => {
  await socket?.close();
  socket = undefined;
  await rm(dir, { recursive: true, force: true });
});

const serve = async () => {
  socket = await serveBackupRequests({
    dir,
    db: database.handle.db,
    engine: 'pglite',
    onBackup: async (summary, request) => {
      written.push({ summary, request });
    },
    onError: (code) => errors.push(code),
  });
  if (!socket) throw new Error('no socket');
  return socket;
};

/** Sends raw bytes on the socket, as anything on the machine could, and returns what comes back. */
const raw = (path: string, bytes: string) =>
  new Promise<string>((resolve, reject) => {
    const connection = createConnection(path);
    let received = '';
    connection.setEncoding('utf8');
    connection.on('data', (chunk: string) => {
      received += chunk;
    });
    connection.on('close', () => resolve(received));
    connection.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve(received) : reject(error),
    );
    connection.write(bytes);
  });

describe('the backup socket', () => {
  it('writes the backup asked for, in the serving process, owner-only, and says what it holds', async () => {
    const { path } = await serve();
    expect(path).toBe(join(dir, BACKUP_SOCKET));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const file = join(dir, 'asked.backup');
    const summary = await requestBackupFromRunningApp(dir, { file, actor: 'cli:ana' });
    expect(summary?.tables.rounds?.rows).toBe(30);
    // The file is the app's usual backup: complete, and equal to the database table by table.
    const verified = await verifyBackup(file);
    expect(verified.tables).toEqual(summary?.tables);
    expect(verified.tables).toEqual(await tableSummaries(database.handle.db));
    expect(written).toEqual([{ summary, request: { file, actor: 'cli:ana' } }]);
  });

  it('refuses what is not a backup request, and goes on serving', async () => {
    const { path } = await serve();
    for (const bytes of [
      'hello\n',
      '{"file":"relative.backup","actor":"cli:ana"}\n',
      `{"file":"${join(dir, 'x.backup')}","actor":"U0SLACKUSER"}\n`,
      `{"file":"${join(dir, 'x.backup')}"}\n`,
      '[1,2,3]\n',
    ]) {
      const answer = JSON.parse(await raw(path, bytes));
      expect(answer).toEqual({ ok: false, error: expect.any(String) });
    }
    // Too long without an end of line: refused, not buffered without end.
    const flood = await raw(path, 'x'.repeat(64 * 1024));
    expect(flood === '' || JSON.parse(flood).ok === false).toBe(true);
    expect(written).toEqual([]);
    await expect(stat(join(dir, 'x.backup'))).rejects.toThrow();
    // What reaches the log is a code, never the bytes that were sent.
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors)).toEqual(new Set(['backup_refused']));
    // Then a real request still works.
    const file = join(dir, 'after.backup');
    expect((await requestBackupFromRunningApp(dir, { file, actor: 'cli:ana' }))?.tables.rounds?.rows).toBe(
      30,
    );
  });

  it('says why when it cannot write the file, and the caller hears it', async () => {
    await serve();
    const request = { file: join(dir, 'no-such-folder', 'radar.backup'), actor: 'cli:ana' };
    await expect(requestBackupFromRunningApp(dir, request)).rejects.toThrow(
      /the running app could not write the backup: .*no-such-folder/,
    );
    expect(errors).toEqual(['ENOENT']);
    expect(written).toEqual([]);
  });

  it('answers nothing when no app listens: the caller keeps its own error', async () => {
    expect(await requestBackupFromRunningApp(dir, { file: join(dir, 'a.backup'), actor: 'cli:ana' })).toBe(
      undefined,
    );
    // A file left where the socket would be (a crash) is no app either, and is replaced by the next.
    await writeFile(join(dir, BACKUP_SOCKET), 'left behind');
    expect(await requestBackupFromRunningApp(dir, { file: join(dir, 'a.backup'), actor: 'cli:ana' })).toBe(
      undefined,
    );
    const { path } = await serve();
    expect((await stat(path)).isSocket()).toBe(true);
  });

  it('is gone once closed, and has no socket for a folder path too long for one', async () => {
    const { path } = await serve();
    await socket?.close();
    socket = undefined;
    await expect(stat(path)).rejects.toThrow();
    const deep = join(dir, 'd'.repeat(120));
    expect(
      await serveBackupRequests({
        dir: deep,
        db: database.handle.db,
        engine: 'pglite',
        onBackup: async () => {},
        onError: () => {},
      }),
    ).toBe(undefined);
  });
});
