import type { ActionPlan, PlanStep, Round, RoundResponse } from '../../db/schema.js';
import type { SlackMessage } from '../../lib/block-kit.js';
import { isCalendarDate } from '../../lib/calendar.js';
import { addDays, localDate } from '../../lib/clock.js';
import { charLength, cleanParagraphs } from '../../lib/text.js';
import type { Logger } from '../../logger.js';
import type { HomeRefresh } from '../home/home.port.js';
import type { Messenger, PostResult } from '../messaging/messaging.port.js';
import type { PeopleDirectory } from '../people/people.directory.js';
import type { RemindersRepository } from '../reminders/reminders.repository.js';
import type { ReminderSettings } from '../reminders/reminders.settings.js';
import { workingStartOn, workingTimeAfterDays } from '../reminders/working-hours.js';
import type { RoundPlans } from '../rounds/rounds.port.js';
import type { RoundsRepository } from '../rounds/rounds.repository.js';
import type { ChannelCheck, ManagerAccess, PlanConversations } from './plans.port.js';
import type { PlansRepository } from './plans.repository.js';
import {
  buildBeforeAfterMessage,
  buildClosedMessage,
  buildNoteMessage,
  buildPlanMessage,
  buildPlanParentMessage,
  buildSharedAnswersMessage,
  buildThreadProblemMessage,
  buildWritePromptMessage,
  CHECKIN_CHOICES,
  OUTCOMES,
  PLAN_LIMITS,
} from './plans.views.js';
import { channelProblem, channelProblemCode, type PlanCode, type PlanValues } from './plans.words.js';

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
  /** The Home tabs of the people in a plan, republished when it is opened, written or closed. */
  homes?: HomeRefresh | undefined;
}

/** Why a plan use case did nothing, as a code and what its words name (src/modules/plans/plans.words.ts). */
export type PlanRefusal = { ok: false; code: PlanCode; values?: PlanValues };

/** What a plan use case says back to the person who asked: a code and what its words name. */
export type PlanSaid = { ok: true; code: PlanCode; values?: PlanValues } | PlanRefusal;

/** Why a channel chosen for a plan is refused, by what Slack says the channel is. */
const PLACE_REFUSALS = {
  public: 'place_public',
  direct_message: 'place_direct_message',
  not_member: 'place_not_member',
  archived: 'place_archived',
  unknown: 'place_unknown',
} as const satisfies Record<Exclude<ChannelCheck, 'private'>, PlanCode>;

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

/** Tells a plan's manager that its thread cannot be posted in, and how to fix that. */
export async function tellManager(deps: PlanDeps, plan: ActionPlan, error: string): Promise<void> {
  await deps.messenger.post(plan.managerUserId, buildThreadProblemMessage(plan, channelProblem(error)));
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
    return { ok: false, code: 'round_not_completed', values: { roundId, staffUserId } };
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
    if (role === 'unknown') return { ok: false, code: 'opening_role_unknown' };
    if (role === 'not_manager') return { ok: false, code: 'opening_not_manager' };
  }
  const staff = await deps.directory.lookup(staffUserId).catch(() => 'unknown' as const);
  if (staff === 'unknown') return { ok: false, code: 'staff_lookup_failed' };
  if (!staff || staff.isBot || staff.deleted) return { ok: false, code: 'staff_not_a_person' };
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
    return { ok: false, code: channelId.startsWith('D') ? 'place_direct_message' : 'place_not_a_channel' };
  const [role, channel] = await Promise.all([
    callerId === staffUserId
      ? ('manager' as const)
      : deps.managers.check(callerId, { timeoutMs: ROLE_CHECK_MS }),
    channelId === null
      ? ('group_dm' as const)
      : deps.conversations.check(channelId, { timeoutMs: ROLE_CHECK_MS }),
  ]);
  if (role === 'unknown') return { ok: false, code: 'place_role_unknown' };
  if (role === 'not_manager') return { ok: false, code: 'place_not_manager' };
  if (channel === 'group_dm') return { ok: true, place: { kind: 'group_dm' } };
  if (channel !== 'private') return { ok: false, code: PLACE_REFUSALS[channel] };
  return { ok: true, place: { kind: 'private_channel', channelId: channelId as string } };
}

