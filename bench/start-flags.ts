import { readFileSync } from 'node:fs';

/**
 * Node's options from `npm start`'s command line in package.json (the heap cap), so
 * the benchmark runs the app, and the bare Bolt app it is measured against, as production runs the
 * app. `--import dotenv/config` is left out: the benchmark gives each process its environment.
 */
export function startScriptNodeFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: { start: string };
  };
  const [, ...args] = scripts.start.trim().split(/\s+/);
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--import') i++;
    else if (arg.startsWith('--')) flags.push(arg);
  }
  return flags;
}
