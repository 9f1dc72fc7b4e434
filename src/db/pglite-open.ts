import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { DEFAULT_PGLITE_SHARED_BUFFERS } from '../config.js';

/** PGlite's own start parameters, with the app's memory setting. */
export const pgliteStartParams = (sharedBuffers: string = DEFAULT_PGLITE_SHARED_BUFFERS): string[] => [
  ...PGlite.defaultStartParams,
  '-c',
  `shared_buffers=${sharedBuffers}`,
];

const initdbScript = fileURLToPath(new URL('./pglite-initdb.mjs', import.meta.url));

/**
 * Opens the embedded database in `dir` (checked and locked by the caller). A folder with no
 * database yet gets one first from a process of its own (src/db/pglite-initdb.mjs), which gives back
 * the memory creating one takes when it exits; the app's process then only opens it.
 */
export async function openPglite(
  dir: string,
  { sharedBuffers }: { sharedBuffers?: string } = {},
): Promise<PGlite> {
  const startParams = pgliteStartParams(sharedBuffers);
  const exists = await stat(join(dir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (!exists) await createApart(dir, startParams);
  return PGlite.create(dir, { startParams });
}

function createApart(dir: string, startParams: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [initdbScript, dir, JSON.stringify(startParams)],
      // Nothing of the app's environment (no loaders, no secrets): only where to find programs.
      { env: { PATH: process.env.PATH ?? '' }, maxBuffer: 1024 * 1024, timeout: 5 * 60_000 },
      (error, _stdout, stderr) => {
        if (!error) return resolve();
        const said = stderr.trim().split('\n').slice(-3).join(' ');
        reject(new Error(`could not create the embedded database in ${dir}${said ? `: ${said}` : ''}`));
      },
    );
  });
}
