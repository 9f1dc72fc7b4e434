import type { KnownBlock, RichTextBlock } from '@slack/types';
import { mrkdwn, plain, type SlackMessage } from '../../lib/block-kit.js';
import { formatDay } from '../../lib/clock.js';
import { forTerminal } from '../../lib/control-characters.js';
import {
  bold,
  bulleted,
  emoji,
  type Inline,
  italic,
  paragraph,
  quoted,
  richText,
  text,
  user,
} from '../../lib/rich-text.js';
import { escapeMrkdwn, truncate } from '../../lib/text.js';
import { thresholdWords } from '../committees/committees.views.js';
import { formatGap } from '../rounds/rounds.gap.js';
import { type DigestData, type Figures, HEADLINE_TREND_WEEKS, type Light } from './digests.build.js';
import type { ServicePointRow } from './digests.service-points.js';

/**
 * The digest as Block Kit (for the channel) and as plain text (for the CLI and the demo), both pure
 * functions of DigestData. Long lists are cut to the worst rows and the rest summed up by light, so a
 * digest of hundreds of units stays inside Slack's limits (50 blocks, about 12,000 characters in
 * all). Unit and staff names are typed by people, so every line that holds one is rich text.
 */

/** Rows listed per section; the rest are counted by light. */
export const MAX_LISTED_ROWS = 25;
/** Best practices listed in full (DigestData holds at most this many); the rest are counted. */
export const MAX_LISTED_PRACTICES = 5;
/** How much of each practice's words a digest shows, so five stay well inside the message's text limit. */
const PRACTICE_WHAT_MAX = 280;
const PRACTICE_WHY_MAX = 200;
/** Service points listed in full; the rest are counted. */
export const MAX_LISTED_POINTS = 8;
const NAME_MAX = 40;

const LIGHT_EMOJI: Record<Light, string> = {
  green: 'large_green_circle',
  yellow: 'large_yellow_circle',
  red: 'red_circle',
};

/**
 * What each light means, in words beside it: a screen reader reads the emoji's name ("red circle"),
 * not its meaning, and a reader who cannot tell the colours apart sees the same verdict.
 */
export const LIGHT_WORDS: Record<Light, string> = {
  green: 'green: customers see it as well or better',
  yellow: 'yellow: customers rate it a little lower',
  red: 'red: blind spot',
};

/** One decimal always, with formatGap's sign: +0.5, 0.0, -1.3. */
export function formatAverageGap(gap: number): string {
  const text = formatGap(gap === 0 ? 0 : gap);
  return Number.isInteger(gap) ? `${text}.0` : text;
}

const score = (value: number) => value.toFixed(1);
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

export function scopeText(data: Pick<DigestData, 'committee'>): string {
  const { units } = data.committee;
  if (units.length === 0) return 'All staff';
  const listed = units.slice(0, 6).join(', ');
  return `Units: ${units.length > 6 ? `${listed} and ${units.length - 6} more` : listed}`;
}

/** "N rounds in units or weeks too small to show are left out", or null when none were. */
export function leftOutText(rounds: number): string | null {
  if (rounds === 0) return null;
  return rounds === 1
    ? '1 round in units or weeks too small to show is left out'
    : `${rounds} rounds in units or weeks too small to show are left out`;
}

function changeText(change: number | null): string | null {
  if (change === null) return null;
  if (change === 0) return 'unchanged from the week before';
  return `${change > 0 ? 'better' : 'worse'} by ${Math.abs(change).toFixed(1)} than the week before`;
}

const SPARK = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** The average gap over the last weeks as a sparkline; '·' marks a week too small to show. */
export function sparkline(values: (number | null)[]): string {
  const known = values.filter((value): value is number => value !== null);
  if (known.length === 0) return values.map(() => '·').join('');
  const low = Math.min(...known);
  const high = Math.max(...known);
  return values
    .map((value) => {
      if (value === null) return '·';
      if (high === low) return SPARK[3];
      return SPARK[Math.round(((value - low) / (high - low)) * (SPARK.length - 1))];
    })
    .join('');
}

