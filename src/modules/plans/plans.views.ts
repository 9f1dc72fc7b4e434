import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { ActionPlan, PlanStep, Round, RoundResponse } from '../../db/schema.js';
import { button, mrkdwn, plain, type SlackMessage } from '../../lib/block-kit.js';
import { bold, emoji, italic, paragraph, quoted, richText, strike, text, user } from '../../lib/rich-text.js';
import { truncate } from '../../lib/text.js';
import { INTERVIEW_QUESTIONS } from '../rounds/rounds.content.js';
import { classifyGap, formatGap, gapOf } from '../rounds/rounds.gap.js';

export const PLAN_ACTIONS = {
  write: 'plan_write',
  markStep: 'plan_step_done',
  addNote: 'plan_add_note',
  startRemeasure: 'plan_start_remeasure',
  close: 'plan_close',
} as const;

export const PLAN_MODAL = {
  callbackId: 'plan_write',
  blocks: {
    strengths: 'plan_strengths',
    improvements: 'plan_improvements',
    steps: 'plan_steps',
    successMeasure: 'plan_success_measure',
    checkinEvery: 'plan_checkin_every',
    remeasureOn: 'plan_remeasure_on',
    share: 'plan_share',
  },
  actionId: 'value',
  shareValue: 'share_customer_answers',
} as const;

/** The manager's form that opens a plan: where it lives. */
export const PLAN_OPEN_MODAL = {
  callbackId: 'plan_open',
  blocks: { channel: 'plan_private_channel' },
  actionId: 'value',
} as const;

export const NOTE_MODAL = { callbackId: 'plan_note', block: 'plan_note_text', actionId: 'value' } as const;
export const CLOSE_MODAL = {
  callbackId: 'plan_close',
  blocks: { outcome: 'plan_outcome', note: 'plan_outcome_note' },
  actionId: 'value',
} as const;

/** The handbook's "Creating an Action Plan" prompts. */
export const PLAN_PROMPTS = {
  strengths: 'List the things you feel are your strengths in how you deal with your customers.',
  improvements: 'List the areas you feel need improvement.',
  steps: 'List the steps you will take to improve your service. One step per line.',
  successMeasure: 'How will you know when you have improved?',
} as const;

export const PLAN_LIMITS = { prompt: 1500, step: 200, maxSteps: 15, note: 1000 } as const;
export const CHECKIN_CHOICES = [7, 14, 28] as const;
export const OUTCOMES = [
  { value: 'improved', label: 'Improved' },
  { value: 'no_change', label: 'No change' },
  { value: 'worse', label: 'Worse' },
] as const;

function scoreFields(label: string, round: Round, response: RoundResponse) {
  const gap = gapOf(round.selfScore, response.customerScore);
  const kind = classifyGap(gap);
  const tag =
    kind === 'blind_spot' ? ' (blind spot)' : kind === 'hidden_strength' ? ' (hidden strength)' : '';
  return [
    mrkdwn(`*${label}: customer*\n${response.customerScore}/10`),
    mrkdwn(`*${label}: self*\n${round.selfScore}/10`),
    mrkdwn(`*${label}: gap*\n${formatGap(gap)}${tag}`),
  ];
}

/** The thread's parent: who, and where they start from. Scores only, never the customer's words. */
export function buildPlanParentMessage(
  plan: Pick<ActionPlan, 'staffUserId' | 'managerUserId'>,
  start: { round: Round; response: RoundResponse } | undefined,
): SlackMessage {
  const opener =
    plan.managerUserId === plan.staffUserId
      ? `<@${plan.staffUserId}> opened an action plan for their own service.`
      : `Action plan for <@${plan.staffUserId}>, opened by <@${plan.managerUserId}>.`;
  const blocks: KnownBlock[] = [{ type: 'section', text: mrkdwn(`:dart: ${opener}`) }];
  if (start) {
    blocks.push(
      { type: 'section', fields: scoreFields('Now', start.round, start.response) },
      {
        type: 'context',
        elements: [
          plain(
            `From round ${start.round.id} (${start.round.service}), answered ${start.round.completedAt?.toISOString().slice(0, 10) ?? ''}.`,
          ),
        ],
      },
    );
  } else {
    blocks.push({
      type: 'context',
      elements: [mrkdwn('No completed round yet: the re-measure will be the first.')],
    });
  }
  return { text: opener.replace(/:dart: /, ''), blocks };
}

