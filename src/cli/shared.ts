import { userInfo } from 'node:os';
import { InvalidArgumentError } from 'commander';
import type { DatabaseHandle } from '../db/client.js';
import type { Dependencies, Repositories } from '../dependencies.js';
import type { Clock } from '../lib/clock.js';
import { forTerminal, jsonForTerminal } from '../lib/control-characters.js';
import { cleanText } from '../lib/text.js';

/** Where CLI commands write, and how they reach the database; tests capture both. */
export interface CliContext {
  output: Output;
  /** The repositories over the configured database, opened (and migrated) for `run`, then closed. */
  withRepositories<T>(run: (repositories: Repositories, database: DatabaseHandle) => Promise<T>): Promise<T>;
  /**
   * Everything the app is built from (src/dependencies.ts), for commands that talk to Slack: they
   * need the Slack settings, and act as the clock says (`reminders run --now`).
   */
  withApp<T>(run: (dependencies: Dependencies) => Promise<T>, options?: { clock?: Clock }): Promise<T>;
  /** The environment the commands read (process.env, unless a test gives its own). */
  env: NodeJS.ProcessEnv;
}

export type Output = { out: (text: string) => void; err: (text: string) => void };

/**
 * Everything the CLI prints passes through here on its way to the operator's terminal: names,
 * services, units and answers are whatever people typed, and an escape sequence among them could
 * rewrite the screen or a bidi override reorder a table. The CLI itself prints no escapes, so all
 * are removed (src/lib/control-characters.ts).
 */
export function terminalOutput(output: Output): Output {
  return { out: (text) => output.out(forTerminal(text)), err: (text) => output.err(forTerminal(text)) };
}

/** `--json` output: control and bidi characters escaped as `\u001b`, `\u202e`, so the JSON stays valid and inert. */
export const jsonLines = (value: unknown): string => `${jsonForTerminal(value)}\n`;

export const slackUserId = (value: string) => {
  if (!/^[UW][A-Z0-9]{2,}$/.test(value))
    throw new InvalidArgumentError('expected a Slack user id such as U0123ABCD');
  return value;
};

export const slackChannelId = (value: string) => {
  if (!/^[CGD][A-Z0-9]{2,}$/.test(value))
    throw new InvalidArgumentError('expected a Slack channel id such as C0123ABCD');
  return value;
};

export const positiveInt = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 100_000) {
    throw new InvalidArgumentError('expected a whole number from 1 to 100000');
  }
  return number;
};

export const isoInstant = (value: string) => {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new InvalidArgumentError('expected an ISO time such as 2026-11-25T09:00:00Z');
  }
  return date;
};

/** One table cell: one line, with nothing a terminal would act on, so the columns line up. */
const cell = (value: unknown): string =>
  value == null ? '-' : forTerminal(String(value)).replace(/\s/g, ' ');

/** Formats rows as an aligned plain-text table. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cells = rows.map((row) => columns.map((column) => cell(row[column])));
  const widths = columns.map((column, index) =>
    Math.max(column.length, ...cells.map((row) => (row[index] ?? '').length)),
  );
  const line = (values: string[]) =>
    values
      .map((value, index) => value.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

/**
 * Who ran a command, for the audit log and the erasure record: the operator's login. Behind sudo, the person who
 * ran sudo ($SUDO_USER), not root.
 */
export function operatorLogin(env: NodeJS.ProcessEnv = process.env): string {
  const sudoUser = cleanText(env.SUDO_USER);
  if (sudoUser) return sudoUser;
  try {
    return userInfo().username;
  } catch {
    // A container user with no passwd entry.
    return cleanText(env.USER) ?? 'unknown';
  }
}

/** The audit log's actor for an operator at the command line. */
export const operatorActor = (env: NodeJS.ProcessEnv = process.env): string => `cli:${operatorLogin(env)}`;
