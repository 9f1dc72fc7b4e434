import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('../..', import.meta.url).pathname;
/** Absolute, so the app can be started from any working directory (a folder holding a `.env`). */
const tsxLoader = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;

/**
 * `npm start`'s command line as package.json has it, split into node's arguments (the tests run it
 * with this node). The global setup has built dist/ from the sources as they are.
 */
export function startScriptArguments(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const [command, ...args] = scripts.start.trim().split(/\s+/);
  if (command !== 'node') throw new Error(`npm start runs ${command}, not node: ${scripts.start}`);
  return args;
}

/**
 * How the app is started: `source` is src/main.ts through tsx (what the fault tests run); `compiled`
 * is dist/main.js alone, as a supervisor would start it, from any folder; `start-script` is exactly
 * `npm start`'s command line, from the project folder (where its relative paths point), with
 * `.env` pointed at an empty file so a developer's own cannot change the test.
 */
export type AppEntry = 'source' | 'compiled' | 'start-script';

function entryArguments(entry: AppEntry): string[] {
  if (entry === 'source') return ['--import', tsxLoader, join(root, 'src/main.ts')];
  if (entry === 'compiled') return ['--enable-source-maps', join(root, 'dist/main.js')];
  return startScriptArguments();
}

export interface AppProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the port once the app says it is running; rejects if it exits first. */
  port: Promise<number>;
}

/**
 * Runs the app in its own process, configured only through the environment: only PATH and HOME are
 * passed on, never the variables of the shell that runs the tests.
 */
export function startAppProcess(
  env: Record<string, string>,
  { cwd = root, entry = 'source' }: { cwd?: string; entry?: AppEntry } = {},
): AppProcess {
  if (entry === 'start-script' && cwd !== root) throw new Error('npm start runs from the project folder');
  const dotenv = entry === 'start-script' ? { DOTENV_CONFIG_PATH: '/dev/null' } : {};
  const child = spawn(process.execPath, entryArguments(entry), {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...dotenv, ...env },
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