/**
 * The manager's form, opened by `/action-plan @staff`: who the plan is for, the round it starts from
 * (scores and service only), and where it will live: a group DM of the manager, the staff member and
 * the app unless the manager chooses a private channel. The picker lists private channels only; a
 * public one sent anyway is refused when the form is submitted.
 */
export function buildPlanOpenModal(opening: {
  staffUserId: string;
  managerUserId: string;
  start: { round: Round; response: RoundResponse } | undefined;
}): ModalView {
  const self = opening.managerUserId === opening.staffUserId;
  const { start } = opening;
  const from = start
    ? (() => {
        const gap = gapOf(start.round.selfScore, start.response.customerScore);
        return (
          `It starts from round ${start.round.id} (${start.round.service}), answered ` +
          `${start.round.completedAt?.toISOString().slice(0, 10) ?? ''}: customer ${start.response.customerScore}/10, ` +
          `self ${start.round.selfScore}/10, gap ${formatGap(gap)}.`
        );
      })()
    : 'No completed round yet: the re-measure will be the first.';
  return {
    type: 'modal',
    callback_id: PLAN_OPEN_MODAL.callbackId,
    title: plain('Open an action plan'),
    submit: plain('Open the plan'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ staffUserId: opening.staffUserId, roundId: start?.round.id ?? null }),
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          self ? 'An action plan for your own service.' : `An action plan for <@${opening.staffUserId}>.`,
        ),
      },
      // The service is typed text: plain_text, never mrkdwn.
      { type: 'context', elements: [plain(truncate(from, 2000))] },
      {
        type: 'section',
        text: mrkdwn(
          (self
            ? 'It lives in your direct messages with Service Radar'
            : `It lives in a group DM of you, <@${opening.staffUserId}> and Service Radar`) +
            ', unless you choose a private channel below. Never in a public channel, and the customer is never named in it.',
        ),
      },
      {
        type: 'input',
        block_id: PLAN_OPEN_MODAL.blocks.channel,
        optional: true,
        label: plain('Or a private channel'),
        hint: plain(
          [
            'Private channels only, with Service Radar in them (/invite @Service Radar).',
            self ? '' : 'The staff member must be in it too, to write the plan.',
          ]
            .filter(Boolean)
            .join(' '),
        ),
        element: {
          type: 'conversations_select',
          action_id: PLAN_OPEN_MODAL.actionId,
          placeholder: plain(self ? 'Leave empty for your DM' : 'Leave empty for the group DM'),
          filter: { include: ['private'], exclude_bot_users: true },
        },
      },
    ],
  };
}

export function buildWritePromptMessage(plan: ActionPlan): SlackMessage {
  return {
    text: `<@${plan.staffUserId}>, write your plan here.`,
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `<@${plan.staffUserId}>, write your plan: your strengths, what needs improving, the steps you will take, ` +
            'and how you will know you have improved. Only you can write it.',
        ),
      },
      {
        type: 'actions',
        block_id: `plan_${plan.id}_write`,
        elements: [button(PLAN_ACTIONS.write, 'Write the plan', String(plan.id), 'primary')],
      },
    ],
  };
}

function checkinOptions(): PlainTextOption[] {
  return CHECKIN_CHOICES.map((days) => ({
    text: plain(days === 7 ? 'Every week' : `Every ${days / 7} weeks`),
    value: String(days),
  }));
}

/**
 * The staff member's plan. `canShare`: the customer agreed that their written answers may go to
 * the manager (see shareableAnswers); without it the form has no share option at all.
 */
