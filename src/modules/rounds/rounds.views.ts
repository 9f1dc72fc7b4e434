import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { Round, RoundResponse } from '../../db/schema.js';
import { mrkdwn, plain, type SlackMessage } from '../../lib/block-kit.js';
import {
  bold,
  code,
  type Inline,
  link,
  paragraph,
  quoted,
  richText,
  type Style,
  text,
  user,
} from '../../lib/rich-text.js';
import { inertMrkdwn, truncate } from '../../lib/text.js';
import { practiceInvitationBlocks } from '../practices/practices.views.js';
import {
  ANSWERED_ON_THE_WEB,
  CONSENT_VALUES,
  CUSTOMER_RATING_PROMPT,
  INTERVIEW_CONSENT,
  INTERVIEW_QUESTIONS,
  INTERVIEW_SHARE_OPT_IN,
  LIMITS,
  PRIVACY_PROMISE,
  SCORE_WORDS,
  SEGMENTS,
  SELF_RATING_PROMPT,
  type Segment,
  SHARE_OPT_IN,
} from './rounds.content.js';
import { classifyGap, describeGap, formatGap, gapOf } from './rounds.gap.js';

/**
 * Every Block Kit surface of a round, as pure functions of plain data. The ids below are shared with
 * the listeners that read the submitted values, so a rename cannot break one side silently.
 */

export const ROUND_MODAL = {
  callbackId: 'round_self_rating',
  blocks: {
    customerUser: 'customer_user',
    customerName: 'customer_name',
    previousService: 'previous_service',
    newService: 'new_service',
    segment: 'segment',
    unit: 'unit',
    selfScore: 'self_score',
    selfNote: 'self_note',
    interviewOn: 'interview_on',
    /** Offered when links can be made: how an outside customer answers. */
    answerBy: 'answer_by',
  },
  /** The answer-by choice's values. */
  answerBy: { link: 'link', record: 'record' },
  /** Each input block holds one element, with this action id. */
  actionId: 'value',
} as const;

export const RESPONSE_MODAL = {
  callbackId: 'round_customer_response',
  blocks: {
    needFromMe: 'answer_need_from_me',
    whyDependOnMe: 'answer_why_depend_on_me',
    notAdequatelyProviding: 'answer_not_adequately_providing',
    concentrateOn: 'answer_concentrate_on',
    noLongerNeed: 'answer_no_longer_need',
    additionalComments: 'answer_additional_comments',
    customerScore: 'customer_score',
    /** The customer's opt-in: the staff member may share the written answers with their manager. */
    share: 'share_with_manager',
    /** A recorded interview only: the staff member confirms the customer agreed (required). */
    consent: 'customer_agreed',
  },
  actionId: 'value',
  values: CONSENT_VALUES,
} as const;

/** Said in place of the staff member's name when Slack could not tell it in time. */
export const UNNAMED_STAFF = 'The staff member';

export const ROUND_ACTIONS = {
  /** Opens the response modal; the button's value is the round id. */
  answer: 'round_answer',
  /** Gives an outside customer's round a new link (the old one stops working); value: the round id. */
  newLink: 'round_new_link',
} as const;

function scoreOptions(): PlainTextOption[] {
  return Array.from({ length: 10 }, (_, index) => {
    const score = index + 1;
    const word = SCORE_WORDS[score];
    return { text: plain(word ? `${score} (${word})` : String(score)), value: String(score) };
  });
}

const segmentOptions: PlainTextOption[] = SEGMENTS.map((segment) => ({
  text: plain(segment.label),
  value: segment.value,
}));

/** The customer as rich text: a mention when they are in Slack, else their name as typed, in bold. */
export function customer(round: Pick<Round, 'customerUserId' | 'customerName'>, style?: Style): Inline {
  return round.customerUserId
    ? user(round.customerUserId, style)
    : text(round.customerName, { ...style, bold: true });
}

// ---------------------------------------------------------------------------------------------
// The staff member's modal

/** What the round form opens with: the staff member's unit, earlier services, a prefill. */
export interface RoundFormDefaults {
  unit: string | null;
  previousServices: string[];
  interviewOn: string;
  /** Whether an outside customer may be sent a link to answer on a web page (PUBLIC_URL is set). */
  linksOffered?: boolean | undefined;
  /** Filled in from an earlier round: a new round with the same customer and service. */
  prefill?:
    | { customerUserId: string | null; customerName: string | null; service: string; segment: Segment }
    | undefined;
}

