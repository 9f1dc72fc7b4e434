import type { ActionsBlock, Button, HomeView, KnownBlock } from '@slack/types';
import type { ActionPlan, Round } from '../../db/schema.js';
import { button, plain } from '../../lib/block-kit.js';
import { bold, bulleted, type Inline, paragraph, richText, text, user } from '../../lib/rich-text.js';
import { truncate } from '../../lib/text.js';
import { PRACTICE_ACTIONS, practiceBlocks } from '../practices/practices.views.js';
import { REMINDER_ACTIONS } from '../reminders/reminders.views.js';
import { classifyGap, formatGap } from '../rounds/rounds.gap.js';
import { ROUND_ACTIONS } from '../rounds/rounds.views.js';
import { customersBlocks, servicesBlocks } from './home.customers.views.js';
import { type AdminHome, type GapSeries, gapSeries, type HomeData } from './home.data.js';
import type { Listed } from './home.repository.js';

/** The Home tab's own buttons (the others are the rounds' and reminders' own). */
export const HOME_ACTIONS = {
  /** Opens an action plan for oneself, as `/action-plan @me` does. */
  planForMe: 'home_plan_for_me',
  /** "Ask again" on one of one's open rounds; the value is the round id. */
  askAgain: 'home_ask_again',
  /** Sends the person a CSV of their own rounds by DM, as `/rate-service export` does. */
  exportMine: 'home_export_mine',
} as const;

/** Slack's limit for a Home tab. */
export const HOME_BLOCK_LIMIT = 100;

/**
 * Slack's line chart (the `data_visualization` block, newer than @slack/types): a title of at most
 * 50 characters, 1-6 series of at most 20 points, labels and category names of at most 20.
 */
export interface LineChartBlock {
  type: 'data_visualization';
  block_id?: string;
  title: string;
  chart: {
    type: 'line';
    series: { name: string; data: { label: string; value: number }[] }[];
    axis_config: { categories: string[]; x_label?: string; y_label?: string };
  };
}

export type HomeBlock = KnownBlock | LineChartBlock;
export type HomeTab = Omit<HomeView, 'blocks'> & { blocks: HomeBlock[] };

const header = (value: string): KnownBlock => ({ type: 'header', text: plain(value) });
const divider: KnownBlock = { type: 'divider' };
const note = (value: string): KnownBlock => ({ type: 'context', elements: [plain(value)] });
const actions = (blockId: string, elements: Button[]): ActionsBlock => ({
  type: 'actions',
  block_id: blockId,
  elements,
});
const day = (at: Date) => at.toISOString().slice(0, 10);
const more = (listed: Listed<unknown>, what: string) =>
  listed.total > listed.items.length
    ? [note(`And ${listed.total - listed.items.length} more ${what}, not shown here.`)]
    : [];

/** A customer as the Home names them: a mention in Slack, the typed name (as typed) outside it. */
const customerOf = (round: Pick<Round, 'customerUserId' | 'customerName'>): Inline =>
  round.customerUserId ? user(round.customerUserId) : text(round.customerName, { bold: true });

/** What a gap means, in words as well as its sign, so a screen reader says the same verdict. */
export function gapWords(gap: number): string {
  switch (classifyGap(gap)) {
    case 'blind_spot':
      return `${formatGap(gap)}, a blind spot (red)`;
    case 'hidden_strength':
      return `${formatGap(gap)}, a hidden strength`;
    default:
      return `${formatGap(gap)}, in line`;
  }
}

function waitingBlocks(data: HomeData): KnownBlock[] {
  const { waitingForYou } = data;
  if (waitingForYou.total === 0) return [];
  return [
    header('Waiting for you'),
    ...waitingForYou.items.flatMap((round): KnownBlock[] => [
      richText(
        paragraph(
          user(round.staffUserId),
          text(' asks for your view of '),
          bold(truncate(round.service, 200)),
          text(` (since ${day(round.createdAt)}).`),
        ),
      ),
      actions(`home_waiting_${round.id}`, [
        button(ROUND_ACTIONS.answer, 'Answer the questions', String(round.id), 'primary'),
      ]),
    ]),
    ...more(waitingForYou, 'requests'),
  ];
}

