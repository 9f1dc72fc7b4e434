import type { ActionPlan, Round, RoundResponse } from '../../db/schema.js';
import type { SlackMessage } from '../../lib/block-kit.js';
import { isCalendarDate } from '../../lib/calendar.js';
import { addDays, localDate } from '../../lib/clock.js';
import { charLength, cleanParagraphs } from '../../lib/text.js';
import type { Logger } from '../../logger.js';
import type { Messenger, PostResult } from '../messaging/messaging.port.js';
import type { PeopleDirectory } from '../people/people.directory.js';
import type { RemindersRepository } from '../reminders/reminders.repository.js';
import type { KindHandler, ReminderSettings } from '../reminders/reminders.usecases.js';
import { workingStartOn, workingTimeAfterDays } from '../reminders/working-hours.js';
import type { RoundPlans } from '../rounds/rounds.ports.js';
import type { RoundsRepository } from '../rounds/rounds.repository.js';
import type { ManagerAccess, PlanConversations } from './plans.port.js';
import type { PlansRepository } from './plans.repository.js';
import {
  buildBeforeAfterMessage,
  buildCheckinMessage,
  buildClosedMessage,
  buildNoteMessage,
  buildPlanMessage,
  buildPlanParentMessage,
  buildRemeasureMessage,
  buildSharedAnswersMessage,
  buildWritePromptMessage,
  CHECKIN_CHOICES,
  OUTCOMES,
  PLAN_LIMITS,
} from './plans.views.js';

export const DEFAULT_REMEASURE_AFTER_DAYS = 60;

export interface PlanDeps {
  plans: PlansRepository;
  rounds: RoundsRepository;
  reminders: RemindersRepository;
  directory: PeopleDirectory;
  messenger: Messenger;
  conversations: PlanConversations;
  managers: ManagerAccess;
  logger: Logger;
  settings: ReminderSettings;
}

export type Said = { ok: true; text: string } | { ok: false; text: string };

// ---------------------------------------------------------------------------------------------
// The command

export type PlanCommand =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'open'; staffUserId: string; roundId?: number | undefined }
  | { kind: 'invalid'; text: string };

/** `/action-plan @someone [round:42] | list | help`. Slack sends mentions as `<@U123|name>`. */
export function parseActionPlanCommand(text: string): PlanCommand {
  const trimmed = text.trim();
  if (trimmed === '' || /^help$/i.test(trimmed)) return { kind: 'help' };
  if (/^list$/i.test(trimmed)) return { kind: 'list' };
  const match = /^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>(?:\s+round:(\d{1,9}))?$/.exec(trimmed);
  if (match?.[1])
    return { kind: 'open', staffUserId: match[1], roundId: match[2] ? Number(match[2]) : undefined };
  return {
    kind: 'invalid',
    text: 'Name the staff member with an @-mention: `/action-plan @someone`, optionally with `round:42`. Or `/action-plan list`, `/action-plan help`.',
  };
}

/** Says how to fix a channel the app cannot post in, to the person who can fix it. */
export function channelProblem(error: string): string {
  switch (error) {
    case 'not_in_channel':
    case 'channel_not_found':
      return "I'm not in that channel, so I can't post the plan there. Invite me with `/invite @Service Radar`, then try again.";
    case 'is_archived':
      return 'That channel is archived. Unarchive it, or open the plan in a group DM or another private channel.';
    default:
      return `Slack would not let me post there (\`${error}\`). Please try again, or choose another private channel.`;
  }
}

/**
 * Why a channel chosen for a plan is refused, said on the form's field. A plan lives in private:
 * a public channel is refused even when its id arrives in place of a private one.
 */
export const PLACE_REFUSALS = {
  public:
    'That is a public channel. An action plan lives in private: choose a private channel, or leave this empty for a group DM.',
  direct_message:
    'Choose a private channel here, or leave this empty: the plan then lives in a group DM of you, the staff member and Service Radar.',
  not_member:
    "I'm not in that channel. Invite me there with /invite @Service Radar, then choose it again (or leave this empty for a group DM).",
  archived: 'That channel is archived. Choose another private channel, or leave this empty for a group DM.',
  unknown:
    "Slack didn't answer when I checked that channel, so nothing was opened yet. Please press Open the plan again.",
  not_a_channel: 'Choose a private channel from the list, or leave this empty for a group DM.',
} as const;