export function buildRoundModal(defaults: RoundFormDefaults, origin: { planId?: number } = {}): ModalView {
  const { blocks: ids, actionId } = ROUND_MODAL;
  const { prefill } = defaults;
  const prefillSegment = segmentOptions.find((option) => option.value === prefill?.segment);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: mrkdwn(
        'Rate the service you give one customer, then ask them to rate it too. ' +
          'The gap between the two is where to improve.',
      ),
    },
    {
      type: 'input',
      block_id: ids.customerUser,
      optional: true,
      label: plain('Your customer, in Slack'),
      element: {
        type: 'users_select',
        action_id: actionId,
        placeholder: plain('Choose a person'),
        ...(prefill?.customerUserId ? { initial_user: prefill.customerUserId } : {}),
      },
    },
    {
      type: 'input',
      block_id: ids.customerName,
      optional: true,
      label: plain('Or a customer outside Slack'),
      hint: plain("A patron or contact who isn't in Slack. You will record their answers yourself."),
      element: {
        type: 'plain_text_input',
        action_id: actionId,
        max_length: LIMITS.customerName,
        placeholder: plain('Their name'),
        ...(prefill?.customerName
          ? { initial_value: truncate(prefill.customerName, LIMITS.customerName) }
          : {}),
      },
    },
  ];
  if (defaults.linksOffered) {
    const customerNameBlock = blocks[blocks.length - 1] as KnownBlock & { hint?: unknown };
    customerNameBlock.hint = plain("A patron or contact who isn't in Slack.");
    const byLink: PlainTextOption = {
      text: plain('Send them a link'),
      description: plain('They answer on a web page, on any device: you get a link and a QR code.'),
      value: ROUND_MODAL.answerBy.link,
    };
    blocks.push({
      type: 'input',
      block_id: ids.answerBy,
      optional: true,
      label: plain('If they are outside Slack, how will they answer?'),
      element: {
        type: 'radio_buttons',
        action_id: actionId,
        initial_option: byLink,
        options: [
          byLink,
          {
            text: plain("I'll record the interview"),
            description: plain('You ask the six questions and type their answers in.'),
            value: ROUND_MODAL.answerBy.record,
          },
        ],
      },
    });
  }
  if (defaults.previousServices.length > 0) {
    blocks.push({
      type: 'input',
      block_id: ids.previousService,
      optional: true,
      label: plain('The service you give them'),
      element: {
        type: 'static_select',
        action_id: actionId,
        placeholder: plain('One you named before'),
        options: defaults.previousServices.slice(0, 100).map((service) => ({
          text: plain(truncate(service, 75)),
          value: truncate(service, 150),
        })),
      },
    });
  }
  blocks.push(
    {
      type: 'input',
      block_id: ids.newService,
      optional: defaults.previousServices.length > 0,
      label: plain(defaults.previousServices.length > 0 ? 'Or a new service' : 'The service you give them'),
      element: {
        type: 'plain_text_input',
        action_id: actionId,
        max_length: LIMITS.service,
        placeholder: plain('For example: interlibrary loans'),
        ...(prefill ? { initial_value: truncate(prefill.service, LIMITS.service) } : {}),
      },
    },
    {
      type: 'input',
      block_id: ids.segment,
      label: plain('What kind of customer are they?'),
      element: {
        type: 'static_select',
        action_id: actionId,
        options: segmentOptions,
        placeholder: plain('Choose'),
        ...(prefillSegment ? { initial_option: prefillSegment } : {}),
      },
    },
    {
      type: 'input',
      block_id: ids.unit,
      label: plain('Your department or branch'),
      element: {
        type: 'plain_text_input',
        action_id: actionId,
        max_length: LIMITS.unit,
        ...(defaults.unit ? { initial_value: truncate(defaults.unit, LIMITS.unit) } : {}),
      },
    },
    {
      type: 'input',
      block_id: ids.selfScore,
      label: plain(SELF_RATING_PROMPT),
      element: {
        type: 'static_select',
        action_id: actionId,
        options: scoreOptions(),
        placeholder: plain('Your rating'),
      },
    },
    {
      type: 'input',
      block_id: ids.selfNote,
      optional: true,
      label: plain('Why that score? (only you see this)'),
      element: {
        type: 'plain_text_input',
        action_id: actionId,
        multiline: true,
        max_length: LIMITS.selfNote,
      },
    },
    {
      type: 'input',
      block_id: ids.interviewOn,
      label: plain('When will you talk to them?'),
      hint: plain("We'll remind you on the day."),
      element: { type: 'datepicker', action_id: actionId, initial_date: defaults.interviewOn },
    },
  );
  return {
    type: 'modal',
    callback_id: ROUND_MODAL.callbackId,
    title: plain('Rate your service'),
    submit: plain('Start the round'),
    close: plain('Cancel'),
    // A round started from an action plan's re-measure carries the plan, to show before and after.
    private_metadata: JSON.stringify(origin.planId ? { v: 1, planId: origin.planId } : { v: 1 }),
    blocks,
  };
}

