import 'dotenv/config';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadDatabaseConfig } from './config.js';
import type { DatabaseHandle } from './db/client.js';
import { createRoundsRepository } from './modules/rounds/rounds.repository.js';
import { listRounds } from './modules/rounds/rounds.usecases.js';
import { openMigratedDatabase } from './service.js';

/**
 * Operator commands: `npm run cli -- <command>`. They read the same DATABASE_URL / PGLITE_DIR as the
 * app. With the embedded database, stop the app first (one process at a time may open it).
 */

type Output = { out: (text: string) => void; err: (text: string) => void };

async function withDatabase<T>(run: (database: DatabaseHandle) => Promise<T>): Promise<T> {
  const database = await openMigratedDatabase(loadDatabaseConfig());
  try {
    return await run(database);
  } finally {
    await database.close();
  }
}

const slackUserId = (value: string) => {
  if (!/^[UW][A-Z0-9]{2,}$/.test(value))
    throw new InvalidArgumentError('expected a Slack user id such as U0123ABCD');
  return value;
};

const positiveInt = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 100_000) {
    throw new InvalidArgumentError('expected a whole number from 1 to 100000');
  }
  return number;
};

/** Formats rows as an aligned plain-text table. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cells = rows.map((row) => columns.map((column) => (row[column] == null ? '-' : String(row[column]))));
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

export function buildCli(
  output: Output = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
) {
  const program = new Command()
    .name('service-radar')
    .description('Operator commands for Service Radar')
    .configureOutput({ writeOut: output.out, writeErr: output.err })
    .exitOverride();

  const db = program.command('db').description('Database maintenance');
  db.command('migrate')
    .description('Apply the migrations in drizzle/ (the app also does this at start-up)')
    .action(async () => {
      await withDatabase(async (database) => {
        output.out(`Migrations applied (${database.kind}).\n`);
      });
    });

  const rounds = program.command('rounds').description('Rounds: self-ratings and customer responses');
  rounds
    .command('list')
    .description('List rounds, newest first')
    .option('--staff <userId>', 'only this staff member (Slack user id)', slackUserId)
    .option('--limit <n>', 'at most this many rounds', positiveInt, 100)
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { staff?: string; limit: number; json?: boolean }) => {
      await withDatabase(async (database) => {
        const rows = await listRounds({
          rounds: createRoundsRepository({ db: database.db }),
          staffUserId: options.staff,
          limit: options.limit,
        });
        if (options.json) {
          output.out(`${JSON.stringify(rows, null, 2)}\n`);
        } else if (rows.length === 0) {
          output.out('No rounds yet.\n');
        } else {
          output.out(
            `${table(rows, ['id', 'status', 'staffUserId', 'customer', 'service', 'unit', 'selfScore', 'customerScore', 'gap', 'interviewOn'])}\n`,
          );
        }
      });
    });

  return program;
}

export async function runCli(argv: string[], output?: Output): Promise<number> {
  const program = buildCli(output);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    const write = output?.err ?? ((text: string) => process.stderr.write(text));
    if (error && typeof error === 'object' && 'exitCode' in error && typeof error.exitCode === 'number') {
      return error.exitCode; // commander has already printed its message (help, unknown option...)
    }
    if (error instanceof ConfigError) {
      write(`${error.message}\n`);
      return 78;
    }
    write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/src/cli.ts')) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