/** Every post into a plan's thread goes through here: a failure is told to the manager, with the fix. */
export async function postInThread(
  deps: PlanDeps,
  plan: ActionPlan,
  message: SlackMessage,
): Promise<PostResult> {
  const result = await deps.messenger.post(plan.channelId, message, { threadTs: plan.threadTs });
  if (!result.ok && result.kind === 'undeliverable') await tellManager(deps, plan, result.error);
  return result;
}

async function tellManager(deps: PlanDeps, plan: ActionPlan, error: string): Promise<void> {
  await deps.messenger.post(plan.managerUserId, {
    text: `The action plan thread for <@${plan.staffUserId}> in <#${plan.channelId}> has a problem.`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `I couldn't post in the action plan thread for <@${plan.staffUserId}> in <#${plan.channelId}>. ${channelProblem(error)}`,
        },
      },
    ],
  });
}

async function completedRound(deps: PlanDeps, roundId: number | null) {
  if (!roundId) return undefined;
  const found = await deps.plans.roundWithResponse(roundId);
  return found?.response ? { round: found.round, response: found.response } : undefined;
}

/** The round a plan starts from: the one named, the staff member's latest when undefined, none for null. */
async function startingRound(
  deps: PlanDeps,
  staffUserId: string,
  roundId: number | null | undefined,
): Promise<{ ok: true; start: { round: Round; response: RoundResponse } | undefined } | PlanRefusal> {
  if (roundId === null) return { ok: true, start: undefined };
  if (roundId === undefined) {
    const latest = await deps.plans.latestCompletedRound(staffUserId);
    return { ok: true, start: latest ? { round: latest.round, response: latest.response } : undefined };
  }
  const start = await completedRound(deps, roundId);
  if (!start || start.round.staffUserId !== staffUserId || start.round.status !== 'completed') {
    return {
      ok: false,
      text: `Round ${roundId} isn't a completed round of <@${staffUserId}>. Leave out \`round:\` to use their latest.`,
    };
  }
  return { ok: true, start };
}

/** What the manager's form to open a plan shows: who it is for, and the round it starts from. */
export interface PlanOpening {
  staffUserId: string;
  managerUserId: string;
  start: { round: Round; response: RoundResponse } | undefined;
}

/**
 * `/action-plan @staff [round:N]`: may the caller open a plan for them, and from which round. The
 * answer opens the form where the manager chooses where the plan lives.
 */
export async function preparePlanOpening(
  deps: PlanDeps,
  { callerId, staffUserId, roundId }: { callerId: string; staffUserId: string; roundId?: number | undefined },
): Promise<{ ok: true; opening: PlanOpening } | PlanRefusal> {
  if (callerId !== staffUserId) {
    const role = await deps.managers.check(callerId);
    if (role === 'unknown')
      return {
        ok: false,
        text: "Slack didn't answer when I checked who you are. Please try again in a moment.",
      };
    if (role === 'not_manager') {
      return {
        ok: false,
        text: 'Only managers can open an action plan for someone else. You can open one for yourself: `/action-plan @you`.',
      };
    }
  }
  const staff = await deps.directory.lookup(staffUserId).catch(() => 'unknown' as const);
  if (staff === 'unknown')
    return { ok: false, text: "Slack didn't answer when I looked that person up. Please try again." };
  if (!staff || staff.isBot || staff.deleted)
    return { ok: false, text: "That isn't a person in this workspace." };
  const found = await startingRound(deps, staffUserId, roundId);
  if (!found.ok) return found;
  return { ok: true, opening: { staffUserId, managerUserId: callerId, start: found.start } };
}

/**
 * Where a plan lives: the app's group DM with the manager and the staff member (the app's DM when
 * they are the same person), or a private channel the manager chose. Never a public channel.
 */