function trendText(data: DigestData): string | null {
  const recent = data.trend.slice(-HEADLINE_TREND_WEEKS);
  const gaps = recent.map((point) => point.figures?.gap ?? null);
  const known = recent.filter((point) => point.figures);
  if (known.length < 2) return null;
  const first = known[0]?.figures as Figures;
  const last = known[known.length - 1]?.figures as Figures;
  return `Average gap, last ${recent.length} weeks: ${sparkline(gaps)}  (${formatAverageGap(first.gap)} → ${formatAverageGap(last.gap)})`;
}

function row(name: string, figures: Figures): Inline[] {
  return [
    emoji(LIGHT_EMOJI[figures.light]),
    text(' '),
    bold(name),
    text(`  self ${score(figures.self)} · customer ${score(figures.customer)} · gap `),
    bold(formatAverageGap(figures.gap)),
    text(` (${LIGHT_WORDS[figures.light]}) · ${plural(figures.rounds, 'round')}`),
  ];
}

function restByLight(rows: Figures[], noun: string): string | null {
  if (rows.length === 0) return null;
  const count = (light: Light) => rows.filter((row) => row.light === light).length;
  const parts = (['red', 'yellow', 'green'] as const)
    .map((light) => (count(light) > 0 ? `${count(light)} ${light}` : null))
    .filter(Boolean);
  return `…and ${plural(rows.length, `more ${noun}`, `more ${noun}s`)} not listed: ${parts.join(', ')}.`;
}

/** A titled list of rows, one a line, as one rich text block. */
function rowsBlock(title: Inline[], lines: Inline[][]): RichTextBlock {
  const joined = lines.flatMap((line) => [text('\n'), ...line]);
  return richText(paragraph(...title, ...joined));
}

const unitName = (unit: string) => truncate(unit, NAME_MAX);
const personName = (row: { name: string | null; staffUserId: string }) =>
  truncate(row.name ?? row.staffUserId, NAME_MAX);

