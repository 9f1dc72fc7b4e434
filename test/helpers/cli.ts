import { runCli } from '../../src/cli.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs the operator CLI in this process, as an operator runs it (the same config loading and
 * migrations), with what it prints captured. `env` replaces variables of this process's
 * environment for that run only (`undefined` unsets one).
 */
export async function runCapturedCli(
  argv: string[],
  env?: Record<string, string | undefined>,
): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    { out: (text) => (out += text), err: (text) => (err += text) },
    env ? { env: { ...process.env, ...env } } : undefined,
  );
  return { code, out, err };
}