export function buildPlanModal(
  plan: ActionPlan,
  defaults: { remeasureOn: string; canShare: boolean },
): ModalView {
  const { blocks: ids, actionId } = PLAN_MODAL;
  const text = (blockId: string, label: string, max: number, hint?: string): KnownBlock => ({
    type: 'input',
    block_id: blockId,
    label: plain(label),
    ...(hint ? { hint: plain(hint) } : {}),
    element: { type: 'plain_text_input', action_id: actionId, multiline: true, max_length: max },
  });
  const blocks: KnownBlock[] = [
    text(ids.strengths, PLAN_PROMPTS.strengths, PLAN_LIMITS.prompt),
    text(ids.improvements, PLAN_PROMPTS.improvements, PLAN_LIMITS.prompt),
    text(
      ids.steps,
      PLAN_PROMPTS.steps,
      PLAN_LIMITS.prompt,
      `Up to ${PLAN_LIMITS.maxSteps} steps; each can be marked done in the thread.`,
    ),
    text(ids.successMeasure, PLAN_PROMPTS.successMeasure, PLAN_LIMITS.prompt),
    {
      type: 'input',
      block_id: ids.checkinEvery,
      label: plain('Check in on progress'),
      element: {
        type: 'static_select',
        action_id: actionId,
        options: checkinOptions(),
        initial_option: checkinOptions()[1] as PlainTextOption,
      },
    },
    {
      type: 'input',
      block_id: ids.remeasureOn,
      label: plain('Ask the customer again on'),
      hint: plain('The same customer rates the same service again, so you can see before and after.'),
      element: { type: 'datepicker', action_id: actionId, initial_date: defaults.remeasureOn },
    },
  ];
  if (defaults.canShare) {
    blocks.push({
      type: 'input',
      block_id: ids.share,
      optional: true,
      label: plain("Your customer's answers"),
      hint: plain(
        "Your customer agreed to this. Your manager alone gets them, in a direct message, without the customer's name.",
      ),
      element: {
        type: 'checkboxes',
        action_id: actionId,
        options: [
          {
            text: plain('Share two of them with your manager'),
            description: plain('"What am I not adequately providing?" and "What should I concentrate on?"'),
            value: PLAN_MODAL.shareValue,
          },
        ],
      },
    });
  } else if (plan.roundId !== null && plan.managerUserId !== plan.staffUserId) {
    blocks.push({
      type: 'context',
      elements: [
        plain(
          "Your customer's written answers stay with you: sharing them with your manager needs the customer's agreement, given in their form.",
        ),
      ],
    });
  }
  return {
    type: 'modal',
    callback_id: PLAN_MODAL.callbackId,
    title: plain('Your action plan'),
    submit: plain('Post the plan'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ planId: plan.id }),
    blocks,
  };
}

function stepBlock(step: PlanStep, withButton: boolean): KnownBlock {
  // A cap keeps fifteen steps within a message's budget even if one were stored longer than allowed.
  const label = `${step.position}. ${truncate(step.text, 300)}`;
  if (step.doneAt) {
    return richText(
      paragraph(
        emoji('white_check_mark'),
        text(' '),
        strike(label),
        text('  '),
        italic('done by '),
        step.doneByUserId && user(step.doneByUserId, { italic: true }),
      ),
    );
  }
  return {
    type: 'section',
    block_id: `step_${step.id}`,
    // plain_text, not rich text: a section is the block that can carry the button beside the step.
    text: plain(label),
    ...(withButton ? { accessory: button(PLAN_ACTIONS.markStep, 'Mark done', String(step.id)) } : {}),
  };
}

/** The plan as posted in the thread; re-rendered when a step is marked done. */
export function buildPlanMessage(plan: ActionPlan, steps: PlanStep[]): SlackMessage {
  // Three of these and fifteen steps must fit one message's ~12,000 characters.
  const section = (title: string, body: string | null): KnownBlock =>
    richText(paragraph(bold(title)), body && quoted(truncate(body, 1900)));
  const every =
    plan.checkinEveryDays === 7 ? 'every week' : `every ${(plan.checkinEveryDays ?? 14) / 7} weeks`;
  return {
    text: `The action plan of <@${plan.staffUserId}>.`,
    blocks: [
      { type: 'header', text: plain('The plan') },
      section('Strengths', plan.strengths),
      section('Areas to improve', plan.improvements),
      section('How I will know I have improved', plan.successMeasure),
      { type: 'section', text: mrkdwn('*Steps*') },
      ...steps.map((step) => stepBlock(step, true)),
      {
        type: 'context',
        elements: [mrkdwn(`Check-ins ${every}; the customer is asked again on ${plan.remeasureOn}.`)],
      },
    ],
  };
}

