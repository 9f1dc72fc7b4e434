import type { Command } from 'commander';
import { runRemindersTick } from '../modules/reminders/reminders.job.js';
import { type CliContext, isoInstant, jsonLines, positiveInt, table } from './shared.js';

export function registerRemindersCommands(
  program: Command,
  { output, withRepositories, withApp }: CliContext,
): void {
  const command = program.command('reminders').description('The reminder queue');

  command
    .command('list')
    .description('List reminders by due time (cancelled ones are left out)')
    .option('--due', 'only those due now and not yet sent')
    .option('--now <time>', 'what "now" means for --due (ISO time)', isoInstant)
    .option('--limit <n>', 'at most this many', positiveInt, 200)
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { due?: boolean; now?: Date; limit: number; json?: boolean }) => {
      await withRepositories(async ({ reminders }) => {
        const rows = await reminders.list({
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

  command
    .command('run')
    .description('Process what is due at a time: expire rounds, schedule, send (needs the Slack settings)')
    .requiredOption('--now <time>', 'the time to act as (ISO), e.g. 2026-11-30T09:00:00Z', isoInstant)
    .option('--json', 'print the report as JSON')
    .action(async (options: { now: Date; json?: boolean }) => {
      const clock = { now: () => options.now };
      await withApp(
        async ({ background }) => {
          const report = await runRemindersTick(background.reminders, options.now);
          if (options.json) output.out(jsonLines(report));
          else
            output.out(
              `${Object.entries(report)
                .map(([key, value]) => `${key.padEnd(12)} ${value}`)
                .join('\n')}\n`,
            );
        },
        { clock },
      );
    });
}
