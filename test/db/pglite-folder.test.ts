import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BACKUP_SOCKET } from '../../src/db/backup-socket.js';
import { rowsOf } from '../../src/db/client.js';
import { DatabaseFolderDamagedError, inspectPgliteFolder } from '../../src/db/pglite-folder.js';
import { DatabaseInUseError } from '../../src/db/pglite-lock.js';
import { crc32c } from '../../src/lib/crc32c.js';
import { createRoundsRepository } from '../../src/modules/rounds/rounds.repository.js';
import { openMigratedDatabase } from '../../src/service.js';
import { exited, startAppProcess } from '../helpers/fault-process.js';
import { TEST_SIGNING_SECRET } from '../helpers/slack-requests.js';

/**
 * A folder PGlite would take for a new database (no PG_VERSION) or could not open (a damaged
 * control file, a missing WAL file) is refused before PGlite sees it, with a message naming the
 * folder, what is wrong and what to do, and left byte for byte as it was. Healthy folders, also
 * one left by a killed process, open with their rows; missing and empty folders start afresh.
 */
const root = new URL('../..', import.meta.url).pathname;
let base: string;
let template: string;
const children: ChildProcess[] = [];

const configFor = (dir: string) => ({ PGLITE_DIR: dir, DATABASE_URL: undefined, DATABASE_POOL_SIZE: 1 });

async function roundCount(dir: string): Promise<number> {
  const database = await openMigratedDatabase(configFor(dir));
  try {
    const result = await database.db.execute(sql`select count(*)::int as n from rounds`);
    return rowsOf<{ n: number }>(result)[0]?.n ?? -1;
  } finally {
    await database.close();
  }
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'service-radar-folder-'));
  // One migrated folder, made as the app makes it, with a round in it; each case copies it.
  template = join(base, 'template');
  const database = await openMigratedDatabase(configFor(template));
  await createRoundsRepository({ db: database.db }).createRound({
    staffUserId: 'UKEEP',
    customerUserId: null,
    customerName: 'Casey',
    customerKey: 'name:casey',
    service: 'Loans',
    serviceKey: 'loans',
    segment: 'core',
    unit: 'Reference',
    selfScore: 8,
    interviewOn: '2026-12-01',
    sourceViewId: 'VKEEP',
    createdAt: new Date('2026-11-01T10:00:00Z'),
  });
  // A second WAL file, so pg_wal holds the checkpoint's file and one that is not.
  await database.db.execute(sql`select pg_switch_wal()`);
  await database.db.execute(sql`checkpoint`);
  await database.close();
}, 60_000);
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

let copies = 0;
async function copyOfTemplate(): Promise<string> {
  const dir = join(base, `copy-${++copies}`);
  await cp(template, dir, { recursive: true });
  return dir;
}

/** Every entry under `dir` with a hash of each file's bytes: any created, removed or changed file shows. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    entries[path.slice(dir.length + 1)] = entry.isDirectory()
      ? 'folder'
      : createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
  }
  return entries;
}

const lockFilesIn = (entries: Record<string, string>) =>
  Object.keys(entries).filter((path) => path.startsWith('service-radar.lock'));

/** openMigratedDatabase refuses the folder with the typed error, naming it and the fix, and changes nothing. */
async function expectRefused(dir: string, label: string): Promise<DatabaseFolderDamagedError> {
  const before = await snapshot(dir);
  const error = await openMigratedDatabase(configFor(dir)).then(
    async (database) => {
      await database.close();
      return undefined;
    },
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DatabaseFolderDamagedError);
  const refused = error as DatabaseFolderDamagedError;
  expect(refused.code).toBe('service_radar_database_damaged');
  expect(refused.message).toContain(`The embedded database folder ${dir} cannot be opened safely`);
  expect(refused.message).toContain('Service Radar has changed nothing in it.');
  expect(refused.message).toContain(
    'Restore the folder from your backup, or point PGLITE_DIR at an empty folder to start afresh.',
  );
  const after = await snapshot(dir);
  expect(after).toEqual(before);
  expect(lockFilesIn(after)).toEqual(lockFilesIn(before));
  if (process.env.FAULT_REPORT)
    console.info('damaged folder', label, {
      sent: refused.problems,
      answered: refused.code,
      lost: `${Object.keys(after).length} entries, none changed`,
    });
  return refused;
}

describe('CRC-32C', () => {
  it('matches the standard check value and PostgreSQL’s own control file', async () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    const control = await readFile(join(template, 'global', 'pg_control'));
    expect(control.readUInt32LE(8)).toBe(1800); // PGlite 0.5: PostgreSQL 18's layout, crc at 292
    expect(crc32c(control.subarray(0, 292))).toBe(control.readUInt32LE(292));
  });
});