// ---------------------------------------------------------------------------------------------
// The customer's modal (also used by staff for outside customers)

function checkbox(
  blockId: string,
  label: string,
  option: string,
  value: string,
  extra: {
    optional: boolean;
    hint?: string;
  },
): KnownBlock {
  return {
    type: 'input',
    block_id: blockId,
    optional: extra.optional,
    label: plain(truncate(label, 2000)),
    ...(extra.hint ? { hint: plain(extra.hint) } : {}),
    element: {
      type: 'checkboxes',
      action_id: RESPONSE_MODAL.actionId,
      // No initial option: the opt-in is off until the customer (or staff member, for them) ticks it.
      options: [{ text: plain(option), value }],
    },
  };
}

/**
 * The customer's form, or the staff member's record of an outside customer's interview. It says who
 * will see what, offers the opt-in to share the written answers with the staff member's manager (off
 * by default) and, for a recorded interview, asks the staff member to confirm the customer agreed.
 * `staffName` is the staff member's name as Slack gives it (a label is plain text: no mention).
 */
export function buildResponseModal({
  round,
  onBehalf,
  staffName,
}: {
  round: Round;
  onBehalf: boolean;
  staffName?: string | undefined;
}): ModalView {
  const { blocks: ids, actionId, values } = RESPONSE_MODAL;
  const intro = onBehalf
    ? [
        paragraph(
          text('Record '),
          bold(round.customerName),
          text("'s answers about "),
          bold(round.service),
          text(', in their words.'),
        ),
        paragraph(
          text(
            'Before you record, tell them who will see what: you see their score and their answers. ' +
              'Your manager may see their score in an action plan. ' +
              'Committees see group figures only, never theirs alone.',
          ),
        ),
      ]
    : [
        paragraph(
          user(round.staffUserId),
          text(' asked how well they serve you with '),
          bold(round.service),
          text('. They will see your name beside your answers, so this is not anonymous.'),
        ),
        paragraph(user(round.staffUserId), text(PRIVACY_PROMISE)),
      ];
  const blocks: KnownBlock[] = intro.map((line) => richText(line));
  for (const question of INTERVIEW_QUESTIONS) {
    blocks.push({
      type: 'input',
      block_id: ids[question.key],
      optional: question.optional,
      label: plain(question.text),
      element: { type: 'plain_text_input', action_id: actionId, multiline: true, max_length: LIMITS.answer },
    });
  }
  blocks.push({
    type: 'input',
    block_id: ids.customerScore,
    label: plain(CUSTOMER_RATING_PROMPT),
    element: {
      type: 'static_select',
      action_id: actionId,
      options: scoreOptions(),
      placeholder: plain('Rating'),
    },
  });
  if (onBehalf) {
    blocks.push(
      checkbox(ids.consent, `${round.customerName}${INTERVIEW_CONSENT}`, 'Yes, they agreed', values.agreed, {
        optional: false,
        hint: "Without their agreement, don't record their answers.",
      }),
      checkbox(
        ids.share,
        `${round.customerName}${INTERVIEW_SHARE_OPT_IN}`,
        'Yes, they agreed',
        values.share,
        {
          optional: true,
          hint: 'Leave it unticked unless they said so. Without it, their written answers stay with you.',
        },
      ),
    );
  } else {
    const staff = staffName || UNNAMED_STAFF;
    blocks.push(
      checkbox(ids.share, `${staff}${SHARE_OPT_IN}`, 'Yes, I agree', values.share, {
        optional: true,
        hint: `Off unless you tick it. Without it, your written answers stay with ${staff}.`,
      }),
    );
  }
  return {
    type: 'modal',
    callback_id: RESPONSE_MODAL.callbackId,
    title: plain(onBehalf ? 'Record the interview' : 'Rate the service'),
    submit: plain(onBehalf ? 'Save answers' : 'Send my answers'),
    close: plain('Not now'),
    private_metadata: JSON.stringify({ roundId: round.id }),
    blocks,
  };
}

export function buildNoticeModal(title: string, text: string): ModalView {
  return {
    type: 'modal',
    title: plain(truncate(title, 24)),
    close: plain('Close'),
    blocks: [{ type: 'section', text: mrkdwn(truncate(text, 3000)) }],
  };
}

// ---------------------------------------------------------------------------------------------
// Messages

