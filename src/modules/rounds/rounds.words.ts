import { LIMITS } from './rounds.content.js';

/**
 * Every way the rounds' use cases say no, as codes, and the one place their sentences live. Use
 * cases return codes (tests assert on them); the Slack layer turns them into these words.
 */
export const ROUND_WORDS = {
  customer_both: 'Choose a person in Slack or type a name, not both.',
  customer_missing: 'Choose your customer in Slack, or type the name of someone outside Slack.',
  customer_name_too_long: `Keep the name to ${LIMITS.customerName} characters.`,
  customer_is_self: "You can't be your own customer. Choose the person you serve.",
  customer_unknown: "That person isn't in this workspace.",
  customer_bot: "A bot can't rate your service. Choose a person.",
  customer_left: 'That person has left the workspace.',
  customer_lookup_failed: "Slack didn't answer when we checked this person. Please press Submit again.",
  service_both: 'Pick an earlier service or type a new one, not both.',
  service_missing: 'Say which service you give this customer.',
  service_too_long: `Keep the service to ${LIMITS.service} characters.`,
  duplicate_open_round:
    'You already have an open round with this customer for this service. Wait for their answer, or choose another service.',
  segment_missing: 'Choose which kind of customer this is.',
  unit_missing: 'Say which department or branch you work in.',
  unit_too_long: `Keep the unit to ${LIMITS.unit} characters.`,
  score_missing: 'Choose a score from 1 (low) to 10 (high).',
  note_too_long: `Keep the note to ${LIMITS.selfNote} characters.`,
  interview_day_missing: 'Choose the day you plan to talk to your customer.',
  interview_day_past: 'Choose today or a later day.',
  interview_day_too_far: 'Choose a day within the next year.',
  answer_missing: 'Please answer this question.',
  answer_too_long: `Keep this answer to ${LIMITS.answer} characters.`,
  link_unavailable:
    "Links can't be made here yet (the app has no public address). Choose to record the interview yourself.",
  consent_missing:
    "Tick this to confirm they agreed to your recording their answers here. If they didn't, don't record them.",
  // "Send a new link", on the round's message in the staff member's DM.
  new_link_not_yours: 'Only the staff member who started this round can send its customer a new link.',
  new_link_in_slack: 'This customer answers in Slack, so the round has no link.',
  new_link_unavailable:
    "Links can't be made here now (the app has no public address). Record the interview instead.",
  // A form whose sealed metadata does not verify for its submitter: nothing in it can be believed.
  round_form_out_of_date: 'This form is out of date. Close it and type /rate-service again.',
  response_form_out_of_date: 'This form is out of date. Close it and press the button in the message again.',
  // A re-measure round names its action plan: it must still be open and the staff member's.
  plan_gone: 'That plan no longer exists.',
  plan_not_yours: 'Only the staff member whose plan it is can start its re-measure round.',
  plan_closed:
    'This plan was closed while the form was open, so no round was started. Close this form; /rate-service starts an ordinary round.',
  // Why a round cannot be answered.
  not_found: 'This round no longer exists.',
  not_yours: 'This request was meant for someone else, so only they can answer it.',
  completed: 'This round has already been answered. Thank you!',
  expired: 'This round expired before it was answered. The staff member can start a new one.',
  cancelled: 'This round was cancelled, so it no longer needs an answer.',
} as const;

export type RoundCode = keyof typeof ROUND_WORDS;

export const roundWords = (code: RoundCode): string => ROUND_WORDS[code];

/** `/rate-service export`: the file is in their DM. */
export const historySentWords = (rounds: number): string =>
  rounds === 0
    ? 'You have not started a round yet, so the file in your DM with the app has its header only.'
    : `Your ${rounds === 1 ? 'round is' : `${rounds} rounds are`} in your DM with the app, as a CSV file: customers, services, both scores, the gap and your customers' answers. It is yours alone; keep it as carefully as the app does.`;

export const historyNotSentWords = (error: string): string =>
  `Slack would not let the app send you the file (${error}). Nothing was sent; try again in a moment.`;