function openRoundBlocks(data: HomeData): KnownBlock[] {
  const { openRounds } = data;
  return [
    header('Your open rounds'),
    ...(openRounds.total === 0
      ? [note('None: every round you started has its answer. Rate a service to start another.')]
      : []),
    ...openRounds.items.flatMap((round): KnownBlock[] => [
      richText(
        paragraph(
          customerOf(round),
          text(
            ` (${truncate(round.service, 200)}): you rated it ${round.selfScore}/10 on ${day(round.createdAt)}; `,
          ),
          text(
            round.customerUserId
              ? 'waiting for their answer.'
              : `interview planned for ${round.interviewOn}.`,
          ),
        ),
      ),
      actions(`home_open_${round.id}`, [
        round.customerUserId
          ? button(HOME_ACTIONS.askAgain, 'Ask again', String(round.id))
          : button(ROUND_ACTIONS.answer, 'Record the interview', String(round.id), 'primary'),
        button(REMINDER_ACTIONS.cancelRound, 'Cancel', String(round.id), 'danger'),
      ]),
    ]),
    ...more(openRounds, 'open rounds'),
  ];
}

/** The chart's takeaway, in words: what a reader of the picture alone would conclude. */
export function gapTakeaway(series: GapSeries, rounds: number): string {
  if (series.averageGap === null) return 'No round of yours was answered in the last year yet.';
  const average =
    series.averageGap === 0
      ? 'your customers rated your service on average the same as you did'
      : `your customers rated your service on average ${Math.abs(series.averageGap)} ${Math.abs(series.averageGap) === 1 ? 'point' : 'points'} ${series.averageGap > 0 ? 'above' : 'below'} your own rating`;
  const change =
    series.change === null || series.change === 0
      ? ''
      : ` The gap ${series.change > 0 ? 'grew more favourable' : 'grew less favourable'} by ${Math.abs(series.change)} from the first ${series.by === 'round' ? 'round' : 'month'} shown to the last.`;
  return `Over ${rounds} answered ${rounds === 1 ? 'round' : 'rounds'} in the last year, ${average} (gap ${gapWords(series.averageGap)}).${change}`;
}

function gapBlocks(data: HomeData): HomeBlock[] {
  const series = gapSeries(data.completed);
  const blocks: HomeBlock[] = [header('Your gap over time')];
  if (series.points.length > 0) {
    const categories = series.points.map((point) => point.label);
    blocks.push({
      type: 'data_visualization',
      block_id: 'home_gap_chart',
      title:
        series.by === 'round' ? 'Self and customer score, per round' : 'Self and customer score, by month',
      chart: {
        type: 'line',
        series: [
          { name: 'Your rating', data: series.points.map((p) => ({ label: p.label, value: p.self })) },
          {
            name: 'Customer rating',
            data: series.points.map((p) => ({ label: p.label, value: p.customer })),
          },
        ],
        axis_config: {
          categories,
          x_label: series.by === 'round' ? 'Round answered' : 'Month',
          y_label: 'Score (1-10)',
        },
      },
    });
  }
  blocks.push(richText(paragraph(text(gapTakeaway(series, data.completed.length)))));
  return blocks;
}

function planLine(plan: ActionPlan, nextCheckinAt: Date | null, userId: string): Inline[] {
  const whose =
    plan.staffUserId === userId ? [text('Your plan')] : [text('Plan for '), user(plan.staffUserId)];
  const state =
    plan.state === 'awaiting_plan'
      ? 'waiting to be written'
      : [
          nextCheckinAt ? `next check-in ${day(nextCheckinAt)}` : 'no check-in due',
          plan.remeasureOn ? `re-measure on ${plan.remeasureOn}` : undefined,
        ]
          .filter(Boolean)
          .join(', ');
  return [...whose, text(` (plan ${plan.id}): ${state}.`)];
}

