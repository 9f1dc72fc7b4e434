import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('../..', import.meta.url).pathname;
/** Absolute, so the app can be started from any working directory (a folder holding a `.env`). */
const tsxLoader = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;
const entryPoint = join(root, 'src/main.ts');

export interface AppProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the port once the app says it is running; rejects if it exits first. */
  port: Promise<number>;
}

/**
 * Runs `npm start`'s entry point in its own process, configured only through the environment: only
 * PATH and HOME are passed on, never the variables of the shell that runs the tests.
 */
export function startAppProcess(
  env: Record<string, string>,
  { cwd = root }: { cwd?: string } = {},
): AppProcess {
  const child = spawn(process.execPath, ['--import', tsxLoader, entryPoint], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"port":(\d+)[^\n]*service radar is running/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
  });
  port.catch(() => undefined);
  return { child, output: () => output, port };
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