function followUpLines(data: DigestData): string[] {
  const { awaitingCustomer, expiredThisWeek, noLongerNeed } = data.followUps;
  const lines = [
    `${plural(awaitingCustomer, 'round')} awaiting a customer’s answer at the end of the week`,
    `${plural(expiredThisWeek, 'round')} expired this week without an answer`,
  ];
  if (noLongerNeed !== null && noLongerNeed > 0)
    lines.push(
      `${plural(noLongerNeed, 'round')} where the customer named something they no longer need: worth asking the staff involved what could stop`,
    );
  const { plans } = data.followUps;
  if (plans.open > 0 || plans.improved > 0) {
    const next = plans.nextCheckin
      ? `, next check-in ${formatDay(new Date(plans.nextCheckin), data.committee.timeZone)}`
      : '';
    const byUnit = plans.byUnit
      .slice(0, 10)
      .map((row) => `${unitName(row.unit)} ${row.open}${row.improved ? ` (${row.improved} improved)` : ''}`)
      .join(', ');
    lines.push(
      `${plural(plans.open, 'open action plan')} in units shown${next}${byUnit ? `: ${byUnit}` : ''}`,
    );
    lines.push(`${plural(plans.improved, 'action plan')} in units shown closed as improved so far`);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// At the service points: walk-up patrons' experience against what they expected

/** The expectation gap in words, so no reader depends on a sign or a colour. */
export function expectationWords(gap: number): string {
  if (gap < 0) return `expectations not met, by ${Math.abs(gap).toFixed(1)}`;
  if (gap > 0) return `expectations exceeded, by ${gap.toFixed(1)}`;
  return 'expectations met exactly';
}

function pointTrendText(point: ServicePointRow): string | null {
  const known = point.trend.filter((week) => week.gap !== null);
  const change =
    point.gapChange === null
      ? null
      : point.gapChange === 0
        ? 'same gap as the week before'
        : `gap ${point.gapChange > 0 ? 'better' : 'worse'} by ${Math.abs(point.gapChange).toFixed(1)} than the week before`;
  if (known.length < 2) return change;
  const line = `gap, last ${point.trend.length} weeks: ${sparkline(point.trend.map((week) => week.gap))}`;
  return change ? `${change}; ${line}` : line;
}

function staffSelfText(point: ServicePointRow): string {
  const rating = point.staffSelfRating;
  return rating.shown
    ? `staff of the unit rate themselves ${score(rating.self)} (${plural(rating.rounds, 'round')})`
    : 'the unit’s self-rating cannot be shown this week (too few rounds, or from too few people)';
}

function pointLines(point: ServicePointRow): Inline[] {
  const trend = pointTrendText(point);
  return [
    bold(truncate(point.name, NAME_MAX)),
    text(
      ` (${unitName(point.unit)}${point.retired ? ', retired' : ''})  experience ${score(point.experience)} · expected ${score(point.expectation)} · gap `,
    ),
    bold(formatAverageGap(point.gap)),
    text(`, ${expectationWords(point.gap)} · ${plural(point.answers, 'answer')}`),
    text(`\n      ${staffSelfText(point)}${trend ? ` · ${trend}` : ''}`),
  ];
}

function servicePointNotes(data: DigestData): string[] {
  const { pointsLeftOut, pointsWithoutAnswers, spamLeftOut } = data.servicePoints;
  const min = data.committee.minGroupSize;
  const notes: string[] = [];
  if (pointsLeftOut > 0)
    notes.push(
      `${plural(pointsLeftOut, 'service point')} had fewer than ${min} answers this week and ${pointsLeftOut === 1 ? 'is' : 'are'} not shown`,
    );
  if (pointsWithoutAnswers > 0)
    notes.push(`${plural(pointsWithoutAnswers, 'service point')} had no answers this week`);
  if (spamLeftOut > 0)
    notes.push(
      `${plural(spamLeftOut, 'answer')} that looked like spam ${spamLeftOut === 1 ? 'was' : 'were'} left out`,
    );
  return notes;
}

const hasServicePoints = (data: DigestData): boolean => {
  const section = data.servicePoints;
  return section.points.length > 0 || section.pointsLeftOut > 0 || section.spamLeftOut > 0;
};

function restOfPoints(points: ServicePointRow[]): string | null {
  if (points.length === 0) return null;
  const below = points.filter((point) => point.gap < 0).length;
  return `…and ${plural(points.length, 'more service point')} not listed: ${below} below expectations, ${points.length - below} meeting or exceeding them.`;
}

/** The section's blocks: nothing when no point in scope had an answer this week. */
function servicePointBlocks(data: DigestData): KnownBlock[] {
  if (!hasServicePoints(data)) return [];
  const { points } = data.servicePoints;
  const lines: Inline[][] = points.slice(0, MAX_LISTED_POINTS).map(pointLines);
  const rest = restOfPoints(points.slice(MAX_LISTED_POINTS));
  if (rest) lines.push([italic(rest)]);
  if (points.length === 0)
    lines.push([italic('No service point had enough answers this week to show its figures.')]);
  const notes = servicePointNotes(data);
  return [
    { type: 'divider' },
    rowsBlock(
      [
        bold('At the service points'),
        text(': walk-up patrons’ experience against what they expected, worst gap first'),
      ],
      lines,
    ),
    {
      type: 'context',
      elements: [
        mrkdwn(
          `${notes.length > 0 ? `${notes.map((note) => `${note.charAt(0).toUpperCase()}${note.slice(1)}`).join('. ')}. ` : ''}A point is shown only with at least ${data.committee.minGroupSize} answers in the week. Patrons’ written answers go to the point’s owner alone, never here.`,
        ),
      ],
    },
  ];
}

/**
 * Slack refuses a message whose blocks hold more than about 12,000 characters of text in all
 * (`msg_blocks_too_long`); the practices take what the rest of the digest leaves under this.
 */
const MESSAGE_TEXT_BUDGET = 11_500;
/** Room kept for the section's title and its count of practices not listed. */
const PRACTICE_SECTION_OVERHEAD = 250;

/** Characters of text in blocks, counted as Slack counts them: every `text` string, at any depth. */
function textIn(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((sum: number, item) => sum + textIn(item), 0);
  if (typeof node !== 'object' || node === null) return 0;
  let sum = 0;
  for (const [key, value] of Object.entries(node))
    sum += key === 'text' && typeof value === 'string' ? Array.from(value).length : textIn(value);
  return sum;
}

/**
 * "Best practices shared this week": each with its author's mention and their words as literal
 * rich text (never mrkdwn), cut to a length, as many as fit in `budget` characters (at most
 * MAX_LISTED_PRACTICES); the ones not listed are counted.
 */
function practiceBlocks(data: DigestData, budget: number): KnownBlock[] {
  const { listed, total } = data.practices;
  if (total === 0) return [];
  let left = budget - PRACTICE_SECTION_OVERHEAD;
  const lines: RichTextBlock['elements'] = [];
  let shown = 0;
  for (const practice of listed.slice(0, MAX_LISTED_PRACTICES)) {
    const parts = [
      paragraph(
        user(practice.authorUserId),
        text(` (${truncate(practice.unit, NAME_MAX)}), on `),
        bold(truncate(practice.service, 75)),
        text(':'),
      ),
      quoted(truncate(practice.whatYouDo, PRACTICE_WHAT_MAX)),
      paragraph(italic('Why it works: '), text(truncate(practice.whyItWorks, PRACTICE_WHY_MAX))),
    ];
    const size = textIn(parts);
    if (size > left) break;
    left -= size;
    lines.push(...parts);
    shown++;
  }
  const rest = total - shown;
  const full = shown === 0 ? ' (this digest is full)' : '';
  return [
    { type: 'divider' },
    richText(
      paragraph(
        bold('Best practices shared this week'),
        text(': what staff do well, in their own words, shared with their name by their choice'),
      ),
      ...lines,
      rest > 0 &&
        paragraph(italic(`…and ${plural(rest, 'more practice')} shared this week, not listed here${full}.`)),
    ),
  ];
}

function practiceTextLines(data: DigestData): string[] {
  const { listed, total } = data.practices;
  if (total === 0) return [];
  const lines = ['', 'Best practices shared this week:'];
  for (const practice of listed)
    lines.push(
      `  ${practice.authorUserId} (${truncate(forTerminal(practice.unit), NAME_MAX)}), on ${truncate(forTerminal(practice.service), 75)}:`,
      `    ${truncate(forTerminal(practice.whatYouDo), PRACTICE_WHAT_MAX)}`,
      `    Why it works: ${truncate(forTerminal(practice.whyItWorks), PRACTICE_WHY_MAX)}`,
    );
  if (total > listed.length) lines.push(`  (…and ${plural(total - listed.length, 'more practice')})`);
  return lines;
}

function servicePointTextLines(data: DigestData): string[] {
  if (!hasServicePoints(data)) return [];
  const lines = ['', 'At the service points (walk-up patrons), worst gap first:'];
  for (const point of data.servicePoints.points) {
    const trend = pointTrendText(point);
    lines.push(
      `  ${truncate(forTerminal(point.name), NAME_MAX).padEnd(NAME_MAX)}  experience ${score(point.experience)}  expected ${score(point.expectation)}  gap ${formatAverageGap(point.gap).padStart(4)}  (${plural(point.answers, 'answer')}; ${expectationWords(point.gap)})`,
      `  ${' '.repeat(NAME_MAX)}  unit ${truncate(forTerminal(point.unit), NAME_MAX)}: ${staffSelfText(point)}${trend ? `; ${trend}` : ''}`,
    );
  }
  if (data.servicePoints.points.length === 0)
    lines.push('  No service point had enough answers this week to show its figures.');
  for (const note of servicePointNotes(data)) lines.push(`  (${note})`);
  return lines;
}

function notificationText(data: DigestData): string {
  const { headline } = data;
  if (!headline.figures) {
    return headline.roundsLeftOut === 0
      ? `Service digest for ${data.week.label}: no completed rounds.`
      : `Service digest for ${data.week.label}: no unit could be shown this week.`;
  }
  return `Service digest for ${data.week.label}: ${plural(headline.rounds, 'completed round')}, average gap ${formatAverageGap(headline.figures.gap)}.`;
}

/** The week had completed rounds, but no unit's came from enough different people to show. */
function tooSmallLine(data: DigestData): string {
  const min = data.committee.minGroupSize;
  return `${plural(data.headline.roundsLeftOut, 'round')} completed this week, but no unit’s came from at least ${min} different staff members and ${min} different customers, so no figures are shown, to keep each person’s rating private.`;
}

/** One line for an empty week, rather than an empty table. */
function emptyWeekLine(data: DigestData): string {
  const awaiting = data.followUps.awaitingCustomer;
  return `*Service digest, ${data.week.label}:* no rounds were completed this week${
    awaiting > 0 ? `; ${plural(awaiting, 'round is', 'rounds are')} awaiting a customer` : ''
  }.`;
}

const individualsNote = (min: number) =>
  `Rows for staff members appear only in units shown, and only where each of the unit’s staff members had at least ${min} different customers this week.`;

/** The digest as the channel sees it. */
export function buildDigestMessage(data: DigestData, options: { preview?: boolean } = {}): SlackMessage {
  const fallback = notificationText(data);
  const { headline, committee } = data;
  const min = committee.minGroupSize;
  const noRounds = headline.rounds === 0 && headline.roundsLeftOut === 0;
  if (noRounds && !hasServicePoints(data) && data.practices.total === 0) {
    const line = emptyWeekLine(data);
    return {
      text: fallback,
      blocks: [{ type: 'section', text: mrkdwn(options.preview ? `_Preview._ ${line}` : line) }],
    };
  }

  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`Service digest · ${data.week.label}`) },
    {
      type: 'context',
      // The scope names units as the admin typed them: plain_text, beside the app's own bold words.
      elements: [
        ...(options.preview ? [mrkdwn('*Preview, only you can see this.*')] : []),
        plain(`${scopeText(data)} · week ${data.week.id} (${data.week.timeZone})`),
      ],
    },
  ];

  if (noRounds) {
    blocks.push({ type: 'section', text: mrkdwn(emptyWeekLine(data)) });
  } else if (!headline.figures) {
    blocks.push({ type: 'section', text: mrkdwn(tooSmallLine(data)) });
  } else {
    const { figures, previous } = headline;
    const change = changeText(headline.gapChange);
    blocks.push({
      type: 'section',
      fields: [
        mrkdwn(`*Completed rounds shown*\n${headline.rounds} _(${previous.rounds} the week before)_`),
        mrkdwn(
          `*Average gap*\n:${LIGHT_EMOJI[figures.light]}: ${formatAverageGap(figures.gap)}, ${LIGHT_WORDS[figures.light]}${change ? ` _(${change})_` : ''}`,
        ),
        mrkdwn(`*Self-rating (average)*\n${score(figures.self)} / 10`),
        mrkdwn(`*Customer rating (average)*\n${score(figures.customer)} / 10`),
      ],
    });
    const leftOut = leftOutText(headline.roundsLeftOut);
    const trend = trendText(data);
    const notes = [leftOut ? `${leftOut}.` : null, trend].filter((note): note is string => note !== null);
    if (notes.length > 0) blocks.push({ type: 'context', elements: notes.map((note) => mrkdwn(note)) });

    blocks.push({ type: 'divider' });
    const listed = data.units.slice(0, MAX_LISTED_ROWS);
    const unitLines: Inline[][] = listed.map((unit) => row(unitName(unit.unit), unit));
    const rest = restByLight(data.units.slice(MAX_LISTED_ROWS), 'unit');
    if (rest) unitLines.push([italic(rest)]);
    blocks.push(rowsBlock([bold('By unit'), text(', worst gap first')], unitLines));

    if (data.individuals) {
      const people = data.individuals.slice(0, MAX_LISTED_ROWS);
      const personLines = people.map((person) => row(personName(person), person));
      const more = restByLight(data.individuals.slice(MAX_LISTED_ROWS), 'person');
      if (more) personLines.push([italic(more)]);
      personLines.push([italic(individualsNote(min))]);
      blocks.push(rowsBlock([bold('By staff member'), text(', worst gap first')], personLines));
    }
  }

  blocks.push(...servicePointBlocks(data));
  const tail: KnownBlock[] = [
    { type: 'divider' },
    richText(paragraph(bold('Follow-ups')), bulleted(followUpLines(data).map((line) => [text(line)]))),
  ];
  const threshold = thresholdWords(min);
  tail.push({
    type: 'context',
    elements: [
      mrkdwn(
        `${threshold.charAt(0).toUpperCase()}${threshold.slice(1)}; smaller units and weeks are left out, never pooled. Customers’ answers stay with the staff member; no customer is named here.${
          options.preview ? ' The chart goes in the thread of the real post.' : ''
        }`,
      ),
    ],
  });
  blocks.push(...practiceBlocks(data, MESSAGE_TEXT_BUDGET - textIn(blocks) - textIn(tail)), ...tail);
  return { text: fallback, blocks };
}