/**
 * Only when the customer agreed and the staff member chose to share: two of the customer's answers,
 * for the manager alone (the app's DM with them). The customer is not named: their words are enough.
 */
export function buildSharedAnswersMessage(
  plan: ActionPlan,
  round: Round,
  response: RoundResponse,
): SlackMessage {
  const pick = ['notAdequatelyProviding', 'concentrateOn'] as const;
  return {
    text: `<@${plan.staffUserId}> shared two of their customer's answers with you, for plan ${plan.id}.`,
    blocks: [
      richText(
        paragraph(
          user(plan.staffUserId),
          text(' shared two answers from their customer about '),
          bold(round.service),
          text(
            ` with you, for their action plan (plan ${plan.id}). The customer agreed to their manager seeing them.`,
          ),
        ),
      ),
      ...pick.map((key): KnownBlock => {
        const question = INTERVIEW_QUESTIONS.find((q) => q.key === key)?.text ?? key;
        return richText(paragraph(bold(question)), quoted(truncate(response[key] ?? '(erased)', 2900)));
      }),
      {
        type: 'context',
        elements: [
          mrkdwn(`Only you and <@${plan.staffUserId}> have these words. Please keep them out of channels.`),
        ],
      },
    ],
  };
}

export function buildCheckinMessage(
  plan: ActionPlan,
  steps: PlanStep[],
  options: { mentionManager: boolean },
): SlackMessage {
  const open = steps.filter((step) => !step.doneAt);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: mrkdwn(
        `Check-in for <@${plan.staffUserId}>: *which steps moved?* Mark them done, or add a note.`,
      ),
    },
    ...open.map((step) => stepBlock(step, true)),
    {
      type: 'actions',
      block_id: `checkin_${plan.id}`,
      elements: [button(PLAN_ACTIONS.addNote, 'Add a note', String(plan.id))],
    },
  ];
  if (open.length === 0)
    blocks.splice(1, 0, { type: 'context', elements: [mrkdwn('Every step is done. How is it going?')] });
  if (options.mentionManager && plan.managerUserId !== plan.staffUserId) {
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`<@${plan.managerUserId}>: the last two check-ins went unanswered.`)],
    });
  }
  return { text: `Check-in: which steps moved, <@${plan.staffUserId}>?`, blocks };
}

export function buildRemeasureMessage(plan: ActionPlan, round: Round | undefined): SlackMessage {
  // This goes into the channel's thread: the customer is not named there (nor @-mentioned, which
  // would notify them). The button's form is prefilled with them for the staff member alone.
  const who = round ? 'the same customer' : 'your customer';
  return {
    text: `Time to re-measure, <@${plan.staffUserId}>.`,
    blocks: [
      richText(
        paragraph(
          user(plan.staffUserId),
          text(`, it's the re-measure date. Start a new round with ${who}`),
          round && text(' about '),
          round && bold(round.service),
          text(': when they answer, the before and after appear here.'),
        ),
      ),
      {
        type: 'actions',
        block_id: `remeasure_${plan.id}`,
        elements: [button(PLAN_ACTIONS.startRemeasure, 'Start the new round', String(plan.id), 'primary')],
      },
    ],
  };
}

export function buildBeforeAfterMessage(
  plan: ActionPlan,
  before: { round: Round; response: RoundResponse } | undefined,
  after: { round: Round; response: RoundResponse },
): SlackMessage {
  const blocks: KnownBlock[] = [
    { type: 'section', text: mrkdwn(`*Before and after* for <@${plan.staffUserId}>:`) },
  ];
  if (before) blocks.push({ type: 'section', fields: scoreFields('Before', before.round, before.response) });
  blocks.push(
    { type: 'section', fields: scoreFields('After', after.round, after.response) },
    {
      type: 'actions',
      block_id: `close_${plan.id}`,
      elements: [button(PLAN_ACTIONS.close, 'Close the plan', String(plan.id), 'primary')],
    },
  );
  const then = before ? `${before.response.customerScore}/10` : 'no earlier score';
  return {
    text: `Before and after: customer score ${then} then, ${after.response.customerScore}/10 now.`,
    blocks,
  };
}