export type PlanPlace = { kind: 'group_dm' } | { kind: 'private_channel'; channelId: string };

/**
 * Before the manager's form is acknowledged: still a manager, and the channel they chose (if any)
 * a private channel the app is in, both asked of Slack now, together, within ROLE_CHECK_MS. A
 * public channel's id sent in place of a private one is refused here.
 */
export async function checkPlanPlace(
  deps: PlanDeps,
  { callerId, staffUserId, channelId }: { callerId: string; staffUserId: string; channelId: string | null },
): Promise<{ ok: true; place: PlanPlace } | PlanRefusal> {
  if (channelId !== null && !/^[CG][A-Z0-9]{2,30}$/.test(channelId))
    return {
      ok: false,
      text: channelId.startsWith('D') ? PLACE_REFUSALS.direct_message : PLACE_REFUSALS.not_a_channel,
    };
  const [role, channel] = await Promise.all([
    callerId === staffUserId
      ? ('manager' as const)
      : deps.managers.check(callerId, { timeoutMs: ROLE_CHECK_MS }),
    channelId === null
      ? ('group_dm' as const)
      : deps.conversations.check(channelId, { timeoutMs: ROLE_CHECK_MS }),
  ]);
  if (role === 'unknown')
    return {
      ok: false,
      text: "Slack didn't answer when I checked that you are a manager, so nothing was opened yet. Please press Open the plan again.",
    };
  if (role === 'not_manager')
    return {
      ok: false,
      text: 'Slack no longer lists you as a manager, so you can only open a plan for yourself.',
    };
  if (channel === 'group_dm') return { ok: true, place: { kind: 'group_dm' } };
  if (channel !== 'private') return { ok: false, text: PLACE_REFUSALS[channel] };
  return { ok: true, place: { kind: 'private_channel', channelId: channelId as string } };
}

/** Where the plan went, in words for the manager who opened it. */
function placeWords(place: PlanPlace, plan: ActionPlan): string {
  if (place.kind === 'private_channel') return `in <#${plan.channelId}>`;
  return plan.managerUserId === plan.staffUserId
    ? 'in your direct messages with Service Radar'
    : `in a group DM of you, <@${plan.staffUserId}> and Service Radar`;
}

/**
 * Opens the plan where the manager chose, after their form was acknowledged: the thread's parent
 * (names and scores only, never the customer), the plan row, and the prompt to write it. The place
 * was checked by checkPlanPlace; a group DM is opened here.
 */
export async function openPlan(
  deps: PlanDeps,
  {
    callerId,
    staffUserId,
    roundId,
    place,
    now,
  }: {
    callerId: string;
    staffUserId: string;
    /** The round the manager's form showed; null for none, undefined for the latest. */
    roundId?: number | null | undefined;
    place: PlanPlace;
    now: Date;
  },
): Promise<Said> {
  const found = await startingRound(deps, staffUserId, roundId);
  if (!found.ok) return found;
  const { start } = found;

  let channel: string;
  if (place.kind === 'private_channel') channel = place.channelId;
  else {
    const people = callerId === staffUserId ? [staffUserId] : [callerId, staffUserId];
    const opened = await deps.conversations.open(people);
    if (!opened.ok)
      return {
        ok: false,
        text: `Slack would not open a group DM with <@${staffUserId}> (\`${opened.error}\`), so no plan was opened. Please try again, or choose a private channel.`,
      };
    channel = opened.channel;
  }

  const parent = await deps.messenger.post(
    channel,
    buildPlanParentMessage({ staffUserId, managerUserId: callerId }, start),
  );
  if (!parent.ok) return { ok: false, text: channelProblem(parent.error) };
  const plan = await deps.plans.create({
    staffUserId,
    managerUserId: callerId,
    roundId: start?.round.id ?? null,
    channelId: parent.channel,
    threadTs: parent.ts,
    createdAt: now,
  });
  await postInThread(deps, plan, buildWritePromptMessage(plan));
  deps.logger.info(
    { plan: plan.id, staff: staffUserId, manager: callerId, place: place.kind },
    'action plan opened',
  );
  const where = placeWords(place, plan);
  return {
    ok: true,
    text: start
      ? `Plan ${plan.id} is open ${where}. <@${staffUserId}> can write it there.`
      : `Plan ${plan.id} is open ${where}. <@${staffUserId}> has no completed round yet, so the thread starts without scores; the re-measure will be their first.`,
  };
}

