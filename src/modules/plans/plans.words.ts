import { PLAN_LIMITS } from './plans.views.js';

/**
 * What a plan's sentences name, besides the code: the staff member, the plan, the round, the
 * channel, Slack's error, a step's number, or where a plan was opened.
 */
export interface PlanValues {
  staffUserId?: string;
  planId?: number;
  roundId?: number;
  channelId?: string;
  error?: string;
  position?: number;
  /** Where a plan was opened: a private channel, the app's DM with its own staff member, or a group DM. */
  place?: 'private_channel' | 'own_dm' | 'group_dm';
}

type Words = string | ((values: PlanValues) => string);

/** Where the plan went, in words for the manager who opened it. */
const where = ({ place, channelId, staffUserId }: PlanValues): string => {
  if (place === 'private_channel') return `in <#${channelId}>`;
  return place === 'own_dm'
    ? 'in your direct messages with Service Radar'
    : `in a group DM of you, <@${staffUserId}> and Service Radar`;
};

/**
 * Every way the plans' use cases answer, as codes, and the one place their sentences live. Use
 * cases return codes (tests assert on them); the Slack layer, and the views of the messages the use
 * cases post themselves, turn them into these words.
 */
const PLAN_WORDS = {
  // `/action-plan` and its forms' seals.
  command_invalid:
    'Name the staff member with an @-mention: `/action-plan @someone`, optionally with `round:42`. Or `/action-plan list`, `/action-plan help`.',
  open_form_out_of_date: 'This form is out of date. Close it and type /action-plan again.',
  form_out_of_date: 'This form is out of date. Close it and press the button in the thread again.',
  button_out_of_date: 'That button is out of date.',

  // Who may open a plan, and from which round.
  opening_role_unknown: "Slack didn't answer when I checked who you are. Please try again in a moment.",
  opening_not_manager:
    'Only managers can open an action plan for someone else. You can open one for yourself: `/action-plan @you`.',
  staff_lookup_failed: "Slack didn't answer when I looked that person up. Please try again.",
  staff_not_a_person: "That isn't a person in this workspace.",
  round_not_completed: ({ roundId, staffUserId }: PlanValues) =>
    `Round ${roundId} isn't a completed round of <@${staffUserId}>. Leave out \`round:\` to use their latest.`,

  // Where a plan lives, said on the manager's form. A plan lives in private: a public channel is
  // refused even when its id arrives in place of a private one.
  place_public:
    'That is a public channel. An action plan lives in private: choose a private channel, or leave this empty for a group DM.',
  place_direct_message:
    'Choose a private channel here, or leave this empty: the plan then lives in a group DM of you, the staff member and Service Radar.',
  place_not_member:
    "I'm not in that channel. Invite me there with /invite @Service Radar, then choose it again (or leave this empty for a group DM).",
  place_archived:
    'That channel is archived. Choose another private channel, or leave this empty for a group DM.',
  place_unknown:
    "Slack didn't answer when I checked that channel, so nothing was opened yet. Please press Open the plan again.",
  place_not_a_channel: 'Choose a private channel from the list, or leave this empty for a group DM.',
  place_role_unknown:
    "Slack didn't answer when I checked that you are a manager, so nothing was opened yet. Please press Open the plan again.",
  place_not_manager: 'Slack no longer lists you as a manager, so you can only open a plan for yourself.',

  // Opening it, and how to fix a channel the app cannot post in, to the person who can fix it.
  group_dm_refused: ({ staffUserId, error }: PlanValues) =>
    `Slack would not open a group DM with <@${staffUserId}> (\`${error}\`), so no plan was opened. Please try again, or choose a private channel.`,
  channel_not_joined:
    "I'm not in that channel, so I can't post the plan there. Invite me with `/invite @Service Radar`, then try again.",
  channel_archived:
    'That channel is archived. Unarchive it, or open the plan in a group DM or another private channel.',
  channel_refused: ({ error }: PlanValues) =>
    `Slack would not let me post there (\`${error}\`). Please try again, or choose another private channel.`,
  plan_opened: (values: PlanValues) =>
    `Plan ${values.planId} is open ${where(values)}. <@${values.staffUserId}> can write it there.`,
  plan_opened_without_round: (values: PlanValues) =>
    `Plan ${values.planId} is open ${where(values)}. <@${values.staffUserId}> has no completed round yet, so the thread starts without scores; the re-measure will be their first.`,

  // Who may act on a plan.
  plan_gone: 'That plan no longer exists.',
  not_staff: ({ staffUserId }: PlanValues) => `Only <@${staffUserId}> can do this: it's their plan.`,
  not_in_plan: 'Only the staff member and the manager of this plan can do this.',
  plan_closed: 'That plan is closed.',
  plan_not_active: 'This plan is not active.',
  manager_unknown:
    "Slack didn't answer when I checked that you are still a manager, so nothing changed yet. Please try again in a moment.",
  no_longer_manager:
    'You opened this plan as a manager, and Slack no longer lists you as one, so only the staff member can do this now.',

  // Writing the plan, field by field.
  answer_missing: 'Please answer this.',
  answer_too_long: `Keep this to ${PLAN_LIMITS.prompt} characters.`,
  steps_missing: 'List at least one step, one per line.',
  steps_too_many: `Keep it to ${PLAN_LIMITS.maxSteps} steps.`,
  step_too_long: `Keep each step to ${PLAN_LIMITS.step} characters.`,
  checkin_missing: 'Choose how often to check in.',
  remeasure_missing: 'Choose a date.',
  remeasure_past: 'Choose a day after today.',
  remeasure_too_far: 'Choose a day within the next year.',
  share_refused:
    'Your customer did not agree to their written answers being shared, so there is nothing to share. Untick this; the rest of your plan is as you typed it.',
  share_refused_own_plan:
    'This plan is your own, so there is no manager to share with. Untick this; the rest of your plan is as you typed it.',
  already_written: 'This plan has already been written.',

  // Steps, notes, closing.
  step_gone: 'That step no longer exists.',
  step_marked: ({ position }: PlanValues) => `Step ${position} marked done.`,
  step_already_done: ({ position }: PlanValues) => `Step ${position} was already done.`,
  note_missing: 'Write a note first.',
  note_too_long: `Keep the note to ${PLAN_LIMITS.note} characters.`,
  outcome_missing: 'Choose how it went.',
} as const satisfies Record<string, Words>;

export type PlanCode = keyof typeof PLAN_WORDS;

export function planWords(code: PlanCode, values: PlanValues = {}): string {
  const words: Words = PLAN_WORDS[code];
  return typeof words === 'string' ? words : words(values);
}

/** How to fix a channel the app cannot post in, from Slack's error. */
export function channelProblemCode(
  error: string,
): 'channel_not_joined' | 'channel_archived' | 'channel_refused' {
  switch (error) {
    case 'not_in_channel':
    case 'channel_not_found':
      return 'channel_not_joined';
    case 'is_archived':
      return 'channel_archived';
    default:
      return 'channel_refused';
  }
}

/** The sentence that tells the person who can fix it what is wrong with a plan's channel. */
export const channelProblem = (error: string): string => planWords(channelProblemCode(error), { error });