/** Where the plan went, for the words that tell the manager who opened it. */
function placeOf(place: PlanPlace, plan: ActionPlan): NonNullable<PlanValues['place']> {
  if (place.kind === 'private_channel') return 'private_channel';
  return plan.managerUserId === plan.staffUserId ? 'own_dm' : 'group_dm';
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
): Promise<PlanSaid> {
  const found = await startingRound(deps, staffUserId, roundId);
  if (!found.ok) return found;
  const { start } = found;

  let channel: string;
  if (place.kind === 'private_channel') channel = place.channelId;
  else {
    const people = callerId === staffUserId ? [staffUserId] : [callerId, staffUserId];
    const opened = await deps.conversations.open(people);
    if (!opened.ok)
      return { ok: false, code: 'group_dm_refused', values: { staffUserId, error: opened.error } };
    channel = opened.channel;
  }

  const parent = await deps.messenger.post(
    channel,
    buildPlanParentMessage({ staffUserId, managerUserId: callerId }, start),
  );
  if (!parent.ok)
    return { ok: false, code: channelProblemCode(parent.error), values: { error: parent.error } };
  const plan = await deps.plans.create({
    staffUserId,
    managerUserId: callerId,
    roundId: start?.round.id ?? null,
    channelId: parent.channel,
    threadTs: parent.ts,
    createdAt: now,
  });
  await postInThread(deps, plan, buildWritePromptMessage(plan));
  deps.homes?.changed([plan.staffUserId, plan.managerUserId]);
  deps.logger.info(
    { plan: plan.id, staff: staffUserId, manager: callerId, place: place.kind },
    'action plan opened',
  );
  return {
    ok: true,
    code: start ? 'plan_opened' : 'plan_opened_without_round',
    values: { planId: plan.id, staffUserId, channelId: plan.channelId, place: placeOf(place, plan) },
  };
}

/** `/action-plan list`: the plans open for this person, as staff member or manager. */
export async function listPlans(deps: PlanDeps, userId: string): Promise<ActionPlan[]> {
  return deps.plans.openPlansFor(userId);
}

// ---------------------------------------------------------------------------------------------
// Writing the plan

/**
 * A plan's manager acts on it only while still a manager: asked of Slack at that moment (admin
 * status is never cached). Short enough to leave a form's submission inside Slack's 3 seconds.
 */
export const ROLE_CHECK_MS = 1_200;

/** Whether this person may act on this plan now: the plan, or why not. */
type PlanCheck = (
  deps: PlanDeps,
  planId: number,
  userId: string,
) => Promise<{ ok: true; plan: ActionPlan } | PlanRefusal>;

export const planForStaff: PlanCheck = async (deps, planId, userId) => {
  const plan = await deps.plans.find(planId);
  if (!plan) return { ok: false, code: 'plan_gone' };
  if (plan.staffUserId !== userId)
    return { ok: false, code: 'not_staff', values: { staffUserId: plan.staffUserId } };
  return { ok: true, plan };
};

export const planForStaffOrManager: PlanCheck = async (deps, planId, userId) => {
  const plan = await deps.plans.find(planId);
  if (!plan) return { ok: false, code: 'plan_gone' };
  if (plan.staffUserId !== userId && plan.managerUserId !== userId) return { ok: false, code: 'not_in_plan' };
  if (plan.state === 'closed') return { ok: false, code: 'plan_closed' };
  if (plan.staffUserId !== userId) {
    const role = await deps.managers.check(userId, { timeoutMs: ROLE_CHECK_MS });
    if (role === 'unknown') return { ok: false, code: 'manager_unknown' };
    if (role === 'not_manager') return { ok: false, code: 'no_longer_manager' };
  }
  return { ok: true, plan };
};

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

