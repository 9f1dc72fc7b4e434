import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createPeopleDirectory } from '../modules/people/people.directory.js';
import { createPeopleRepository } from '../modules/people/people.repository.js';
import { createReminderDeps } from '../modules/reminders/reminders.job.js';
import { createRemindersRepository } from '../modules/reminders/reminders.repository.js';
import { runRemindersTick } from '../modules/reminders/reminders.usecases.js';
import { createBackgroundClient } from '../slack/background-client.js';
import { createMessenger } from '../slack/messenger.js';
import { type CliContext, isoInstant, jsonLines, positiveInt, table } from './shared.js';

export function registerRemindersCommands(program: Command, { output, withDatabase }: CliContext): void {
  const reminders = program.command('reminders').description('The reminder queue');

  reminders
    .command('list')
    .description('List reminders by due time (cancelled ones are left out)')
    .option('--due', 'only those due now and not yet sent')
    .option('--now <time>', 'what "now" means for --due (ISO time)', isoInstant)
    .option('--limit <n>', 'at most this many', positiveInt, 200)
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { due?: boolean; now?: Date; limit: number; json?: boolean }) => {
      await withDatabase(async (database) => {
        const rows = await createRemindersRepository({ db: database.db }).list({
          due: options.due ?? false,
          now: options.now ?? new Date(),
          limit: options.limit,
        });
        const plain = rows.map((row) => ({
          id: row.id,
          kind: row.kind,
          state: row.state,
          dueAt: row.dueAt.toISOString(),
          recipient: row.recipientUserId,
          round: row.roundId,
          attempts: row.attempts,
          sentAt: row.sentAt?.toISOString() ?? null,
          lastError: row.lastError,
        }));
        if (options.json) output.out(jsonLines(plain));
        else if (plain.length === 0) output.out('No reminders.\n');
        else
          output.out(
            `${table(plain, ['id', 'kind', 'state', 'dueAt', 'recipient', 'round', 'attempts', 'lastError'])}\n`,
          );
      });
    });

  reminders
    .command('run')
    .description('Process what is due at a time: expire rounds, schedule, send (needs the Slack settings)')
    .requiredOption('--now <time>', 'the time to act as (ISO), e.g. 2026-11-30T09:00:00Z', isoInstant)
    .option('--json', 'print the report as JSON')
    .action(async (options: { now: Date; json?: boolean }) => {
      const config = loadConfig();
      const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, process.stderr);
      await withDatabase(async (database) => {
        const client = createBackgroundClient(config, logger);
        const deps = createReminderDeps({
          config,
          logger,
          clock: { now: () => options.now },
          db: database.db,
          messenger: createMessenger({ client, logger }),
          directory: createPeopleDirectory({
            client,
            people: createPeopleRepository({ db: database.db }),
            clock: { now: () => options.now },
          }),
          client,
          instanceId: `cli:${process.pid}`,
        });
        const report = await runRemindersTick(deps, options.now);
        if (options.json) output.out(jsonLines(report));
        else
          output.out(
            `${Object.entries(report)
              .map(([key, value]) => `${key.padEnd(12)} ${value}`)
              .join('\n')}\n`,
          );
      });
    });
}
