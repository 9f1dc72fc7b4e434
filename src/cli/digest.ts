import { writeFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { loadDigestConfig } from '../config.js';
import type { Repositories } from '../dependencies.js';
import { systemClock } from '../lib/clock.js';
import { renderDigestChart } from '../modules/digests/digests.chart.js';
import { exportAuditEntry, exportCommittee, toCsv } from '../modules/digests/digests.export.js';
import {
  buildCommitteeDigest,
  resolveDigestTarget,
  sendDigestNow,
} from '../modules/digests/digests.usecases.js';
import { renderDigestText } from '../modules/digests/digests.views.js';
import { parseWeek } from '../modules/digests/digests.weeks.js';
import { digestWords } from '../modules/digests/digests.words.js';
import { type CliContext, jsonLines, operatorActor, slackChannelId, table } from './shared.js';

/** What reading a committee's digests needs, from the operator's side: no Slack. */
const readingDeps = (
  { committees, digests, practices }: Pick<Repositories, 'committees' | 'digests' | 'practices'>,
  env: NodeJS.ProcessEnv,
) => ({
  committees,
  digests,
  practices,
  clock: systemClock,
  libraryTimeZone: loadDigestConfig(env).LIBRARY_TIME_ZONE,
});

const formatOption = (value: string) => {
  if (value !== 'csv' && value !== 'json') throw new InvalidArgumentError('expected csv or json');
  return value;
};

const isoWeek = (value: string) => {
  if (!parseWeek(value)) throw new InvalidArgumentError('expected an ISO week such as 2026-W47');
  return value;
};

/** `digest committees`, `digest show`, `digest send`: the committee digests, from the operator's side. */
export function registerDigestCommands(
  program: Command,
  { output, withRepositories, withApp, env }: CliContext,
): void {
  const digest = program.command('digest').description('Committee digests');

  digest
    .command('committees')
    .description('List the channels subscribed to the digest')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      await withRepositories(async ({ committees }) => {
        const rows = (await committees.listActive()).map((c) => ({
          channel: c.channelId,
          units: c.units.length === 0 ? 'all staff' : c.units.join(', '),
          posts: `${['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][c.weekday - 1]} ${String(c.hour).padStart(2, '0')}:00 ${c.timeZone}`,
          minGroupSize: c.minGroupSize,
          individuals: c.showIndividuals ? 'shown' : 'no',
        }));
        if (options.json) output.out(jsonLines(rows));
        else if (rows.length === 0) output.out('No committee channels yet.\n');
        else output.out(`${table(rows, ['channel', 'units', 'posts', 'minGroupSize', 'individuals'])}\n`);
      });
    });

  digest
    .command('show')
    .description("Print a committee's digest without posting it (by default the last finished week)")
    .requiredOption('--channel <id>', 'the committee channel, e.g. C0123ABCD', slackChannelId)
    .option(
      '--week <week>',
      'the ISO week, e.g. 2026-W47, of the library’s calendar (LIBRARY_TIME_ZONE)',
      isoWeek,
    )
    .option('--json', 'print the digest as data (JSON) instead of text')
    .option('--chart <file>', 'also write its chart to this PNG file')
    .action(async (options: { channel: string; week?: string; json?: boolean; chart?: string }) => {
      await withRepositories(async (repositories) => {
        const deps = readingDeps(repositories, env);
        const target = await resolveDigestTarget(deps, options.channel, options.week);
        if (!target.ok) throw new Error(digestWords(target.code, target.values));
        const data = await buildCommitteeDigest(deps, target.committee, target.week);
        output.out(options.json ? jsonLines(data) : renderDigestText(data));
        if (options.chart) {
          const png = await renderDigestChart(data);
          if (!png) throw new Error('No chart: no week in it has figures to show.');
          await writeFile(options.chart, png);
          if (!options.json) output.out(`Chart written to ${options.chart}\n`);
        }
      });
    });

  digest
    .command('export')
    .description(
      "Print a committee's published figures for a range of weeks, as CSV (default) or JSON: exactly what its digests show",
    )
    .requiredOption('--channel <id>', 'the committee channel, e.g. C0123ABCD', slackChannelId)
    .option('--from <date or week>', 'first date (2026-01-01) or ISO week (2026-W01); default: 12 weeks back')
    .option('--to <date or week>', 'last date or ISO week; default: the last finished week')
    .option('--format <format>', 'csv or json', formatOption, 'csv')
    .action(async (options: { channel: string; from?: string; to?: string; format: 'csv' | 'json' }) => {
      await withRepositories(async (repositories) => {
        const deps = readingDeps(repositories, env);
        const exported = await exportCommittee(deps, options.channel, options);
        if (!exported.ok) throw new Error(digestWords(exported.code, exported.values));
        output.out(options.format === 'json' ? jsonLines(exported.rows) : toCsv(exported.rows));
        await repositories.audit.record(
          exportAuditEntry({
            actor: operatorActor(env),
            channelId: options.channel,
            weeks: exported.weeks,
            rows: exported.rows.length,
            format: options.format,
            sentTo: 'terminal',
            at: systemClock.now(),
          }),
        );
      });
    });

  digest
    .command('send')
    .description(
      'Post a finished week’s digest to its channel now, unless it was posted already (needs the Slack settings)',
    )
    .requiredOption('--channel <id>', 'the committee channel, e.g. C0123ABCD', slackChannelId)
    .option('--week <week>', 'the ISO week, e.g. 2026-W47 (default: the last finished week)', isoWeek)
    .action(async (options: { channel: string; week?: string }) => {
      await withApp(async ({ background }) => {
        const result = await sendDigestNow(background.digests, options.channel, options.week);
        if (!result.ok) throw new Error(digestWords(result.code, result.values));
        const where = result.post?.messageTs ? ` (message ts ${result.post.messageTs})` : '';
        const said: Record<string, string> = {
          posted: `Posted the digest for ${result.week} to ${options.channel}${where}.`,
          found_earlier: `The digest for ${result.week} had been posted by an earlier attempt${where}; recorded it.`,
          already_posted: `The digest for ${result.week} was posted already${where}; nothing sent.`,
          busy: `The digest for ${result.week} is being sent by ${result.post?.claimedBy ?? 'another copy'}, or waits for its retry time; nothing sent.`,
        };
        const message = said[result.outcome];
        if (!message)
          throw new Error(`Not posted: ${result.error ?? result.outcome}. The scheduler will retry.`);
        output.out(`${message}\n`);
      });
    });
}