/** Refused field by field, each refusal a code; `values` are what the codes' words name. */
export type FieldRefusal<F extends string> = {
  ok: false;
  errors: Partial<Record<F, PlanCode>>;
  values?: PlanValues;
};

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

/** A plan as written: the row and its steps, for the announcement. */
export interface WrittenPlan {
  plan: ActionPlan;
  steps: PlanStep[];
}

/**
 * The staff member's form: checked field by field, then stored with its steps, and the check-ins
 * and the re-measure queued. `created` is false for the same form submitted again.
 */
export async function writePlan(
  deps: PlanDeps,
  {
    planId,
    userId,
    sourceViewId,
    draft,
    now,
  }: { planId: number; userId: string; sourceViewId: string; draft: PlanDraft; now: Date },
): Promise<({ ok: true; created: boolean } & WrittenPlan) | FieldRefusal<PlanField>> {
  const owned = await planForStaff(deps, planId, userId);
  if (!owned.ok) return { ok: false, errors: { form: owned.code }, values: owned.values };
  const errors: Partial<Record<PlanField, PlanCode>> = {};
  const required = (field: 'strengths' | 'improvements' | 'successMeasure', value: string | null) => {
    const cleaned = cleanParagraphs(value);
    if (!cleaned) errors[field] = 'answer_missing';
    else if (charLength(cleaned) > PLAN_LIMITS.prompt) errors[field] = 'answer_too_long';
    return cleaned ?? '';
  };
  const strengths = required('strengths', draft.strengths);
  const improvements = required('improvements', draft.improvements);
  const successMeasure = required('successMeasure', draft.successMeasure);
  const steps = (cleanParagraphs(draft.steps) ?? '')
    .split('\n')
    .map((line) => line.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim())
    .filter(Boolean);
  if (steps.length === 0) errors.steps = 'steps_missing';
  else if (steps.length > PLAN_LIMITS.maxSteps) errors.steps = 'steps_too_many';
  else if (steps.some((step) => charLength(step) > PLAN_LIMITS.step)) errors.steps = 'step_too_long';
  const every = Number(draft.checkinEvery);
  if (!CHECKIN_CHOICES.includes(every as (typeof CHECKIN_CHOICES)[number]))
    errors.checkinEvery = 'checkin_missing';
  const zone = (await deps.directory.lookup(userId).catch(() => undefined))?.tz ?? null;
  const today = localDate(now, zone);
  const remeasureOn = draft.remeasureOn ?? '';
  if (!isCalendarDate(remeasureOn)) errors.remeasureOn = 'remeasure_missing';
  else if (remeasureOn <= today) errors.remeasureOn = 'remeasure_past';
  else if (remeasureOn > addDays(today, 365)) errors.remeasureOn = 'remeasure_too_far';
  // The option is only offered with the customer's agreement; sent without it, it is refused.
  if (draft.share && !(await shareableAnswers(deps, owned.plan)))
    errors.share =
      owned.plan.managerUserId === owned.plan.staffUserId ? 'share_refused_own_plan' : 'share_refused';
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
  if (stored === 'not_awaiting') return { ok: false, errors: { form: 'already_written' } };
  if (!stored.created) return { ok: true, ...stored };
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
  return { ok: true, ...stored };
}

/**
 * A plan was written (posting waits for Slack, so this runs after the form's acknowledgement): the
 * plan goes into its thread, and the customer's answers, when they agreed to their manager seeing
 * them, to the manager alone, in the app's DM with them, whoever else is in the plan's conversation.
 */