export function buildCloseModal(plan: ActionPlan): ModalView {
  return {
    type: 'modal',
    callback_id: CLOSE_MODAL.callbackId,
    title: plain('Close the plan'),
    submit: plain('Close it'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ planId: plan.id }),
    blocks: [
      {
        type: 'input',
        block_id: CLOSE_MODAL.blocks.outcome,
        label: plain('How did it go?'),
        element: {
          type: 'radio_buttons',
          action_id: CLOSE_MODAL.actionId,
          options: OUTCOMES.map((outcome) => ({ text: plain(outcome.label), value: outcome.value })),
        },
      },
      {
        type: 'input',
        block_id: CLOSE_MODAL.blocks.note,
        optional: true,
        label: plain('A note'),
        element: {
          type: 'plain_text_input',
          action_id: CLOSE_MODAL.actionId,
          multiline: true,
          max_length: PLAN_LIMITS.note,
        },
      },
    ],
  };
}

export function buildNoteModal(plan: ActionPlan): ModalView {
  return {
    type: 'modal',
    callback_id: NOTE_MODAL.callbackId,
    title: plain('Add a note'),
    submit: plain('Post it'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ planId: plan.id }),
    blocks: [
      {
        type: 'input',
        block_id: NOTE_MODAL.block,
        label: plain('What moved, or what got in the way?'),
        element: {
          type: 'plain_text_input',
          action_id: NOTE_MODAL.actionId,
          multiline: true,
          max_length: PLAN_LIMITS.note,
        },
      },
    ],
  };
}

export function buildNoteMessage(userId: string, note: string): SlackMessage {
  return {
    text: `Note from <@${userId}>`,
    blocks: [
      richText(paragraph(emoji('memo'), text(' '), user(userId), text(':')), quoted(truncate(note, 2900))),
    ],
  };
}

export function buildClosedMessage(plan: ActionPlan, userId: string): SlackMessage {
  const label = OUTCOMES.find((outcome) => outcome.value === plan.outcome)?.label ?? 'Closed';
  return {
    text: `Plan closed by <@${userId}>: ${label}.`,
    blocks: [
      richText(
        paragraph(
          emoji('checkered_flag'),
          text(' Plan closed by '),
          user(userId),
          text(': '),
          bold(label),
          text('.'),
        ),
        plan.outcomeNote && quoted(truncate(plan.outcomeNote, 2900)),
      ),
    ],
  };
}

export const ACTION_PLAN_HELP = [
  '*Action plans* turn a gap into change, in a thread that lives in private.',
  '• `/action-plan @someone`: open a plan for them (managers), or `/action-plan @yourself`. It lives in a group DM of you, them and Service Radar, or in a private channel you choose; never in a public channel, and the customer is never named there.',
  '• `/action-plan @someone round:42`: start from a particular completed round.',
  '• `/action-plan list`: your open plans, as staff member or manager.',
  'The staff member writes the plan; check-ins come in the thread; on the re-measure date the same customer is asked again, and the thread shows before and after.',
].join('\n');

/**
 * To a plan's manager, when its thread cannot be posted in: which thread, and the problem (how to
 * fix it, in src/modules/plans/plans.words.ts).
 */
export function buildThreadProblemMessage(plan: ActionPlan, problem: string): SlackMessage {
  const thread = `action plan thread for <@${plan.staffUserId}> in <#${plan.channelId}>`;
  return {
    text: `The ${thread} has a problem.`,
    blocks: [{ type: 'section', text: mrkdwn(`I couldn't post in the ${thread}. ${problem}`) }],
  };
}

/** `/action-plan list`: a person's open plans, as staff member or manager. */
export function buildPlanListText(plans: readonly ActionPlan[], userId: string): string {
  if (plans.length === 0) return 'You have no open action plans.';
  const lines = plans.map((plan) => {
    const role = plan.staffUserId === userId ? 'yours' : `for <@${plan.staffUserId}>`;
    const state =
      plan.state === 'awaiting_plan' ? 'waiting to be written' : `re-measure on ${plan.remeasureOn}`;
    return `• Plan ${plan.id} (${role}) in <#${plan.channelId}>: ${state}`;
  });
  return ['*Your open action plans*', ...lines].join('\n');
}
