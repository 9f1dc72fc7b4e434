import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * PGlite is one process's database: two processes opening the same folder corrupt it. The app and
 * the CLI take this lock file first and refuse, with a clear message, while another live process
 * holds it.
 */
export class DatabaseInUseError extends Error {
  readonly code = 'service_radar_database_in_use';
  constructor(dir: string, pid: number) {
    super(
      `The embedded database in ${dir} is in use by process ${pid}. Stop that process first, ` +
        'or set DATABASE_URL to use PostgreSQL, which several processes can share.',
    );
    this.name = 'DatabaseInUseError';
  }
}

const LOCK_FILE = 'service-radar.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function lockPgliteDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder))
    throw new DatabaseInUseError(dir, holder);
  await writeFile(path, String(process.pid));
  return async () => {
    const current = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (current === process.pid) await rm(path, { force: true });
  };
}
