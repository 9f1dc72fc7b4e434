import { mkdir, open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '../lib/crc32c.js';
import { BACKUP_SOCKET } from './backup-socket.js';
import { DatabaseInUseError, isLockFileName, lockHolder, lockPgliteDir } from './pglite-lock.js';

/**
 * PGlite initialises a new, empty database in any folder without a PG_VERSION file, silently: a
 * partial restore, a wrong PGLITE_DIR or a half-copied backup would start the app with every round
 * gone. So before PGlite sees the folder it is read (read only: nothing is created, written or
 * locked) and opened only when it is missing, empty, or a complete PostgreSQL data folder.
 */
export class DatabaseFolderDamagedError extends Error {
  readonly code = 'service_radar_database_damaged';
  readonly dir: string;
  readonly problems: string[];
  constructor(dir: string, problems: string[]) {
    super(
      `The embedded database folder ${dir} cannot be opened safely: ${problems.join('; ')}. ` +
        'Service Radar has changed nothing in it. Restore the folder from your backup, or point ' +
        'PGLITE_DIR at an empty folder to start afresh.',
    );
    this.name = 'DatabaseFolderDamagedError';
    this.dir = dir;
    this.problems = problems;
  }
}

export type FolderInspection =
  | { state: 'missing' | 'empty' }
  | { state: 'database'; pgVersion: number }
  | { state: 'damaged'; problems: string[] };

/**
 * Entries that may sit in the folder without making it "not empty": the app's own lock files, a
 * file system's lost+found (PGLITE_DIR may be a mounted volume) and macOS Finder's .DS_Store.
 */
/** The app's own files in the folder (its lock, its backup socket, left by a crash) are not foreign. */
const isIgnorable = (name: string) =>
  isLockFileName(name) || name === BACKUP_SOCKET || name === 'lost+found' || name === '.DS_Store';

/** What PostgreSQL (16 to 18, as PGlite runs it) keeps at the top of a data folder. */
const POSTGRES_ENTRIES = new Set([
  'PG_VERSION',
  'base',
  'global',
  'pg_commit_ts',
  'pg_dynshmem',
  'pg_hba.conf',
  'pg_ident.conf',
  'pg_logical',
  'pg_multixact',
  'pg_notify',
  'pg_replslot',
  'pg_serial',
  'pg_snapshots',
  'pg_stat',
  'pg_stat_tmp',
  'pg_subtrans',
  'pg_tblspc',
  'pg_twophase',
  'pg_wal',
  'pg_xact',
  'postgresql.auto.conf',
  'postgresql.auto.conf.tmp',
  'postgresql.conf',
  'postmaster.opts',
  'postmaster.pid',
  'current_logfiles',
  'log',
  'backup_label',
  'backup_label.old',
  'tablespace_map',
  'tablespace_map.old',
  'recovery.signal',
  'standby.signal',
]);

/**
 * Without these PGlite cannot start (tried one by one on PGlite 0.5: each missing one fails with
 * "PGlite failed to initialize properly"), so refusing a folder that lacks one refuses nothing
 * PGlite would have opened. Several are empty folders, which some copy and sync tools leave out.
 */
const REQUIRED_FOLDERS = [
  'base',
  'global',
  'pg_xact',
  'pg_multixact',
  'pg_commit_ts',
  'pg_notify',
  'pg_replslot',
  'pg_twophase',
];
const REQUIRED_FILES = ['postgresql.conf', 'pg_hba.conf'];

/**
 * Where ControlFileData's fields sit, by pg_control_version, for PGlite (wasm32) and 64-bit
 * builds, whose layouts agree (8-byte alignment for 64-bit fields). `crc` is offsetof(crc): the
 * checksum covers every byte before it. Checked against real files: 1300 (PostgreSQL 13-16,
 * initdb 15) and 1800 (PostgreSQL 18, PGlite 0.5). For any other version the checksum is looked
 * for at every 4-byte boundary instead (it is always the struct's last field), and the WAL is
 * checked without the checkpoint's position.
 */
const CONTROL_LAYOUTS: Record<number, { crc: number; walSegmentSize: number }> = {
  1300: { crc: 288, walSegmentSize: 228 },
  1800: { crc: 292, walSegmentSize: 228 },
};
/** Stable since PostgreSQL 11: the last checkpoint's LSN, its redo LSN and its timeline. */
const CHECKPOINT_LSN = 32;
const REDO_LSN = 40;
const CHECKPOINT_TIMELINE = 48;
const PG_CONTROL_MAX_SAFE_SIZE = 512;

const WAL_SEGMENT = /^[0-9A-F]{24}$/;

function listed(names: string[], limit = 5): string {
  const shown = names.slice(0, limit).map((name) => JSON.stringify(name).slice(1, -1));
  return names.length > limit ? `${shown.join(', ')} and ${names.length - limit} more` : shown.join(', ');
}

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;
const plausibleSegmentSize = (n: number) => isPowerOfTwo(n) && n >= 1 << 20 && n <= 1 << 30;
const megabytes = (bytes: number) => `${bytes / (1 << 20)} MB`;

/** The WAL file that holds `lsn`, its timeline left out: PostgreSQL's XLogFileName less its first 8 digits. */
function segmentOf(lsn: bigint, segmentSize: number): string {
  const segment = lsn / BigInt(segmentSize);
  const perId = 0x1_0000_0000n / BigInt(segmentSize);
  const hex = (n: bigint) => n.toString(16).toUpperCase().padStart(8, '0');
  return hex(segment / perId) + hex(segment % perId);
}

async function kindOf(path: string): Promise<'file' | 'folder' | 'other' | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'folder' : info.isFile() ? 'file' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The first `length` bytes of a file (pg_control is 8 kB; only its first 512 bytes matter). */
async function head(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

interface ControlFacts {
  problem?: string;
  walSegmentSize?: number;
  /** The WAL files the last checkpoint needs: the one holding its record, the one recovery starts in. */
  neededSegments?: { name: string; holds: string }[];
}

async function readControlFile(dir: string): Promise<ControlFacts> {
  const path = join(dir, 'global', 'pg_control');
  const kind = await kindOf(path);
  if (kind !== 'file') return { problem: 'it has no control file (global/pg_control)' };
  const bytes = await head(path, PG_CONTROL_MAX_SAFE_SIZE);
  if (bytes.length < 64) return { problem: 'its control file global/pg_control is cut short' };
  const version = bytes.readUInt32LE(8);
  const layout = CONTROL_LAYOUTS[version];
  if (layout) {
    if (bytes.length < layout.crc + 4) return { problem: 'its control file global/pg_control is cut short' };
    if (crc32c(bytes.subarray(0, layout.crc)) !== bytes.readUInt32LE(layout.crc))
      return { problem: 'its control file global/pg_control is damaged (checksum mismatch)' };
    const walSegmentSize = bytes.readUInt32LE(layout.walSegmentSize);
    if (!plausibleSegmentSize(walSegmentSize)) return {};
    const timeline = bytes.readUInt32LE(CHECKPOINT_TIMELINE);
    if (timeline === 0) return { walSegmentSize };
    const name = (lsn: bigint) =>
      timeline.toString(16).toUpperCase().padStart(8, '0') + segmentOf(lsn, walSegmentSize);
    const record = name(bytes.readBigUInt64LE(CHECKPOINT_LSN));
    const redo = name(bytes.readBigUInt64LE(REDO_LSN));
    const neededSegments = [{ name: record, holds: 'the last checkpoint record' }];
    if (redo !== record) neededSegments.push({ name: redo, holds: 'the point recovery starts from' });
    return { walSegmentSize, neededSegments };
  }
  for (let offset = 16; offset + 4 <= bytes.length; offset += 4) {
    const crc = crc32c(bytes.subarray(0, offset));
    if (crc === bytes.readUInt32LE(offset) || crc === bytes.readUInt32BE(offset)) return {};
  }
  return { problem: 'its control file global/pg_control is damaged (checksum mismatch)' };
}

async function checkWal(dir: string, control: ControlFacts): Promise<string | undefined> {
  const walDir = join(dir, 'pg_wal');
  const segments: { name: string; size: number }[] = [];
  for (const name of await readdir(walDir)) {
    if (!WAL_SEGMENT.test(name)) continue;
    const info = await stat(join(walDir, name));
    if (info.isFile()) segments.push({ name, size: info.size });
  }
  const size = control.walSegmentSize;
  const whole = segments.filter((segment) =>
    size === undefined ? plausibleSegmentSize(segment.size) : segment.size === size,
  );
  if (whole.length === 0) {
    return segments.length === 0
      ? 'its write-ahead log (pg_wal) holds no segment files, so no checkpoint record'
      : `its write-ahead log (pg_wal) holds no whole segment file (${listed(segments.map((s) => `${s.name}: ${s.size} bytes`))})`;
  }
  if (size === undefined || !control.neededSegments) return undefined;
  // Matched without the timeline: a segment is the same stretch of log whichever timeline names it,
  // and PostgreSQL finds it through the timeline history; this check only asks that it is there.
  const sameStretch = (a: string, b: string) => a.slice(8) === b.slice(8);
  const missing = control.neededSegments.find(
    (needed) => !whole.some((segment) => sameStretch(segment.name, needed.name)),
  );
  if (!missing) return undefined;
  const cut = segments.find((segment) => sameStretch(segment.name, missing.name));
  if (cut)
    return `its write-ahead log file pg_wal/${cut.name}, which holds ${missing.holds}, is cut short (${cut.size} bytes, not ${megabytes(size)})`;
  return `its write-ahead log (pg_wal) lacks ${missing.name}, the file holding ${missing.holds}`;
}

/** Reads the folder and says what it is; changes nothing. */
export async function inspectPgliteFolder(dir: string): Promise<FolderInspection> {
  const kind = await kindOf(dir);
  if (kind === undefined) return { state: 'missing' };
  if (kind !== 'folder') return { state: 'damaged', problems: ['it is a file, not a folder'] };
  const entries = (await readdir(dir)).filter((name) => !isIgnorable(name));
  if (entries.length === 0) return { state: 'empty' };

  const problems: string[] = [];
  const foreign = entries.filter((name) => !POSTGRES_ENTRIES.has(name)).sort();
  const versionKind = await kindOf(join(dir, 'PG_VERSION'));
  let pgVersion: number | undefined;
  if (versionKind === undefined) problems.push('it has no PG_VERSION file');
  else {
    const text = versionKind === 'file' ? await readFile(join(dir, 'PG_VERSION'), 'utf8') : '';
    if (/^\d{1,3}(\.\d+)?\s*$/.test(text)) pgVersion = Number.parseInt(text, 10);
    else problems.push('its PG_VERSION file does not hold a PostgreSQL version');
  }
  if (foreign.length > 0) problems.push(`it holds files that are not part of a database: ${listed(foreign)}`);
  // A folder holding nothing of a database (photos, notes) is the wrong folder: listing the dozen
  // parts it lacks would bury that.
  if (entries.length === foreign.length) return { state: 'damaged', problems };

  const lacking: string[] = [];
  for (const name of REQUIRED_FOLDERS) if ((await kindOf(join(dir, name))) !== 'folder') lacking.push(name);
  for (const name of REQUIRED_FILES) if ((await kindOf(join(dir, name))) !== 'file') lacking.push(name);
  if (lacking.length > 0)
    problems.push(
      `it lacks parts every database has: ${listed(lacking, 12)} (some copy and sync tools leave out empty folders)`,
    );

  const control: ControlFacts = lacking.includes('global') ? {} : await readControlFile(dir);
  if (control.problem) problems.push(control.problem);
  if ((await kindOf(join(dir, 'pg_wal'))) !== 'folder')
    problems.push('its write-ahead log (pg_wal) is missing');
  else {
    const wal = await checkWal(dir, control);
    if (wal) problems.push(wal);
  }
  if (problems.length > 0 || pgVersion === undefined) return { state: 'damaged', problems };
  return { state: 'database', pgVersion };
}

/**
 * Makes the folder ready for PGlite: checks it first (so a folder that is refused gets nothing
 * written into it, not even a lock file), then creates it if it is missing and takes its lock.
 * Resolves with the function that releases the lock.
 */
export async function claimPgliteFolder(dir: string): Promise<() => Promise<void>> {
  const inspection = await inspectPgliteFolder(dir);
  if (inspection.state === 'damaged') {
    // A folder another process has open changes under the reader (a checkpoint rewrites
    // pg_control, new WAL files appear): while it is held, say it is in use, not damaged.
    const holder = await lockHolder(dir);
    if (holder) throw new DatabaseInUseError(dir, holder);
    throw new DatabaseFolderDamagedError(dir, inspection.problems);
  }
  if (inspection.state === 'missing') await mkdir(dir, { recursive: true });
  return lockPgliteDir(dir);
}
