import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { registerAuditCommands } from './cli/audit.js';
import { registerDbCommands } from './cli/db.js';
import { registerDigestCommands } from './cli/digest.js';
import { registerPeopleCommands } from './cli/people.js';
import { registerRemindersCommands } from './cli/reminders.js';
import { registerRoundsCommands } from './cli/rounds.js';
import { type CliContext, type Output, terminalOutput } from './cli/shared.js';
import { ConfigError, loadConfig, loadDatabaseConfig } from './config.js';
import type { DatabaseHandle } from './db/client.js';
import { createDependencies, createRepositories } from './dependencies.js';
import { createLogger } from './logger.js';
import { openMigratedDatabase } from './service.js';

/**
 * Operator commands: `npm run cli -- <command>`. They read the same DATABASE_URL / PGLITE_DIR as the
 * app (`npm run cli` loads `.env` first; this file reads only the environment). With the embedded database, stop the app first (one process at a time may open it).
 */

/** Where the CLI runs: the environment it reads, and (tests) a database already open, left open. */
export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  database?: DatabaseHandle;
}

function databaseOpener({ env = process.env, database }: CliOptions) {
  return async <T>(run: (database: DatabaseHandle) => Promise<T>): Promise<T> => {
    if (database) return run(database);
    const opened = await openMigratedDatabase(loadDatabaseConfig(env));
    try {
      return await run(opened);
    } finally {
      await opened.close();
    }
  };
}

function cliContext(output: Output, options: CliOptions): CliContext {
  const env = options.env ?? process.env;
  const withDatabase = databaseOpener(options);
  return {
    output,
    env,
    withRepositories: (run) => withDatabase((database) => run(createRepositories(database.db), database)),
    withApp: (run, { clock } = {}) => {
      const config = loadConfig(env);
      // Operators read what the command prints; the log says only what went wrong.
      const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, process.stderr);
      return withDatabase((database) =>
        run(createDependencies({ config, logger, db: database.db, clock, role: 'cli' })),
      );
    },
  };
}

const standardOutput: Output = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export function buildCli(raw: Output = standardOutput, options: CliOptions = {}) {
  const output = terminalOutput(raw);
  const program = new Command()
    .name('service-radar')
    .description('Operator commands for Service Radar')
    .configureOutput({ writeOut: output.out, writeErr: output.err })
    .exitOverride();

  const context = cliContext(output, options);
  const db = program.command('db').description('Database maintenance');
  db.command('migrate')
    .description('Apply the migrations in drizzle/ (the app also does this at start-up)')
    .action(async () => {
      await context.withRepositories(async (_repositories, database) => {
        output.out(`Migrations applied (${database.kind}).\n`);
      });
    });
  registerDbCommands(db, context);

  registerRoundsCommands(program, context);
  registerRemindersCommands(program, context);
  registerDigestCommands(program, context);
  registerPeopleCommands(program, context);
  registerAuditCommands(program, context);

  return program;
}

export async function runCli(argv: string[], output?: Output, options: CliOptions = {}): Promise<number> {
  const program = buildCli(output, options);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    const write = terminalOutput(output ?? standardOutput).err;
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

/**
 * Whether node was asked to run this file (`node dist/cli.js`, `tsx src/cli.ts`) rather than a test
 * importing it. Node runs the script's real path: the installed folder may be reached through a
 * symlink, and a path may hold characters a file URL escapes.
 */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
