import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  currentProcessRecord,
  DatabaseInUseError,
  type LockRecord,
  lockPgliteDir,
  processStartTicks,
} from '../../src/db/pglite-lock.js';

/**
 * The embedded database's lock file: refused while a live process holds it, taken over when its
 * holder is gone (dead, rebooted away, or its pid reused), one winner when several start together.
 */
const root = new URL('../..', import.meta.url).pathname;
let base: string;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'service-radar-lock-'));
});
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

let folders = 0;
async function freshFolder(): Promise<string> {
  dir = join(base, `folder-${++folders}`);
  await mkdir(dir);
  return dir;
}

/** A test-helper process (test/helpers/folder-holder.ts), with its output as it arrives. */
function holder(...args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/folder-holder.ts', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const said = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (output.includes(text)) resolve();
        else if (child.exitCode !== null) reject(new Error(`exited before saying ${text}:\n${output}`));
        else setTimeout(check, 25);
      };
      check();
    });
  return { child, exited, said, output: () => output };
}

/** A process that is alive for the test and runs no Service Radar code. */
function bystander(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid as number;
  await new Promise((resolve) => child.once('exit', resolve));
  return pid;
}

async function recordFor(pid: number, changes: Partial<LockRecord> = {}): Promise<LockRecord> {
  const own = await currentProcessRecord();
  return { ...own, pid, startedAt: await processStartTicks(pid), ...changes };
}

async function writeLock(name: string, content: string | LockRecord): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

async function lockFiles(): Promise<Record<string, string>> {
  const names = (await readdir(dir)).filter((name) => name.startsWith('service-radar.lock')).sort();
  return Object.fromEntries(
    await Promise.all(names.map(async (name) => [name, await readFile(join(dir, name), 'utf8')])),
  );
}

async function refusal(): Promise<DatabaseInUseError> {
  const error = await lockPgliteDir(dir).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DatabaseInUseError);
  return error as DatabaseInUseError;
}

/** Takes the lock and checks the folder then holds exactly one lock file, naming this process. */
async function takesOver(): Promise<void> {
  const release = await lockPgliteDir(dir);
  const files = await lockFiles();
  expect(Object.keys(files)).toHaveLength(1);
  expect(JSON.parse(Object.values(files)[0] as string)).toMatchObject({
    pid: process.pid,
    hostname: hostname(),
  });
  await release();
}

function report(label: string, figures: Record<string, unknown>) {
  if (process.env.FAULT_REPORT) console.info('database lock', label, figures);
}

