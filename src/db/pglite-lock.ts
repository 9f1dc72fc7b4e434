import { open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * PGlite is one process's database: two processes opening the same folder corrupt it. The app and
 * the CLI take a lock file in the folder first and refuse, naming the file, while another live
 * process holds it.
 *
 * A lock file records who took it: pid, the process's start time (/proc/<pid>/stat, clock ticks
 * since boot), the boot id and the host name. It is stale when that process is gone: its pid is not
 * alive, the machine has restarted since (another boot id), or the pid now belongs to a process
 * that started at another time (pids are reused after a crash or a reboot).
 *
 * Taking over a stale lock must leave one winner when several processes start together, and no
 * file system call can "delete this file only if it is still the stale one". So lock files are
 * numbered generations, `service-radar.lock.<n>`, and the lock is the highest one: a stale or
 * released generation n is taken over by creating n+1 with an exclusive create (`open(path,
 * 'wx')`), which one process wins. Nobody deletes the highest file, so a taker whose verdict was
 * outdated can only create a lower number; every taker looks again after creating and steps back
 * if a higher number exists. Releasing rewrites the file as released rather than deleting it (a
 * deleted number could be created a second time); the next holder removes the lower numbers.
 */
export class DatabaseInUseError extends Error {
  readonly code = 'service_radar_database_in_use';
  readonly dir: string;
  readonly lockFile: string;
  readonly pid: number | undefined;
  constructor(dir: string, holder: LockHolder) {
    const here = holder.hostname === undefined || holder.hostname === hostname();
    const stop =
      'Stop that process first, or set DATABASE_URL to use PostgreSQL, which several processes can share.';
    super(
      holder.pid === undefined
        ? `The embedded database in ${dir} may be in use: its lock file ${holder.lockFile} cannot be read ` +
            '(Service Radar did not write it, or it was cut short). If no Service Radar process is running ' +
            `on this machine, delete ${holder.lockFile}.`
        : here
          ? `The embedded database in ${dir} is in use by process ${holder.pid}${holder.since ? ` since ${holder.since}` : ''} ` +
            `(lock file ${holder.lockFile}). ${stop} If no Service Radar process is running on this ` +
            `machine, delete ${holder.lockFile}.`
          : `The embedded database in ${dir} is in use by process ${holder.pid} on ${holder.hostname} ` +
            `(lock file ${holder.lockFile}). ${stop} If no Service Radar process is using this folder on ` +
            `${holder.hostname}, delete ${holder.lockFile}.`,
    );
    this.name = 'DatabaseInUseError';
    this.dir = dir;
    this.lockFile = holder.lockFile;
    this.pid = holder.pid;
  }
}

export interface LockHolder {
  lockFile: string;
  /** Undefined when the file cannot be read. */
  pid: number | undefined;
  hostname?: string;
  since?: string;
}

/** What a lock file holds. `startedAt` and `bootId` are null where /proc is not there (macOS). */
export interface LockRecord {
  pid: number;
  startedAt: number | null;
  bootId: string | null;
  hostname: string;
  createdAt: string;
  releasedAt?: string;
}

const LOCK_FILE = 'service-radar.lock';
/** The app's lock files, and anything it names after them; the folder check ignores them all. */
export const isLockFileName = (name: string) => name === LOCK_FILE || name.startsWith(`${LOCK_FILE}.`);
const GENERATION = /^service-radar\.lock\.(\d{1,15})$/;
const lockName = (generation: number) => `${LOCK_FILE}.${generation}`;

/** A pid that is alive, whoever owns it (EPERM: it exists, under another user). */
function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
export async function processStartTicks(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 2 is the command name in parentheses and may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isSafeInteger(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

async function bootId(): Promise<string | null> {
  const text = await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '');
  return text.trim() || null;
}

/** When the machine booted (ms since the epoch), from /proc/stat. */
async function bootTimeMs(): Promise<number | null> {
  const text = await readFile('/proc/stat', 'utf8').catch(() => '');
  const seconds = Number(/^btime (\d+)$/m.exec(text)?.[1]);
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds * 1000 : null;
}

/** USER_HZ, the unit of /proc/<pid>/stat's start time: 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;
/** Room for a wall clock corrected after boot and the whole seconds of /proc/stat's btime. */
const CLOCK_SLACK_MS = 60_000;

export async function currentProcessRecord(): Promise<LockRecord> {
  return {
    pid: process.pid,
    startedAt: await processStartTicks(process.pid),
    bootId: await bootId(),
    hostname: hostname(),
    createdAt: new Date().toISOString(),
  };
}

type Verdict =
  | { kind: 'gone' }
  | { kind: 'held'; holder: LockHolder }
  | { kind: 'free'; reason: 'released' | 'not-alive' | 'rebooted' | 'pid-reused' };

function parseRecord(text: string): LockRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockRecord>;
    if (typeof value !== 'object' || value === null || !Number.isSafeInteger(value.pid)) return undefined;
    if (typeof value.hostname !== 'string') return undefined;
    return value as LockRecord;
  } catch {
    return undefined;
  }
}

/**
 * Reads a lock file. A file seen between its exclusive create and its write is empty for a
 * moment, so one that does not parse is read again a few times before it counts as unreadable.
 */
