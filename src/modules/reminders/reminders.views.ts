import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import type { Round } from '../../db/schema.js';
import { button, mrkdwn, plain, type SlackMessage } from '../../lib/block-kit.js';
import { bold, paragraph, richText, text, user } from '../../lib/rich-text.js';
import { inertMrkdwn, truncate } from '../../lib/text.js';
import { PRIVACY_PROMISE } from '../rounds/rounds.content.js';
import { customer, ROUND_ACTIONS } from '../rounds/rounds.views.js';

/** Buttons on reminders. Values carry a reminder or round id; listeners re-check who may press. */
export const REMINDER_ACTIONS = {
  askAgain: 'reminder_ask_again',
  snooze: 'reminder_snooze',
  cancelRound: 'reminder_cancel_round',
  startRound: 'reminder_start_round',
  mute: 'reminder_mute',
} as const;

function actions(blockId: string, elements: Button[]): ActionsBlock {
  return { type: 'actions', block_id: blockId, elements };
}

const muteButton = (days: number) =>
  button(REMINDER_ACTIONS.mute, `Mute reminders for ${days} days`, String(days));

/** On the day the staff member planned to talk to their customer. */
export function buildInterviewDueMessage(
  round: Round,
  reminderId: number,
  options: { snoozeDays: number; muteDays: number },
): SlackMessage {
  const elements: Button[] = round.customerUserId
    ? [button(REMINDER_ACTIONS.askAgain, 'Ask again', String(reminderId), 'primary')]
    : [button(ROUND_ACTIONS.answer, 'Record the interview', String(round.id), 'primary')];
  elements.push(
    button(REMINDER_ACTIONS.snooze, `Snooze ${options.snoozeDays} days`, String(reminderId)),
    {
      ...button(REMINDER_ACTIONS.cancelRound, 'Cancel this round', String(round.id), 'danger'),
      confirm: {
        title: plain('Cancel this round?'),
        text: plain('The customer will no longer be asked, and no more reminders come for it.'),
        confirm: plain('Cancel the round'),
        deny: plain('Keep it'),
      },
    },
    muteButton(options.muteDays),
  );
  const next = round.customerUserId
    ? [
        text("They haven't answered yet: a word in person helps, and "),
        bold('Ask again'),
        text(' sends them the questions once more.'),
      ]
    : [text('Ask them the six questions and their rating, then record their answers.')];
  const body = paragraph(
    text('Today is the day you planned to talk with '),
    customer(round),
    text(' about '),
    bold(round.service),
    text(` (round ${round.id}). `),
    ...next,
  );
  return {
    text: `Reminder: talk with ${inertMrkdwn(round.customerName)} about ${inertMrkdwn(round.service)} today.`,
    blocks: [richText(body), actions(`interview_due_${reminderId}`, elements)],
  };
}

/** A gentle nudge to a customer in Slack who has not answered. */
export function buildCustomerNudgeMessage(round: Round, nudge: number, of: number): SlackMessage {
  const last = nudge >= of;
  return {
    text: `A gentle reminder: <@${round.staffUserId}> would still like your view of ${inertMrkdwn(round.service)}.`,
    blocks: [
      richText(
        paragraph(
          text('A gentle reminder: '),
          user(round.staffUserId),
          text(' would still value your view of the service they give you, '),
          bold(round.service),
          text('. It takes a few minutes.'),
        ),
      ),
      {
        type: 'context',
        elements: [
          mrkdwn(
            last
              ? "This is the last reminder: we won't ask about this again."
              : `Reminder ${nudge} of ${of}. Not anonymous: <@${round.staffUserId}>${PRIVACY_PROMISE}`,
          ),
        ],
      },
      actions(`nudge_${round.id}_${nudge}`, [
        button(ROUND_ACTIONS.answer, 'Answer the questions', String(round.id), 'primary'),
      ]),
    ],
  };
}

/** Told once when a round expires unanswered. */
export function buildRoundExpiredMessage(round: Round, expiryDays: number): SlackMessage {
  return {
    text: `Round ${round.id} with ${inertMrkdwn(round.customerName)} expired without an answer.`,
    blocks: [
      richText(
        paragraph(
          text(`Round ${round.id} with `),
          customer(round),
          text(' about '),
          bold(round.service),
          text(
            ` got no answer in ${expiryDays} days, so it has expired. You can start a new one whenever it suits you.`,
          ),
        ),
      ),
      actions(`expired_${round.id}`, [
        button(REMINDER_ACTIONS.startRound, 'Start a new round', String(round.id), 'primary'),
      ]),
    ],
  };
}

/** Continuous means it comes back: an invitation after a long quiet spell. */
export function buildCadenceMessage(lastAt: Date, now: Date, muteDays: number): SlackMessage {
  const days = Math.max(1, Math.floor((now.getTime() - lastAt.getTime()) / 86_400_000));
  return {
    text: `It's been ${days} days since your last service round. Time for another?`,
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `It's been *${days} days* since you last asked a customer how your service is going. ` +
            'Views change: a new round shows whether the gap has closed.',
        ),
      },
      actions('cadence', [
        button(REMINDER_ACTIONS.startRound, 'Rate your service', 'new', 'primary'),
        muteButton(muteDays),
      ]),
    ],
  };
}

/**
 * The clicked message, with its buttons replaced by what happened ("Snoozed until ..."), so it
 * cannot be pressed again by mistake.
 */
export function withOutcome(blocks: readonly KnownBlock[] | undefined, outcome: string): KnownBlock[] {
  const kept = (blocks ?? []).filter((block) => block.type !== 'actions').slice(0, 48);
  return [...kept, { type: 'context', elements: [mrkdwn(truncate(outcome, 2000))] }];
}