export async function listPlans(deps: PlanDeps, userId: string): Promise<Said> {
  const plans = await deps.plans.openPlansFor(userId);
  if (plans.length === 0) return { ok: true, text: 'You have no open action plans.' };
  const lines = plans.map((plan) => {
    const role = plan.staffUserId === userId ? 'yours' : `for <@${plan.staffUserId}>`;
    const state =
      plan.state === 'awaiting_plan' ? 'waiting to be written' : `re-measure on ${plan.remeasureOn}`;
    return `• Plan ${plan.id} (${role}) in <#${plan.channelId}>: ${state}`;
  });
  return { ok: true, text: ['*Your open action plans*', ...lines].join('\n') };
}

// ---------------------------------------------------------------------------------------------
// Writing the plan

export type PlanRefusal = { ok: false; text: string };

/**
 * A plan's manager acts on it only while still a manager: asked of Slack at that moment (admin
 * status is never cached). Short enough to leave a form's submission inside Slack's 3 seconds.
 */
export const ROLE_CHECK_MS = 1_200;

export async function planForStaff(
  deps: PlanDeps,
  planId: number,
  userId: string,
): Promise<{ ok: true; plan: ActionPlan } | PlanRefusal> {
  const plan = await deps.plans.find(planId);
  if (!plan) return { ok: false, text: 'That plan no longer exists.' };
  if (plan.staffUserId !== userId)
    return { ok: false, text: `Only <@${plan.staffUserId}> can do this: it's their plan.` };
  return { ok: true, plan };
}

export async function planForStaffOrManager(
  deps: PlanDeps,
  planId: number,
  userId: string,
): Promise<{ ok: true; plan: ActionPlan } | PlanRefusal> {
  const plan = await deps.plans.find(planId);
  if (!plan) return { ok: false, text: 'That plan no longer exists.' };
  if (plan.staffUserId !== userId && plan.managerUserId !== userId) {
    return { ok: false, text: 'Only the staff member and the manager of this plan can do this.' };
  }
  if (plan.state === 'closed') return { ok: false, text: 'That plan is closed.' };
  if (plan.staffUserId !== userId) {
    const role = await deps.managers.check(userId, { timeoutMs: ROLE_CHECK_MS });
    if (role === 'unknown')
      return {
        ok: false,
        text: "Slack didn't answer when I checked that you are still a manager, so nothing changed yet. Please try again in a moment.",
      };
    if (role === 'not_manager')
      return {
        ok: false,
        text: 'You opened this plan as a manager, and Slack no longer lists you as one, so only the staff member can do this now.',
      };
  }
  return { ok: true, plan };
}

export function defaultRemeasureOn(now: Date, timeZone: string | null): string {
  return addDays(localDate(now, timeZone), DEFAULT_REMEASURE_AFTER_DAYS);
}

export interface PlanDraft {
  strengths: string | null;
  improvements: string | null;
  steps: string | null;
  successMeasure: string | null;
  checkinEvery: string | null;
  remeasureOn: string | null;
  share: boolean;
}

export type PlanField =
  | 'strengths'
  | 'improvements'
  | 'steps'
  | 'successMeasure'
  | 'checkinEvery'
  | 'remeasureOn'
  | 'share'
  | 'form';

export const SHARE_REFUSED =
  'Your customer did not agree to their written answers being shared, so there is nothing to share. Untick this; the rest of your plan is as you typed it.';

export const SHARE_REFUSED_OWN_PLAN =
  'This plan is your own, so there is no manager to share with. Untick this; the rest of your plan is as you typed it.';

/**
 * The customer's answers the staff member may share with their manager: only when the customer
 * ticked the opt-in in their form (or, for a recorded interview, the staff member recorded that
 * they agreed), only when the plan has a manager besides the staff member, and only while the words
 * are still kept (retention or an erasure request removes them).
 */