export async function announcePlanWritten(deps: PlanDeps, { plan, steps }: WrittenPlan): Promise<void> {
  deps.homes?.changed([plan.staffUserId, plan.managerUserId]);
  const posted = await postInThread(deps, plan, buildPlanMessage(plan, steps));
  if (posted.ok) await deps.plans.setPlanMessage(plan.id, posted.ts);
  const shared = plan.sharedCustomerAnswers ? await shareableAnswers(deps, plan) : undefined;
  if (shared)
    await deps.messenger.post(
      plan.managerUserId,
      buildSharedAnswersMessage(plan, shared.round, shared.response),
    );
}

// ---------------------------------------------------------------------------------------------
// Steps, notes, the re-measure, closing

export async function markStepDone(
  deps: PlanDeps,
  { stepId, userId, now }: { stepId: number; userId: string; now: Date },
): Promise<PlanSaid> {
  const step = await deps.plans.step(stepId);
  if (!step) return { ok: false, code: 'step_gone' };
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
    code: changed ? 'step_marked' : 'step_already_done',
    values: { position: step.position },
  };
}

/** A note as added: the plan it was added to, by whom, and what it says. */
export interface AddedNote {
  plan: ActionPlan;
  userId: string;
  text: string;
}

/** A note from the staff member or the manager; `created` is false for the same form submitted again. */
export async function addNote(
  deps: PlanDeps,
  {
    planId,
    userId,
    text,
    sourceViewId,
    now,
  }: { planId: number; userId: string; text: string | null; sourceViewId: string; now: Date },
): Promise<({ ok: true; created: boolean } & AddedNote) | FieldRefusal<'note'>> {
  const allowed = await planForStaffOrManager(deps, planId, userId);
  if (!allowed.ok) return { ok: false, errors: { note: allowed.code }, values: allowed.values };
  const cleaned = cleanParagraphs(text);
  if (!cleaned) return { ok: false, errors: { note: 'note_missing' } };
  if (charLength(cleaned) > PLAN_LIMITS.note) return { ok: false, errors: { note: 'note_too_long' } };
  const note = await deps.plans.addNote({ planId, userId, text: cleaned, sourceViewId, createdAt: now });
  return { ok: true, created: note !== undefined, plan: allowed.plan, userId, text: cleaned };
}

/** A note was added: it goes into the plan's thread. */
export async function announceNoteAdded(deps: PlanDeps, { plan, userId, text }: AddedNote): Promise<void> {
  await postInThread(deps, plan, buildNoteMessage(userId, text));
}

/**
 * What rounds ask of action plans (the port src/modules/rounds/rounds.port.ts declares): whether a
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

/** A plan as closed, and who closed it. */
export interface ClosedPlan {
  plan: ActionPlan;
  userId: string;
}

/** Closes a plan with its outcome; `closed` is undefined when it was closed already. */
export async function closePlan(
  deps: PlanDeps,
  {
    planId,
    userId,
    outcome,
    note,
    now,
  }: { planId: number; userId: string; outcome: string | null; note: string | null; now: Date },
): Promise<{ ok: true; closed: ClosedPlan | undefined } | FieldRefusal<'outcome' | 'note'>> {
  const allowed = await planForStaffOrManager(deps, planId, userId);
  if (!allowed.ok) return { ok: false, errors: { outcome: allowed.code }, values: allowed.values };
  const chosen = OUTCOMES.find((candidate) => candidate.value === outcome);
  if (!chosen) return { ok: false, errors: { outcome: 'outcome_missing' } };
  const cleaned = cleanParagraphs(note);
  if (cleaned && charLength(cleaned) > PLAN_LIMITS.note)
    return { ok: false, errors: { note: 'note_too_long' } };
  const closed = await deps.plans.close(planId, chosen.value, cleaned, now);
  return { ok: true, closed: closed ? { plan: closed, userId } : undefined };
}

/** A plan was closed: its thread hears how it went. */
export async function announcePlanClosed(deps: PlanDeps, { plan, userId }: ClosedPlan): Promise<void> {
  deps.homes?.changed([plan.staffUserId, plan.managerUserId]);
  await postInThread(deps, plan, buildClosedMessage(plan, userId));
}