// ---------------------------------------------------------------------------------------------
// Plain text, for `digest show` and the demo

const LIGHT_WORD: Record<Light, string> = { green: 'green ', yellow: 'yellow', red: 'red   ' };

/** A row of the operator's text: the name is cleaned before it is padded, so the columns line up. */
function textRow(name: string, figures: Figures): string {
  return `  ${LIGHT_WORD[figures.light]}  ${truncate(forTerminal(name), NAME_MAX).padEnd(NAME_MAX)}  self ${score(figures.self)}  customer ${score(figures.customer)}  gap ${formatAverageGap(figures.gap).padStart(4)}  (${plural(figures.rounds, 'round')})`;
}

export function renderDigestText(data: DigestData): string {
  const { headline, committee } = data;
  const min = committee.minGroupSize;
  const lines = [
    `Service digest · ${data.week.label} (${data.week.id}, ${data.week.timeZone})`,
    `${scopeText(data)} · ${thresholdWords(min)} · channel ${committee.channelId}`,
    '',
  ];
  const noRounds = headline.rounds === 0 && headline.roundsLeftOut === 0;
  if (noRounds && !hasServicePoints(data) && data.practices.total === 0) {
    lines.push(emptyWeekLine(data).replace(/\*/g, ''));
    return `${lines.join('\n')}\n`;
  }
  if (noRounds) {
    lines.push(emptyWeekLine(data).replace(/\*/g, ''));
  } else if (!headline.figures) {
    lines.push(tooSmallLine(data));
  } else {
    const { figures, previous } = headline;
    const change = changeText(headline.gapChange);
    lines.push(
      `Rounds shown      ${headline.rounds} (${previous.rounds} the week before)`,
      `Self (average)    ${score(figures.self)}`,
      `Customer (avg)    ${score(figures.customer)}`,
      `Gap (average)     ${formatAverageGap(figures.gap)} ${figures.light}${change ? `, ${change}` : ''}`,
    );
    const leftOut = leftOutText(headline.roundsLeftOut);
    if (leftOut) lines.push(`${leftOut}.`);
    const trend = trendText(data);
    if (trend) lines.push(trend);
    lines.push('', 'By unit, worst gap first:');
    for (const row of data.units) lines.push(textRow(row.unit, row));
    if (data.individuals) {
      lines.push('', 'By staff member, worst gap first:');
      for (const row of data.individuals) lines.push(textRow(row.name ?? row.staffUserId, row));
      lines.push(`  (${individualsNote(min)})`);
    }
  }
  lines.push(...servicePointTextLines(data));
  lines.push(...practiceTextLines(data));
  lines.push('', 'Follow-ups:', ...followUpLines(data).map((line) => `  • ${line}`));
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// To the admin who set the committee up, once, when a post fails

const FAILURE_REASONS: Record<string, string> = {
  not_in_channel: 'I am not in the channel any more. Invite me back with `/invite @Service Radar`.',
  channel_not_found:
    'I cannot see the channel (deleted, or private and I was removed). Invite me back with `/invite @Service Radar`.',
  is_archived: 'the channel is archived. Unarchive it, or unsubscribe it with `/service-digest unsubscribe`.',
};

export function buildDigestFailedNotice(channelId: string, week: string, error: string): SlackMessage {
  const reason = FAILURE_REASONS[error] ?? `Slack refused the post (\`${escapeMrkdwn(error)}\`).`;
  const text = `The service digest for <#${channelId}> (week ${week}) could not be posted: ${reason} I will keep trying.`;
  return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}