function answerButton(round: Round, label: string, options: { newLink?: boolean } = {}) {
  return {
    type: 'actions' as const,
    block_id: `round_${round.id}_actions`,
    elements: [
      {
        type: 'button' as const,
        action_id: ROUND_ACTIONS.answer,
        text: plain(label),
        style: 'primary' as const,
        value: String(round.id),
      },
      ...(options.newLink
        ? [
            {
              type: 'button' as const,
              action_id: ROUND_ACTIONS.newLink,
              text: plain('Send a new link'),
              value: String(round.id),
            },
          ]
        : []),
    ],
  };
}

/** A fresh link for an outside customer, after "Send a new link"; its QR code follows. */
export function buildNewLinkMessage(round: Round, url: string, expiresAt: Date): SlackMessage {
  const until = expiresAt.toISOString().slice(0, 10);
  return {
    text: `A new link for round ${round.id} with ${inertMrkdwn(round.customerName)}: ${url}`,
    blocks: [
      richText(
        paragraph(
          bold(`A new link for round ${round.id}`),
          text(' with '),
          customer(round),
          text(` (${round.service}). The earlier link no longer works; this one works once, until `),
          bold(until),
          text('.'),
        ),
        paragraph(link(url)),
      ),
      answerButton(round, 'Record the interview', { newLink: true }),
    ],
  };
}

/** The DM that asks a customer in Slack to answer. */
export function buildCustomerRequestMessage(round: Round): SlackMessage {
  return {
    text: `<@${round.staffUserId}> would like your view of the service they give you (${inertMrkdwn(round.service)}).`,
    blocks: [
      richText(
        paragraph(
          user(round.staffUserId),
          text(' is working on the service they give you: '),
          bold(round.service),
          text(
            '. They would like to hear, in your own words, what you need from them and how well they provide it, ' +
              'and how you would rate their service from 1 to 10.',
          ),
        ),
      ),
      {
        type: 'context',
        elements: [
          mrkdwn(
            `This is not anonymous. <@${round.staffUserId}>${PRIVACY_PROMISE} ` +
              'In the form you choose whether they may share your written answers with their manager; ' +
              'unless you do, they may not.',
          ),
        ],
      },
      answerButton(round, 'Answer the questions'),
    ],
  };
}

/** The customer's request, once answered: the button goes, a thank-you stays. */
export function buildCustomerThanksMessage(round: Round): SlackMessage {
  return {
    text: `Thank you: your answers went to <@${round.staffUserId}>.`,
    blocks: [
      richText(
        paragraph(
          text('Thank you. Your answers about '),
          bold(round.service),
          text(' went to '),
          user(round.staffUserId),
          text('.'),
        ),
      ),
    ],
  };
}

/** Tells the staff member the round has started, and what happens next. */
export function buildRoundStartedMessage(
  round: Round,
  problem?: { requestFailed: string },
  patronLink?: { url: string },
): SlackMessage {
  const name = inertMrkdwn(round.customerName);
  if (round.customerUserId && problem) {
    return {
      text: `Round ${round.id} started, but we couldn't message ${name}.`,
      blocks: [
        richText(
          paragraph(
            bold(`Round ${round.id} started`),
            text(', but Slack would not let us message '),
            customer(round),
            text(' ('),
            code(problem.requestFailed),
            text('). Ask them in person, or let them know to expect a message from this app.'),
          ),
        ),
      ],
    };
  }
  const rated = [
    bold(`Round ${round.id} started.`),
    text(' You rated your service to '),
    customer(round),
    text(` (${round.service}) `),
    bold(`${round.selfScore}/10`),
  ];
  if (round.customerUserId) {
    return {
      text: `Round ${round.id} started: we asked ${name} to rate your service.`,
      blocks: [
        richText(
          paragraph(
            ...rated,
            text(
              ". We've asked them for their view; you'll hear here when they answer. Plan to talk with them on ",
            ),
            bold(round.interviewOn),
            text('.'),
          ),
        ),
      ],
    };
  }
  if (patronLink) {
    return {
      text: `Round ${round.id} started with ${name}. Send them their link: ${patronLink.url}`,
      blocks: [
        richText(
          paragraph(
            ...rated,
            text(
              '. Send them this link, or let them scan the QR code below: they answer on a web page, once, until the round expires.',
            ),
          ),
          paragraph(link(patronLink.url)),
          paragraph(
            text(
              'The link is theirs alone: share it only with them. If they would rather talk (planned for ',
            ),
            bold(round.interviewOn),
            text('), record the interview here instead.'),
          ),
        ),
        answerButton(round, 'Record the interview', { newLink: true }),
      ],
    };
  }
  return {
    text: `Round ${round.id} started with ${name}. Record the interview when you have talked.`,
    blocks: [
      richText(
        paragraph(
          ...rated,
          text('. When you talk with them (planned for '),
          bold(round.interviewOn),
          text('), ask the six questions and their rating, then record their answers here.'),
        ),
      ),
      answerButton(round, 'Record the interview'),
    ],
  };
}