export async function shareableAnswers(
  deps: PlanDeps,
  plan: ActionPlan,
): Promise<{ round: Round; response: RoundResponse } | undefined> {
  if (plan.roundId === null || plan.managerUserId === plan.staffUserId) return undefined;
  const start = await completedRound(deps, plan.roundId);
  if (!start?.response.shareWithManager || start.response.erasedAt) return undefined;
  if (!start.response.notAdequatelyProviding && !start.response.concentrateOn) return undefined;
  return start;
}

export async function writePlan(
  deps: PlanDeps,
  {
    planId,
    userId,
    sourceViewId,
    draft,
    now,
  }: { planId: number; userId: string; sourceViewId: string; draft: PlanDraft; now: Date },
): Promise<
  | { ok: true; created: boolean; after?: () => Promise<void> }
  | { ok: false; errors: Partial<Record<PlanField, string>> }
> {
  const owned = await planForStaff(deps, planId, userId);
  if (!owned.ok) return { ok: false, errors: { form: owned.text } };
  const errors: Partial<Record<PlanField, string>> = {};
  const required = (field: 'strengths' | 'improvements' | 'successMeasure', value: string | null) => {
    const cleaned = cleanParagraphs(value);
    if (!cleaned) errors[field] = 'Please answer this.';
    else if (charLength(cleaned) > PLAN_LIMITS.prompt)
      errors[field] = `Keep this to ${PLAN_LIMITS.prompt} characters.`;
    return cleaned ?? '';
  };
  const strengths = required('strengths', draft.strengths);
  const improvements = required('improvements', draft.improvements);
  const successMeasure = required('successMeasure', draft.successMeasure);
  const steps = (cleanParagraphs(draft.steps) ?? '')
    .split('\n')
    .map((line) => line.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim())
    .filter(Boolean);
  if (steps.length === 0) errors.steps = 'List at least one step, one per line.';
  else if (steps.length > PLAN_LIMITS.maxSteps) errors.steps = `Keep it to ${PLAN_LIMITS.maxSteps} steps.`;
  else if (steps.some((step) => charLength(step) > PLAN_LIMITS.step))
    errors.steps = `Keep each step to ${PLAN_LIMITS.step} characters.`;
  const every = Number(draft.checkinEvery);
  if (!CHECKIN_CHOICES.includes(every as (typeof CHECKIN_CHOICES)[number]))
    errors.checkinEvery = 'Choose how often to check in.';
  const zone = (await deps.directory.lookup(userId).catch(() => undefined))?.tz ?? null;
  const today = localDate(now, zone);
  const remeasureOn = draft.remeasureOn ?? '';
  if (!isCalendarDate(remeasureOn)) errors.remeasureOn = 'Choose a date.';
  else if (remeasureOn <= today) errors.remeasureOn = 'Choose a day after today.';
  else if (remeasureOn > addDays(today, 365)) errors.remeasureOn = 'Choose a day within the next year.';
  // The option is only offered with the customer's agreement; sent without it, it is refused.
  if (draft.share && !(await shareableAnswers(deps, owned.plan)))
    errors.share =
      owned.plan.managerUserId === owned.plan.staffUserId ? SHARE_REFUSED_OWN_PLAN : SHARE_REFUSED;
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const stored = await deps.plans.write(
    planId,
    {
      strengths,
      improvements,
      successMeasure,
      checkinEveryDays: every,
      remeasureOn,
      sharedCustomerAnswers: draft.share,
    },
    steps,
    sourceViewId,
    now,
  );
  if (stored === 'not_awaiting')
    return { ok: false, errors: { form: 'This plan has already been written.' } };
  if (!stored.created) return { ok: true, created: false };
  const { plan } = stored;

  // The reminders queue brings the check-ins and the re-measure, in the staff member's working hours.
  const rows = [];
  const remeasureAt = workingStartOn(remeasureOn, zone, deps.settings.policy);
  for (let n = 1; ; n++) {
    // Whole days in the staff member's zone, at the same wall-clock time (as the nudges are): 24-hour
    // days would move every check-in after a clock change by an hour, or past the end of the day.
    const due = workingTimeAfterDays(now, n * every, zone, deps.settings.policy);
    if (due >= remeasureAt || n > 52) break;
    rows.push({
      kind: 'plan_checkin' as const,
      planId,
      recipientUserId: plan.staffUserId,
      dueAt: due,
      dedupeKey: `plan_checkin:${planId}:${n}`,
    });
  }
  rows.push({
    kind: 'plan_remeasure' as const,
    planId,
    recipientUserId: plan.staffUserId,
    dueAt: remeasureAt,
    dedupeKey: `plan_remeasure:${planId}`,
  });
  await deps.reminders.schedule(rows);

  // Posting waits for Slack: the caller acknowledges the form first, then runs this.
  const after = async () => {
    const posted = await postInThread(deps, plan, buildPlanMessage(plan, stored.steps));
    if (posted.ok) await deps.plans.setPlanMessage(plan.id, posted.ts);
    // The customer agreed to their manager seeing them: the manager alone gets them, in the app's
    // DM with them, whoever else is in the plan's conversation.
    const shared = plan.sharedCustomerAnswers ? await shareableAnswers(deps, plan) : undefined;
    if (shared)
      await deps.messenger.post(
        plan.managerUserId,
        buildSharedAnswersMessage(plan, shared.round, shared.response),
      );
  };
  return { ok: true, created: true, after };
}

