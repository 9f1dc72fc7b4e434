import { type Command, InvalidArgumentError } from 'commander';
import { systemClock } from '../lib/clock.js';
import { cleanText } from '../lib/text.js';
import { type ChangedRows, ERASURE_TABLES } from '../modules/erasure/erasure.content.js';
import {
  type ErasureOutcome,
  forgetOutsideCustomer,
  forgetPerson,
} from '../modules/erasure/erasure.usecases.js';
import { type CliContext, jsonLines, operatorLogin, positiveInt, slackUserId, table } from './shared.js';

const customerName = (value: string) => {
  if (!cleanText(value))
    throw new InvalidArgumentError('expected the name as staff typed it, e.g. "Pat Patron"');
  return value;
};

function report(outcome: ErasureOutcome, done: string, requestedBy: string): string {
  const lines = ERASURE_TABLES.map(
    (name) => `  ${name.padEnd(16)} ${outcome.changed[name as keyof ChangedRows]}`,
  );
  if (outcome.dryRun)
    return `Dry run: nothing changed. A real run would change these rows:\n${lines.join('\n')}\n`;
  return `${done} Rows changed:\n${lines.join('\n')}\nRecorded as erasure ${outcome.erasureId} (requested by ${requestedBy}).\n`;
}

/** `people forget`, `customers forget`, `erasures list`: erasure on request, and its audit. */
export function registerPeopleCommands(
  program: Command,
  { output, withRepositories, env }: CliContext,
): void {
  const people = program.command('people').description('People in Slack: staff, customers, managers');
  people
    .command('forget')
    .description(
      "Erase a person's identity and words from every table (their scores stay, anonymous); cancels their reminders",
    )
    .argument('<userId>', 'their Slack user id, e.g. U0123ABCD', slackUserId)
    .option('--dry-run', 'show how many rows of each table would change, and change nothing')
    .action(async (userId: string, options: { dryRun?: boolean }) => {
      const requestedBy = operatorLogin(env);
      await withRepositories(async ({ erasure }) => {
        const outcome = await forgetPerson({
          erasure,
          clock: systemClock,
          userId,
          requestedBy,
          dryRun: options.dryRun ?? false,
        });
        if (!outcome.found) throw new Error(`No row holds ${userId}: nothing to forget. Check the user id.`);
        output.out(
          report(outcome, `Forgot ${userId}: no table holds that id or their words now.`, requestedBy),
        );
      });
    });

  const customers = program.command('customers').description('Customers outside Slack, known by name');
  customers
    .command('forget')
    .description(
      'Erase an outside customer (by the name staff typed) from every round: name, answers, notes; scores stay',
    )
    .requiredOption(
      '--name <name>',
      'the name as staff typed it (case and spacing do not matter)',
      customerName,
    )
    .option('--dry-run', 'show how many rows of each table would change, and change nothing')
    .action(async (options: { name: string; dryRun?: boolean }) => {
      const requestedBy = operatorLogin(env);
      await withRepositories(async ({ erasure }) => {
        const outcome = await forgetOutsideCustomer({
          erasure,
          clock: systemClock,
          name: options.name,
          requestedBy,
          dryRun: options.dryRun ?? false,
        });
        if (!outcome.found)
          throw new Error(
            'No round has an outside customer by that name: nothing to forget. Check the spelling (`rounds list` shows the names); rounds past the retention period no longer hold names.',
          );
        output.out(
          report(outcome, 'Forgot that customer: no round holds their name or answers now.', requestedBy),
        );
      });
    });

  program
    .command('erasures')
    .description('The erasure audit: what kind, who asked, when, how many rows')
    .command('list')
    .description('List erasures, newest first')
    .option('--limit <n>', 'at most this many', positiveInt, 100)
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { limit: number; json?: boolean }) => {
      await withRepositories(async ({ erasure }) => {
        const rows = (await erasure.listErasures(options.limit)).map((row) => ({
          id: row.id,
          kind: row.kind,
          requestedBy: row.requestedBy,
          at: row.createdAt.toISOString(),
          changed: row.changed,
        }));
        if (options.json) output.out(jsonLines(rows));
        else if (rows.length === 0) output.out('No erasures yet.\n');
        else
          output.out(
            `${table(
              rows.map((row) => ({
                ...row,
                changed: ERASURE_TABLES.filter((name) => (row.changed[name] ?? 0) > 0)
                  .map((name) => `${name} ${row.changed[name]}`)
                  .join(', '),
              })),
              ['id', 'kind', 'requestedBy', 'at', 'changed'],
            )}\n`,
          );
      });
    });
}
