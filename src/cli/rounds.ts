import type { Command } from 'commander';
import { listRounds } from '../modules/rounds/rounds.usecases.js';
import { type CliContext, jsonLines, positiveInt, slackUserId, table } from './shared.js';

export function registerRoundsCommands(program: Command, { output, withRepositories }: CliContext): void {
  const command = program.command('rounds').description('Rounds: self-ratings and customer responses');
  command
    .command('list')
    .description('List rounds, newest first')
    .option('--staff <userId>', 'only this staff member (Slack user id)', slackUserId)
    .option('--limit <n>', 'at most this many rounds', positiveInt, 100)
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { staff?: string; limit: number; json?: boolean }) => {
      await withRepositories(async ({ rounds }) => {
        const rows = await listRounds({
          rounds,
          staffUserId: options.staff,
          limit: options.limit,
        });
        if (options.json) {
          output.out(jsonLines(rows));
        } else if (rows.length === 0) {
          output.out('No rounds yet.\n');
        } else {
          output.out(
            `${table(rows, ['id', 'status', 'staffUserId', 'customer', 'service', 'unit', 'selfScore', 'customerScore', 'gap', 'interviewOn'])}\n`,
          );
        }
      });
    });
}