describe('the embedded database lock', () => {
  it('refuses while a live process holds it, naming the lock file, the holder and how to clear it', async () => {
    await freshFolder();
    const other = holder('lock', dir);
    await other.said('locked');
    const before = await lockFiles();
    const [lockFile] = Object.keys(before);
    const path = join(dir, lockFile as string);
    const error = await refusal();
    expect(error.code).toBe('service_radar_database_in_use');
    expect(error.lockFile).toBe(path);
    expect(error.message).toContain(`in use by process ${other.child.pid}`);
    expect(error.message).toContain(
      `If no Service Radar process is running on this machine, delete ${path}.`,
    );
    expect(await lockFiles()).toEqual(before);
    report('held by a live process', { sent: 'second lock', answered: error.code, lost: 'nothing' });
  });

  it('takes over a lock whose process is no longer alive', async () => {
    await freshFolder();
    await writeLock('service-radar.lock.1', await recordFor(await deadPid(), { startedAt: 12345 }));
    await takesOver();
  });

  it('takes over a lock whose pid now belongs to a process that started at another time', async () => {
    await freshFolder();
    const live = bystander();
    const record = await recordFor(live.pid as number);
    expect(record.startedAt).not.toBeNull();
    // The same record with the pid's real start time is that process's: refused.
    await writeLock('service-radar.lock.1', record);
    expect((await refusal()).pid).toBe(live.pid);
    // Recorded with another start time, the pid was reused after the holder died.
    await writeLock('service-radar.lock.1', { ...record, startedAt: (record.startedAt as number) - 1 });
    await takesOver();
    // And the vitest parent (alive, but not who wrote the lock) the same way.
    await writeLock('service-radar.lock.1', await recordFor(process.ppid, { startedAt: 1 }));
    await takesOver();
  });

  it('takes over a lock written before the machine restarted (another boot id)', async () => {
    await freshFolder();
    const record = await recordFor(process.ppid);
    expect(record.bootId).toMatch(/^[0-9a-f-]{36}$/);
    await writeLock('service-radar.lock.1', { ...record, bootId: '00000000-0000-4000-8000-000000000000' });
    await takesOver();
  });

  it('refuses a lock taken on another machine, naming that machine', async () => {
    await freshFolder();
    const path = await writeLock('service-radar.lock.4', await recordFor(1, { hostname: 'other-host' }));
    const error = await refusal();
    expect(error.message).toContain('in use by process 1 on other-host');
    expect(error.message).toContain(
      `If no Service Radar process is using this folder on other-host, delete ${path}.`,
    );
  });

  it('reads the plain pid earlier versions wrote: refused while that process may hold it, taken over when the pid was reused', async () => {
    await freshFolder();
    // A released numbered lock beside it does not matter: an earlier version knows only its own file.
    await (await lockPgliteDir(dir))();
    const path = await writeLock('service-radar.lock', String(process.ppid));
    expect((await refusal()).message).toContain(`in use by process ${process.ppid}`);
    expect((await refusal()).message).toContain(`delete ${path}`);
    // A process that started two minutes after the file was written cannot have written it.
    const live = bystander();
    await writeLock('service-radar.lock', String(live.pid));
    const written = new Date(Date.now() - 120_000);
    await utimes(path, written, written);
    await takesOver();
    await writeLock('service-radar.lock', String(await deadPid()));
    await takesOver();
  });

  it('refuses an unreadable lock file written since boot, and takes over one from before it', async () => {
    await freshFolder();
    const path = await writeLock('service-radar.lock.2', 'not a lock\u0000');
    const error = await refusal();
    expect(error.pid).toBeUndefined();
    expect(error.message).toContain(`its lock file ${path} cannot be read`);
    expect(error.message).toContain(
      `If no Service Radar process is running on this machine, delete ${path}.`,
    );
    const longAgo = new Date('2001-01-01T00:00:00Z');
    await utimes(path, longAgo, longAgo);
    await takesOver();
  });

  it('release marks the lock released; the next holder takes the next number and removes the old one', async () => {
    await freshFolder();
    const release = await lockPgliteDir(dir);
    const [first] = Object.keys(await lockFiles());
    expect(first).toBe('service-radar.lock.1');
    await release();
    expect(JSON.parse((await lockFiles())['service-radar.lock.1'] as string)).toMatchObject({
      pid: process.pid,
      releasedAt: expect.any(String),
    });
    const again = await lockPgliteDir(dir);
    expect(Object.keys(await lockFiles())).toEqual(['service-radar.lock.2']);
    // A lock file that is no longer this process's (deleted and rewritten by hand) is left alone.
    await writeLock('service-radar.lock.2', 'written by hand');
    await again();
    expect(await lockFiles()).toEqual({ 'service-radar.lock.2': 'written by hand' });
  });

  it('two takers in one process over a stale lock: exactly one wins', async () => {
    await freshFolder();
    await writeLock('service-radar.lock.1', await recordFor(await deadPid(), { startedAt: 1 }));
    const results = await Promise.allSettled([lockPgliteDir(dir), lockPgliteDir(dir), lockPgliteDir(dir)]);
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const result of results)
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(DatabaseInUseError);
    expect(Object.keys(await lockFiles())).toEqual(['service-radar.lock.2']);
    await (won[0] as PromiseFulfilledResult<() => Promise<void>>).value();
  });

  it('four processes starting at the same moment over a stale lock: exactly one wins, each time', async () => {
    const tally: { won: number; refused: number }[] = [];
    for (let round = 0; round < 3; round++) {
      await freshFolder();
      await writeLock('service-radar.lock.1', await recordFor(await deadPid(), { startedAt: 1 }));
      // The processes need about a second to load; they all try at the same instant after that.
      const startAt = String(Date.now() + 2_500);
      const takers = Array.from({ length: 4 }, () => holder('race', dir, startAt));
      expect(await Promise.all(takers.map((taker) => taker.exited))).toEqual([0, 0, 0, 0]);
      const answers = takers.map(
        (taker) => JSON.parse(taker.output().trim()) as { won?: true; refused?: string; late: boolean },
      );
      // A process that loaded after the start only meets a held lock; at least two must race.
      expect(answers.filter((answer) => !answer.late).length).toBeGreaterThanOrEqual(2);
      tally.push({
        won: answers.filter((answer) => answer.won).length,
        refused: answers.filter((answer) => answer.refused === 'service_radar_database_in_use').length,
      });
    }
    expect(tally).toEqual([
      { won: 1, refused: 3 },
      { won: 1, refused: 3 },
      { won: 1, refused: 3 },
    ]);
    report('four takers over a stale lock', {
      sent: '3 rounds x 4 processes',
      answered: tally,
      lost: 'nothing',
    });
  }, 60_000);
});
