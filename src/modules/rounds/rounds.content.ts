/**
 * The handbook's words ("Improving Your Service"), kept in one place so every surface asks the same
 * questions the same way.
 */

export const SELF_RATING_PROMPT =
  'On a scale of 1-10 (1 being low and 10 being high), rate the level of service you provide this customer.';

export const CUSTOMER_RATING_PROMPT =
  'On the same scale of 1-10 (1 being low and 10 being high), how would you rate the service you get?';

export const INTERVIEW_QUESTIONS = [
  {
    key: 'needFromMe',
    text: 'What service or product do you need from me in order to do your job well?',
    optional: false,
  },
  {
    key: 'whyDependOnMe',
    text: 'Why do you depend on me to provide this product or service?',
    optional: false,
  },
  {
    key: 'notAdequatelyProviding',
    text: 'What am I not adequately providing you related to customer service?',
    optional: false,
  },
  {
    key: 'concentrateOn',
    text: 'In your opinion, what areas in customer service should I concentrate on?',
    optional: false,
  },
  { key: 'noLongerNeed', text: 'Am I providing anything to you that you no longer need?', optional: false },
  { key: 'additionalComments', text: 'Any additional comments?', optional: true },
] as const;

export type AnswerKey = (typeof INTERVIEW_QUESTIONS)[number]['key'];

export const SEGMENTS = [
  { value: 'core', label: 'Core customer' },
  { value: 'regular', label: 'Regular customer' },
  { value: 'occasional', label: 'Occasional customer' },
  { value: 'should_be', label: "Should be a customer, but isn't" },
] as const;

export type Segment = (typeof SEGMENTS)[number]['value'];

export const SCORE_WORDS: Record<number, string> = { 1: 'low', 10: 'high' };

/** Field lengths, chosen so a whole response fits one Slack message (about 12,000 characters). */
export const LIMITS = {
  customerName: 80,
  service: 75, // a service is offered back as a select option, whose text is at most 75
  unit: 60,
  selfNote: 500,
  answer: 1500,
} as const;

/**
 * What the customer is told about who sees what, word for word the same in the request, the nudges
 * and the form. Each sentence follows the staff member's name (a mention, or their name as text).
 */
export const PRIVACY_PROMISE =
  ' sees your score and your answers. Their manager may see your score in an action plan. ' +
  'Committees see group figures only, never yours alone.';

/** The customer's own opt-in, after the staff member's name. Off unless they tick it. */
export const SHARE_OPT_IN = ' may share my written answers with their manager for an action plan';

/** A recorded interview: the staff member confirms the outside customer agreed (after their name). */
export const INTERVIEW_CONSENT = ' agreed to my recording their answers here';

/** A recorded interview: the outside customer's opt-in, as the staff member records it. */
export const INTERVIEW_SHARE_OPT_IN = ' agreed that I may share their written answers with my manager';

/** The values of the form's two checkboxes. */
export const CONSENT_VALUES = { share: 'share_with_manager', agreed: 'customer_agreed' } as const;

/**
 * `round_responses.answered_by_user_id` of an answer a patron gave on the web page of their link:
 * nobody in Slack typed it, and it was not recorded on their behalf.
 */
export const ANSWERED_ON_THE_WEB = 'web:patron_link';