async function readLock(path: string): Promise<{ text: string; modifiedMs: number } | undefined> {
  for (let attempt = 0; ; attempt++) {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let text: string;
    let modifiedMs: number;
    try {
      modifiedMs = (await handle.stat()).mtimeMs;
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
    if (parseRecord(text) || /^\s*\d+\s*$/.test(text) || attempt >= 10) return { text, modifiedMs };
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

async function judge(lockFile: string): Promise<Verdict> {
  const read = await readLock(lockFile);
  if (!read) return { kind: 'gone' };
  const record = parseRecord(read.text);
  if (record) {
    if (record.releasedAt) return { kind: 'free', reason: 'released' };
    const holder: LockHolder = {
      lockFile,
      pid: record.pid,
      hostname: record.hostname,
      since: record.createdAt,
    };
    // Another machine's processes cannot be seen from here (a folder on a shared disk).
    if (record.hostname !== hostname()) return { kind: 'held', holder };
    const boot = await bootId();
    if (record.bootId && boot && record.bootId !== boot) return { kind: 'free', reason: 'rebooted' };
    if (!isAlive(record.pid)) return { kind: 'free', reason: 'not-alive' };
    const startedAt = await processStartTicks(record.pid);
    if (record.startedAt !== null && startedAt !== null && startedAt !== record.startedAt)
      return { kind: 'free', reason: 'pid-reused' };
    return { kind: 'held', holder };
  }
  // Written before this boot: no process running now can have written it.
  const booted = await bootTimeMs();
  if (booted !== null && read.modifiedMs < booted - CLOCK_SLACK_MS)
    return { kind: 'free', reason: 'rebooted' };
  const legacyPid = /^\s*(\d+)\s*$/.exec(read.text)?.[1];
  if (legacyPid !== undefined) {
    // The plain pid earlier versions wrote. No start time was recorded, but a process that
    // started after the file was written cannot be the one that wrote it.
    const pid = Number(legacyPid);
    if (!isAlive(pid)) return { kind: 'free', reason: 'not-alive' };
    const ticks = await processStartTicks(pid);
    if (booted !== null && ticks !== null) {
      const startedMs = booted + (ticks * 1000) / TICKS_PER_SECOND;
      if (startedMs > read.modifiedMs + CLOCK_SLACK_MS) return { kind: 'free', reason: 'pid-reused' };
    }
    return { kind: 'held', holder: { lockFile, pid } };
  }
  // Neither ours nor readable, written during this boot: whoever wrote it may still be running,
  // and a lock taken wrongly costs the database, a refusal costs one deleted file.
  return { kind: 'held', holder: { lockFile, pid: undefined } };
}

/**
 * The lock files in the folder, lowest generation first. The file earlier versions wrote,
 * `service-radar.lock`, counts as generation 0.
 */
async function generations(dir: string): Promise<{ name: string; generation: number }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const found: { name: string; generation: number }[] = [];
  for (const name of names) {
    if (name === LOCK_FILE) found.push({ name, generation: 0 });
    const match = GENERATION.exec(name);
    if (match) found.push({ name, generation: Number(match[1]) });
  }
  return found.sort((a, b) => a.generation - b.generation);
}

/**
 * Who holds the folder now, if anyone; reads only. An earlier version of the app, which knows only
 * `service-radar.lock`, holds the folder whatever the numbered files say.
 */
async function currentHolder(
  dir: string,
  found: { name: string; generation: number }[],
): Promise<Verdict | { kind: 'none' }> {
  const legacy = found[0]?.generation === 0 ? found[0] : undefined;
  if (legacy && legacy !== found.at(-1)) {
    const verdict = await judge(join(dir, legacy.name));
    if (verdict.kind === 'held') return verdict;
  }
  const top = found.at(-1);
  return top ? judge(join(dir, top.name)) : { kind: 'none' };
}

export async function lockHolder(dir: string): Promise<LockHolder | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const verdict = await currentHolder(dir, await generations(dir));
    if (verdict.kind === 'held') return verdict.holder;
    if (verdict.kind !== 'gone') return undefined;
  }
  return undefined;
}

async function createExclusive(path: string, text: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Takes the folder's lock, or throws DatabaseInUseError naming the lock file. The folder must
 * exist. Resolves with the function that releases it.
 */
export async function lockPgliteDir(dir: string): Promise<() => Promise<void>> {
  const record = await currentProcessRecord();
  const text = `${JSON.stringify(record)}\n`;
  for (let attempt = 0; attempt < 100; attempt++) {
    const found = await generations(dir);
    const verdict = await currentHolder(dir, found);
    if (verdict.kind === 'gone') continue;
    if (verdict.kind === 'held') throw new DatabaseInUseError(dir, verdict.holder);
    const next = (found.at(-1)?.generation ?? 0) + 1;
    const path = join(dir, lockName(next));
    if (!(await createExclusive(path, text))) continue; // another process made it first: look again
    const now = await generations(dir);
    if (now.some((other) => other.generation > next)) {
      // A higher number appeared while this verdict was being made: that one is the lock.
      await rm(path, { force: true });
      continue;
    }
    // Every lower number was judged free on the way up; nobody can hold one now.
    await Promise.all(
      now
        .filter((other) => other.generation < next)
        .map((other) => rm(join(dir, other.name), { force: true })),
    );
    return async () => {
      const current = await readFile(path, 'utf8').catch(() => undefined);
      if (current !== text) return; // not ours any more (deleted by hand): leave it alone
      const released = `${JSON.stringify({ ...record, releasedAt: new Date().toISOString() })}\n`;
      const temporary = `${path}.released-${process.pid}`;
      await writeFile(temporary, released);
      await rename(temporary, path);
    };
  }
  throw new Error(`Could not take the lock in ${dir}: its lock files kept changing. Try again.`);
}