// ---------------------------------------------------------------------------------------------
// Steps, notes, the re-measure, closing

export async function markStepDone(
  deps: PlanDeps,
  { stepId, userId, now }: { stepId: number; userId: string; now: Date },
): Promise<Said> {
  const step = await deps.plans.step(stepId);
  if (!step) return { ok: false, text: 'That step no longer exists.' };
  const allowed = await planForStaffOrManager(deps, step.planId, userId);
  if (!allowed.ok) return allowed;
  const changed = await deps.plans.markStepDone(stepId, userId, now);
  const { plan } = allowed;
  if (changed && plan.planMessageTs) {
    const result = await deps.messenger.update(
      plan.channelId,
      plan.planMessageTs,
      buildPlanMessage(plan, await deps.plans.steps(plan.id)),
    );
    if (!result.ok && result.kind === 'undeliverable') await tellManager(deps, plan, result.error);
  }
  return {
    ok: true,
    text: changed ? `Step ${step.position} marked done.` : `Step ${step.position} was already done.`,
  };
}

export async function addNote(
  deps: PlanDeps,
  {
    planId,
    userId,
    text,
    sourceViewId,
    now,
  }: { planId: number; userId: string; text: string | null; sourceViewId: string; now: Date },
): Promise<{ ok: true; after?: () => Promise<void> } | { ok: false; text: string; field?: boolean }> {
  const allowed = await planForStaffOrManager(deps, planId, userId);
  if (!allowed.ok) return allowed;
  const cleaned = cleanParagraphs(text);
  if (!cleaned) return { ok: false, text: 'Write a note first.', field: true };
  if (charLength(cleaned) > PLAN_LIMITS.note)
    return { ok: false, text: `Keep the note to ${PLAN_LIMITS.note} characters.`, field: true };
  const note = await deps.plans.addNote({ planId, userId, text: cleaned, sourceViewId, createdAt: now });
  if (!note) return { ok: true };
  return {
    ok: true,
    after: async () => void (await postInThread(deps, allowed.plan, buildNoteMessage(userId, cleaned))),
  };
}

/**
 * Before a re-measure round is stored: the plan its form was opened from must still be this staff
 * member's and not closed, or the round would be stored for nothing it can close.
 */
/**
 * What rounds ask of action plans (the port src/modules/rounds/rounds.ports.ts declares): whether a
 * round may re-measure a plan, and what a re-measure round's start and answer do to it.
 */