describe('a damaged embedded-database folder is refused and left as it was', () => {
  it('a folder without PG_VERSION (a partial restore) is not initialised over', async () => {
    const dir = await copyOfTemplate();
    await rm(join(dir, 'PG_VERSION'));
    const error = await expectRefused(dir, 'no PG_VERSION');
    expect(error.problems).toEqual(['it has no PG_VERSION file']);
  });

  it('a folder of unrelated files (the wrong PGLITE_DIR) gets no database and no lock file', async () => {
    const dir = join(base, 'photos');
    await mkdir(dir);
    await writeFile(join(dir, 'holiday.jpg'), randomBytes(4096));
    await writeFile(join(dir, 'notes.txt'), 'shopping: bread, milk\n');
    const error = await expectRefused(dir, 'unrelated files');
    expect(error.message).toContain(
      'it has no PG_VERSION file; it holds files that are not part of a database: holiday.jpg, notes.txt.',
    );
    expect(await readdir(dir)).toEqual(['holiday.jpg', 'notes.txt']);
  });

  it('a database folder with a file that does not belong in one is refused, naming the file', async () => {
    const dir = await copyOfTemplate();
    await writeFile(join(dir, 'rounds-export.csv'), 'id,score\n1,8\n');
    const error = await expectRefused(dir, 'foreign file');
    expect(error.problems).toEqual(['it holds files that are not part of a database: rounds-export.csv']);
  });

  it('a control file with one byte changed fails its checksum', async () => {
    const dir = await copyOfTemplate();
    const path = join(dir, 'global', 'pg_control');
    const bytes = await readFile(path);
    bytes[33] = (bytes[33] as number) ^ 0x01; // inside the last checkpoint's position
    await writeFile(path, bytes);
    const error = await expectRefused(dir, 'pg_control byte flipped');
    expect(error.problems).toEqual(['its control file global/pg_control is damaged (checksum mismatch)']);
  });

  it('an emptied write-ahead log is refused', async () => {
    const dir = await copyOfTemplate();
    for (const name of await readdir(join(dir, 'pg_wal')))
      if (/^[0-9A-F]{24}$/.test(name)) await rm(join(dir, 'pg_wal', name));
    const error = await expectRefused(dir, 'pg_wal emptied');
    expect(error.problems).toEqual([
      'its write-ahead log (pg_wal) holds no segment files, so no checkpoint record',
    ]);
  });

  it('a write-ahead log without the file holding the last checkpoint is refused, naming that file', async () => {
    const dir = await copyOfTemplate();
    for (const name of await readdir(join(dir, 'pg_wal')))
      if (/^[0-9A-F]{24}$/.test(name)) await rm(join(dir, 'pg_wal', name));
    // A whole segment file is there, but not the one pg_control points to.
    await writeFile(join(dir, 'pg_wal', '0000000100000000000000F0'), Buffer.alloc(16 * 1024 * 1024));
    const error = await expectRefused(dir, 'checkpoint segment missing');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(
      /^its write-ahead log \(pg_wal\) lacks 00000001000000000000000[0-9A-E], the file holding the last checkpoint record$/,
    );
  });

  it('write-ahead log files cut short are refused, naming the one the checkpoint needs', async () => {
    const dir = await copyOfTemplate();
    for (const name of await readdir(join(dir, 'pg_wal')))
      if (/^[0-9A-F]{24}$/.test(name)) await truncate(join(dir, 'pg_wal', name), 8192);
    const error = await expectRefused(dir, 'pg_wal cut short');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^its write-ahead log \(pg_wal\) holds no whole segment file \(/);
    // With a whole file beside them, the one holding the checkpoint is named.
    await writeFile(join(dir, 'pg_wal', '0000000100000000000000F0'), Buffer.alloc(16 * 1024 * 1024));
    const named = await expectRefused(dir, 'checkpoint segment cut short');
    expect(named.problems).toHaveLength(1);
    expect(named.problems[0]).toMatch(
      /^its write-ahead log file pg_wal\/00000001000000000000000[0-9A-E], which holds the last checkpoint record, is cut short \(8192 bytes, not 16 MB\)$/,
    );
  });

  it('a copy that left out the empty folders is refused, naming them', async () => {
    const dir = await copyOfTemplate();
    for (const name of ['pg_notify', 'pg_twophase', 'pg_commit_ts', 'pg_replslot'])
      await rm(join(dir, name), { recursive: true });
    const error = await expectRefused(dir, 'empty folders left out');
    expect(error.problems).toEqual([
      'it lacks parts every database has: pg_commit_ts, pg_notify, pg_replslot, pg_twophase (some copy and sync tools leave out empty folders)',
    ]);
  });

  it('a damaged folder another process holds is reported as in use, not as damaged', async () => {
    const dir = await copyOfTemplate();
    await rm(join(dir, 'PG_VERSION'));
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/helpers/folder-holder.ts', 'lock', dir],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(holder);
    await new Promise<void>((resolve) =>
      holder.stdout?.on('data', (chunk: Buffer) => chunk.includes('locked') && resolve()),
    );
    const error = await openMigratedDatabase(configFor(dir)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(DatabaseInUseError);
    expect((error as Error).message).toContain(`in use by process ${holder.pid}`);
  });
});

describe('healthy, missing and empty folders open', () => {
  it('a freshly created, migrated and closed folder passes and keeps its round', async () => {
    expect(await inspectPgliteFolder(template)).toEqual({ state: 'database', pgVersion: 18 });
    expect(await roundCount(await copyOfTemplate())).toBe(1);
  });

  it('a backup socket left in the folder by a crash is the app’s own, not a foreign file', async () => {
    const dir = await copyOfTemplate();
    await writeFile(join(dir, BACKUP_SOCKET), '');
    expect(await inspectPgliteFolder(dir)).toEqual({ state: 'database', pgVersion: 18 });
    expect(await roundCount(dir)).toBe(1);
  });

  it('a folder left by a process killed mid-write passes, and PGlite recovers every committed round', async () => {
    const dir = await copyOfTemplate();
    const writer = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/helpers/folder-holder.ts', 'database', dir],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(writer);
    await new Promise<void>((resolve, reject) => {
      writer.stdout?.on('data', (chunk: Buffer) => chunk.includes('ready') && resolve());
      writer.once('exit', (code) => reject(new Error(`writer exited with ${code}`)));
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    writer.kill('SIGKILL');
    await new Promise((resolve) => writer.once('exit', resolve));
    // Its lock file still names the dead writer: the check passes it, the lock is taken over.
    expect((await readdir(dir)).filter((name) => name.startsWith('service-radar.lock'))).toHaveLength(1);
    expect(await inspectPgliteFolder(dir)).toEqual({ state: 'database', pgVersion: 18 });
    expect(await roundCount(dir)).toBeGreaterThanOrEqual(21);
  }, 60_000);

  it('a missing folder is created and initialised', async () => {
    const dir = join(base, 'not-yet', 'data');
    expect(await inspectPgliteFolder(dir)).toEqual({ state: 'missing' });
    expect(await roundCount(dir)).toBe(0);
  });

  it('an empty folder, or one holding only a released lock file, is initialised', async () => {
    const dir = join(base, 'only-a-lock');
    await mkdir(dir);
    expect(await inspectPgliteFolder(dir)).toEqual({ state: 'empty' });
    await writeFile(
      join(dir, 'service-radar.lock.3'),
      JSON.stringify({
        pid: 1,
        startedAt: null,
        bootId: null,
        hostname: 'x',
        createdAt: '',
        releasedAt: 'x',
      }),
    );
    expect(await inspectPgliteFolder(dir)).toEqual({ state: 'empty' });
    expect(await roundCount(dir)).toBe(0);
  });
});

describe('operators see the same refusal', () => {
  it('the CLI exits non-zero with the message on stderr and leaves the folder as it was', async () => {
    const dir = await copyOfTemplate();
    await rm(join(dir, 'PG_VERSION'));
    const before = await snapshot(dir);
    const cli = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'rounds', 'list'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PGLITE_DIR: dir, DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    cli.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    cli.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `The embedded database folder ${dir} cannot be opened safely: it has no PG_VERSION file.`,
    );
    expect(stderr).toContain('Restore the folder from your backup');
    expect(await snapshot(dir)).toEqual(before);
  }, 30_000);

  it('the app exits non-zero, says why on stderr, and logs only the code and the folder', async () => {
    const dir = await copyOfTemplate();
    await rm(join(dir, 'PG_VERSION'));
    const before = await snapshot(dir);
    const app = startAppProcess({
      SLACK_BOT_TOKEN: 'xoxb-damaged-folder',
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
      PORT: '0',
      LOG_LEVEL: 'info',
      PGLITE_DIR: dir,
    });
    children.push(app.child);
    expect(await exited(app.child)).toBe(1);
    const output = app.output();
    expect(output).toContain(
      `Service Radar could not start: The embedded database folder ${dir} cannot be opened safely: it has no PG_VERSION file.`,
    );
    const logged = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'embedded database folder refused');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ code: 'service_radar_database_damaged', dir });
    expect(JSON.stringify(logged[0])).not.toContain('PG_VERSION');
    expect(await snapshot(dir)).toEqual(before);
  }, 30_000);
});