function planBlocks(data: HomeData): KnownBlock[] {
  const { plans } = data;
  if (plans.total === 0) return [];
  return [
    header(data.isManager ? 'Action plans you are in or manage' : 'Your action plans'),
    richText(
      bulleted(plans.items.map(({ plan, nextCheckinAt }) => planLine(plan, nextCheckinAt, data.userId))),
    ),
    ...more(plans, 'plans'),
  ];
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function adminBlocks(admin: AdminHome): KnownBlock[] {
  const committeeLines = admin.committees.items.map(({ committee, lastPost }): Inline[] => [
    { type: 'channel', channel_id: committee.channelId },
    text(
      `: ${committee.units.length ? committee.units.join(', ') : 'all staff'}; ${WEEKDAYS[committee.weekday - 1]} at ${String(committee.hour).padStart(2, '0')}:00 ${committee.timeZone}; minimum group ${committee.minGroupSize}; `,
    ),
    lastPost
      ? lastPost.state === 'failed'
        ? bold(`last post failed (${lastPost.week}: ${lastPost.lastError ?? 'unknown error'})`)
        : text(lastPost.state === 'posted' ? `last posted for ${lastPost.week}` : `posting ${lastPost.week}`)
      : text('nothing posted yet'),
  ]);
  const byUnit = new Map<string, { userId: string; lastRoundAt: Date | null }[]>();
  for (const person of admin.notStarted.items) {
    const list = byUnit.get(person.unit) ?? [];
    list.push(person);
    byUnit.set(person.unit, list);
  }
  const notStartedLines = [...byUnit.entries()].map(([unit, people]): Inline[] => [
    bold(unit),
    text(': '),
    ...people.flatMap((person, i): Inline[] => [
      ...(i > 0 ? [text(', ')] : []),
      user(person.userId),
      text(person.lastRoundAt ? ` (last ${day(person.lastRoundAt)})` : ' (never)'),
    ]),
  ]);
  const mutedLines = admin.muted.items.map((person): Inline[] => [
    user(person.userId),
    text(` until ${day(person.mutedUntil)}`),
  ]);
  return [
    divider,
    header('For admins'),
    note('Only admins see this part. It is never posted in a channel.'),
    richText(
      paragraph(bold('Committees')),
      committeeLines.length ? bulleted(committeeLines) : paragraph(text('No channel follows a digest yet.')),
    ),
    ...more(admin.committees, 'committees'),
    richText(
      paragraph(bold(`Who has not started a round in ${admin.cadenceDays} days`)),
      notStartedLines.length ? bulleted(notStartedLines) : paragraph(text('Everyone has.')),
    ),
    ...more(admin.notStarted, 'people'),
    richText(
      paragraph(bold('Reminders muted')),
      mutedLines.length ? bulleted(mutedLines) : paragraph(text('Nobody has muted their reminders.')),
    ),
    ...more(admin.muted, 'people'),
  ];
}

/** A person's Home tab. Every list is cut and counted, so it never passes Slack's 100 blocks. */
export function buildHomeView(data: HomeData): HomeTab {
  const blocks: HomeBlock[] = [
    header('Your service radar'),
    actions('home_buttons', [
      button(REMINDER_ACTIONS.startRound, 'Rate a service', 'new', 'primary'),
      button(PRACTICE_ACTIONS.share, 'Share a best practice', 'home'),
      button(HOME_ACTIONS.planForMe, 'Open an action plan for myself', 'me'),
      button(HOME_ACTIONS.exportMine, 'Download my rounds (CSV)', 'me'),
    ]),
    ...waitingBlocks(data),
    divider,
    ...openRoundBlocks(data),
    divider,
    ...gapBlocks(data),
    ...(data.customers !== undefined
      ? [divider, ...customersBlocks(data.customers), divider, ...servicesBlocks(data.customers)]
      : []),
    ...(data.plans.total > 0 ? [divider] : []),
    ...planBlocks(data),
    ...(data.practices ? [divider] : []),
    ...practiceBlocks(data.practices, data.userId),
    ...(data.admin ? adminBlocks(data.admin) : []),
    note(`Updated ${data.generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.`),
  ];
  if (blocks.length > HOME_BLOCK_LIMIT) throw new Error(`a Home of ${blocks.length} blocks`);
  return { type: 'home', blocks };
}
