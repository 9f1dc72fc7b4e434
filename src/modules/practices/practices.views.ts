import type { ActionsBlock, KnownBlock, ModalView, RichTextBlock } from '@slack/types';
import type { BestPractice } from '../../db/schema.js';
import { button, mrkdwn, plain } from '../../lib/block-kit.js';
import { italic, paragraph, quoted, richText, text, user } from '../../lib/rich-text.js';
import { truncate } from '../../lib/text.js';
import type { PracticeFormDefaults, UnitPractices } from './practices.data.js';
import { PRACTICE_INVITATION, PRACTICE_LIMITS, PRACTICE_PROMISE } from './practices.words.js';

/**
 * Best practices as Block Kit: the form, the Home's section, and the invitation on a hidden
 * strength's result. Every word someone typed goes into rich_text or plain_text, never mrkdwn.
 */

export const PRACTICE_MODAL = {
  callbackId: 'best_practice_share',
  blocks: {
    whatYouDo: 'practice_what_you_do',
    whyItWorks: 'practice_why_it_works',
    service: 'practice_service',
    unit: 'practice_unit',
  },
  /** Each input block holds one element, with this action id. */
  actionId: 'value',
} as const;

export const PRACTICE_ACTIONS = {
  /** Opens the form; the value is `home`, or the round id whose result invited it. */
  share: 'practice_share',
  /** Withdraws one's own practice from the Home tab; the value is the practice id. */
  withdraw: 'practice_withdraw',
} as const;

/** How much of a practice's words a Home tab or a digest shows; the form keeps them whole. */
export const SHOWN_WHAT = 300;
export const SHOWN_WHY = 200;

export function buildPracticeModal(defaults: PracticeFormDefaults): ModalView {
  const ids = PRACTICE_MODAL.blocks;
  const actionId = PRACTICE_MODAL.actionId;
  return {
    type: 'modal',
    callback_id: PRACTICE_MODAL.callbackId,
    // Sealed when opened (src/slack/sealed-metadata.ts); the round it came from, if any.
    private_metadata: JSON.stringify({ v: 1, ...(defaults.roundId ? { roundId: defaults.roundId } : {}) }),
    title: plain('Share a best practice'),
    submit: plain('Share'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'section',
        text: mrkdwn('*What are you doing well that you think others need to know about?*'),
      },
      {
        type: 'input',
        block_id: ids.whatYouDo,
        label: plain('What you do'),
        element: {
          type: 'plain_text_input',
          action_id: actionId,
          multiline: true,
          max_length: PRACTICE_LIMITS.whatYouDo,
        },
      },
      {
        type: 'input',
        block_id: ids.whyItWorks,
        label: plain('Why it works'),
        element: {
          type: 'plain_text_input',
          action_id: actionId,
          multiline: true,
          max_length: PRACTICE_LIMITS.whyItWorks,
        },
      },
      {
        type: 'input',
        block_id: ids.service,
        label: plain('The service it concerns'),
        element: {
          type: 'plain_text_input',
          action_id: actionId,
          max_length: PRACTICE_LIMITS.service,
          placeholder: plain('For example: interlibrary loans'),
          ...(defaults.service ? { initial_value: truncate(defaults.service, PRACTICE_LIMITS.service) } : {}),
        },
      },
      {
        type: 'input',
        block_id: ids.unit,
        label: plain('Your unit'),
        hint: plain('The department or branch you work in: its committees and staff see this practice.'),
        element: {
          type: 'plain_text_input',
          action_id: actionId,
          max_length: PRACTICE_LIMITS.unit,
          ...(defaults.unit ? { initial_value: truncate(defaults.unit, PRACTICE_LIMITS.unit) } : {}),
        },
      },
      { type: 'context', elements: [plain(PRACTICE_PROMISE)] },
    ],
  };
}

/** One practice as rich text: the author's mention, the service, their words as they typed them. */
export function practiceRichText(
  practice: Pick<
    BestPractice,
    'authorUserId' | 'unit' | 'service' | 'whatYouDo' | 'whyItWorks' | 'createdAt'
  >,
): RichTextBlock {
  return richText(
    paragraph(
      user(practice.authorUserId),
      text(` (${truncate(practice.unit, 60)}), on `),
      text(truncate(practice.service, PRACTICE_LIMITS.service), { bold: true }),
      text(`, shared ${practice.createdAt.toISOString().slice(0, 10)}:`),
    ),
    quoted(truncate(practice.whatYouDo, SHOWN_WHAT)),
    paragraph(italic('Why it works: '), text(truncate(practice.whyItWorks, SHOWN_WHY))),
  );
}

/**
 * The Home's section: the unit's recent practices, newest first, the viewer's own with a
 * "Withdraw" button; the rest counted. Nothing when the app does not know the viewer's unit.
 */
export function practiceBlocks(section: UnitPractices | null, viewerId: string): KnownBlock[] {
  if (!section) return [];
  const { unit, practices } = section;
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain('Best practices in your unit') },
    {
      type: 'context',
      elements: [
        plain(
          `Shared by staff in ${truncate(unit, 60)} in the last 90 days, in their own words, with their name. Share yours with the button at the top.`,
        ),
      ],
    },
  ];
  if (practices.total === 0)
    blocks.push(richText(paragraph(text('None yet. What do you do well that others should know about?'))));
  for (const practice of practices.items) {
    blocks.push(practiceRichText(practice));
    if (practice.authorUserId === viewerId) {
      const withdraw: ActionsBlock = {
        type: 'actions',
        block_id: `home_practice_${practice.id}`,
        elements: [button(PRACTICE_ACTIONS.withdraw, 'Withdraw', String(practice.id), 'danger')],
      };
      blocks.push(withdraw);
    }
  }
  const rest = practices.total - practices.items.length;
  if (rest > 0)
    blocks.push({
      type: 'context',
      elements: [plain(`And ${rest} more ${rest === 1 ? 'practice' : 'practices'}, not shown here.`)],
    });
  return blocks;
}

/** On a hidden strength's result: an invitation to share what works, with its button. */
export function practiceInvitationBlocks(roundId: number): KnownBlock[] {
  return [
    { type: 'section', text: plain(PRACTICE_INVITATION) },
    {
      type: 'actions',
      block_id: `round_${roundId}_practice`,
      elements: [button(PRACTICE_ACTIONS.share, 'Share a best practice', String(roundId), 'primary')],
    },
  ];
}