export function roundPlansOf(deps: PlanDeps): RoundPlans {
  return {
    async remeasureRefusal(planId, staffUserId) {
      const plan = await deps.plans.find(planId);
      if (!plan) return 'plan_gone';
      if (plan.staffUserId !== staffUserId) return 'plan_not_yours';
      // Closed while the form was open: no round is started.
      if (plan.state === 'closed') return 'plan_closed';
      return undefined;
    },
    remeasureStarted: (planId, round) => linkRemeasureRound(deps, { planId, round }),
    roundAnswered: (round, response) => onRoundCompleted(deps, { round, response }),
  };
}

/** Links the new round a staff member started from the re-measure message to the plan. */
async function linkRemeasureRound(
  deps: PlanDeps,
  { planId, round }: { planId: number; round: Round },
): Promise<void> {
  const plan = await deps.plans.find(planId);
  if (!plan || plan.staffUserId !== round.staffUserId || plan.state === 'closed') return;
  await deps.plans.linkRemeasureRound(planId, round.id);
}

/** When a re-measure round is answered, the thread gets the before and after. */
async function onRoundCompleted(
  deps: PlanDeps,
  { round, response }: { round: Round; response: RoundResponse },
): Promise<void> {
  const plan = await deps.plans.findByRemeasureRound(round.id);
  if (!plan || plan.state === 'closed') return;
  const before = await completedRound(deps, plan.roundId);
  await postInThread(deps, plan, buildBeforeAfterMessage(plan, before, { round, response }));
}

export async function closePlan(
  deps: PlanDeps,
  {
    planId,
    userId,
    outcome,
    note,
    now,
  }: { planId: number; userId: string; outcome: string | null; note: string | null; now: Date },
): Promise<
  { ok: true; after?: () => Promise<void> } | { ok: false; text: string; field?: 'outcome' | 'note' }
> {
  const allowed = await planForStaffOrManager(deps, planId, userId);
  if (!allowed.ok) return allowed;
  const chosen = OUTCOMES.find((candidate) => candidate.value === outcome);
  if (!chosen) return { ok: false, text: 'Choose how it went.', field: 'outcome' };
  const cleaned = cleanParagraphs(note);
  if (cleaned && charLength(cleaned) > PLAN_LIMITS.note)
    return { ok: false, text: `Keep the note to ${PLAN_LIMITS.note} characters.`, field: 'note' };
  const closed = await deps.plans.close(planId, chosen.value, cleaned, now);
  if (!closed) return { ok: true };
  return {
    ok: true,
    after: async () => void (await postInThread(deps, closed, buildClosedMessage(closed, userId))),
  };
}

// ---------------------------------------------------------------------------------------------
// Check-ins and the re-measure, delivered by the reminders queue into the thread

export function planReminderKinds(deps: PlanDeps): Record<'plan_checkin' | 'plan_remeasure', KindHandler> {
  const activePlan = async (planId: number | null) => {
    const plan = planId ? await deps.plans.find(planId) : undefined;
    return plan && plan.state === 'active' ? plan : undefined;
  };
  const destination = (plan: ActionPlan) => ({
    channel: plan.channelId,
    threadTs: plan.threadTs,
    onUndeliverable: (error: string) => tellManager(deps, plan, error),
  });
  return {
    async plan_checkin(reminder) {
      const plan = await activePlan(reminder.planId);
      if (!plan) return { cancel: 'plan_not_active' };
      const sent = await deps.plans.sentCheckins(plan.id);
      const earlier = sent.length >= 2 ? sent[sent.length - 2]?.sentAt : undefined;
      const mentionManager = earlier ? !(await deps.plans.activitySince(plan.id, earlier)) : false;
      return {
        message: buildCheckinMessage(plan, await deps.plans.steps(plan.id), { mentionManager }),
        ...destination(plan),
      };
    },
    async plan_remeasure(reminder) {
      const plan = await activePlan(reminder.planId);
      if (!plan) return { cancel: 'plan_not_active' };
      const start = plan.roundId ? await deps.rounds.findRound(plan.roundId) : undefined;
      return { message: buildRemeasureMessage(plan, start), ...destination(plan) };
    },
  };
}