/**
 * Six answers of up to 1,500 characters fit a message's ~12,000-character budget as typed, and rich
 * text shows them as typed (nothing is escaped, so nothing grows); the cap only guards against a
 * stored answer longer than the form allows.
 */
const ANSWER_MAX = LIMITS.answer;

/** The staff member's result: the customer's raw score beside the gap, then the answers. */
export function buildResponseResultMessage(round: Round, response: RoundResponse): SlackMessage {
  const gap = gapOf(round.selfScore, response.customerScore);
  const kind = classifyGap(gap);
  const badge = kind === 'blind_spot' ? ':warning: ' : kind === 'hidden_strength' ? ':sparkles: ' : '';
  const blocks: KnownBlock[] = [
    richText(
      paragraph(
        customer(round, { bold: true }),
        response.recordedOnBehalf && bold(' (recorded by you)'),
        response.answeredByUserId === ANSWERED_ON_THE_WEB && bold(' (on the web page)'),
        bold(` answered about ${round.service}`),
        text(` (round ${round.id}).`),
      ),
    ),
    {
      type: 'section',
      fields: [
        mrkdwn(`*Their score*\n${response.customerScore}/10`),
        mrkdwn(`*Your score*\n${round.selfScore}/10`),
        mrkdwn(`*Gap*\n${formatGap(gap)}`),
      ],
    },
    { type: 'context', elements: [mrkdwn(`${badge}${describeGap(gap)}`)] },
    { type: 'divider' },
  ];
  for (const question of INTERVIEW_QUESTIONS) {
    // An answer erased (retention or a request) is left out; the score stays.
    const answer = response[question.key];
    if (!answer) continue;
    blocks.push(richText(paragraph(bold(question.text)), quoted(truncate(answer, ANSWER_MAX))));
  }
  // Whether these words may go further: the customer's own choice, said back to the staff member.
  const sharing = !response.shareWithManager
    ? paragraph(customer(round), text(' did not agree to sharing their written answers: they stay with you.'))
    : response.recordedOnBehalf
      ? paragraph(
          text('You recorded that '),
          customer(round),
          text(' agreed you may share their written answers with your manager for an action plan.'),
        )
      : paragraph(
          customer(round),
          text(' allowed you to share their written answers with your manager for an action plan.'),
        );
  blocks.push(richText(sharing));
  // A hidden strength is what others may learn from: the staff member is invited to share it.
  if (kind === 'hidden_strength') blocks.push({ type: 'divider' }, ...practiceInvitationBlocks(round.id));
  return {
    text: `${inertMrkdwn(round.customerName)} rated your service ${response.customerScore}/10 (you: ${round.selfScore}/10, gap ${formatGap(gap)}).`,
    blocks,
  };
}

export const RATE_SERVICE_HELP = [
  '*Service Radar* helps you see your service the way the people you serve see it.',
  '• `/rate-service`: rate the service you give one customer (1-10), then we ask them to rate it too. ' +
    "For a customer outside Slack, you record their answers after you've talked.",
  '• `/rate-service mute [days]`: no reminders from this app for a while (14 days unless you say); `/rate-service unmute` to hear them again.',
  "• `/rate-service export`: a CSV of all your rounds, with your customers' scores and answers, sent to you by DM.",
  '• `/rate-service help`: this message.',
  '• `/action-plan @someone`: turn a gap into a plan with check-ins (for managers, or for yourself).',
  "You'll get a message with the customer's score and the gap (their score minus yours) when they answer.",
].join('\n');

/** The answer to a `/rate-service` it does not understand, echoing (at most 100 characters of) what was typed. */
export function buildUnknownRateServiceMessage(typed: string): SlackMessage {
  const echo = truncate(typed, 100);
  return {
    text: `I don't know \`${inertMrkdwn(echo)}\`. Type \`/rate-service\` to start a round, \`/rate-service mute\` to pause reminders, or \`/rate-service help\`.`,
    blocks: [
      richText(
        paragraph(
          text("I don't know "),
          code(echo),
          text('. Type '),
          code('/rate-service'),
          text(' to start a round, '),
          code('/rate-service mute'),
          text(' to pause reminders, or '),
          code('/rate-service help'),
          text('.'),
        ),
      ),
    ],
  };
}
