import type { Round, RoundResponse } from '../../db/schema.js';
import { addDays, type Clock, localDate } from '../../lib/clock.js';
import { charLength, cleanParagraphs, cleanText } from '../../lib/text.js';
import { type PeopleDirectory, PersonLookupError } from '../people/people.directory.js';
import { type AnswerKey, INTERVIEW_QUESTIONS, LIMITS, SEGMENTS, type Segment } from './rounds.content.js';
import { DuplicateOpenRoundError, RoundNotOpenError } from './rounds.errors.js';
import type { RoundsRepository } from './rounds.repository.js';

/** How many earlier services the form offers back (a select takes at most 100 options). */
export const MAX_SUGGESTED_SERVICES = 25;
/** The default gap between starting a round and talking to the customer. */
export const DEFAULT_INTERVIEW_AFTER_DAYS = 7;
/** How far ahead an interview may be planned. */
export const MAX_INTERVIEW_AFTER_DAYS = 365;
/** Slack's users.info must answer inside the 3-second window of a view submission. */
const LOOKUP_TIMEOUT_MS = 1500;

export type Result<T, F extends string> =
  | ({ ok: true } & T)
  | { ok: false; errors: Partial<Record<F, string>> };

// ---------------------------------------------------------------------------------------------
// Starting a round: the staff member's self-rating

export interface RoundFormDefaults {
  unit: string | null;
  previousServices: string[];
  interviewOn: string;
  /** Filled in from an earlier round: a new round with the same customer and service. */
  prefill?:
    | { customerUserId: string | null; customerName: string | null; service: string; segment: Segment }
    | undefined;
}

export async function prepareRoundForm({
  rounds,
  clock,
  staffUserId,
  timeZone,
  fromRoundId,
}: {
  rounds: RoundsRepository;
  clock: Clock;
  staffUserId: string;
  timeZone?: string | null | undefined;
  fromRoundId?: number | undefined;
}): Promise<RoundFormDefaults> {
  const [known, earlier] = await Promise.all([
    rounds.formDefaults(staffUserId, MAX_SUGGESTED_SERVICES),
    fromRoundId ? rounds.findRound(fromRoundId) : undefined,
  ]);
  // Only one's own rounds prefill a form.
  const source = earlier?.staffUserId === staffUserId ? earlier : undefined;
  return {
    unit: known.unit,
    previousServices: known.services,
    interviewOn: addDays(localDate(clock.now(), timeZone), DEFAULT_INTERVIEW_AFTER_DAYS),
    prefill: source
      ? {
          customerUserId: source.customerUserId,
          customerName: source.customerUserId ? null : source.customerName,
          service: source.service,
          segment: source.segment,
        }
      : undefined,
  };
}

/** What the staff member typed, as plain values (the Slack layer has already unpacked the view). */
export interface RoundDraft {
  customerUserId: string | null;
  customerName: string | null;
  previousService: string | null;
  newService: string | null;
  segment: string | null;
  unit: string | null;
  selfScore: string | null;
  selfNote: string | null;
  interviewOn: string | null;
}

export type RoundField =
  | 'customer'
  | 'service'
  | 'segment'
  | 'unit'
  | 'selfScore'
  | 'selfNote'
  | 'interviewOn';

const segmentValues = new Set<string>(SEGMENTS.map((segment) => segment.value));

export function parseScore(value: string | null): number | undefined {
  if (value == null || !/^\d{1,2}$/.test(value)) return undefined;
  const score = Number(value);
  return score >= 1 && score <= 10 ? score : undefined;
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** Who a customer in Slack is, for the one-open-round rule (rounds.customer_key). */
export const slackCustomerKey = (userId: string): string => `slack:${userId}`;

/**
 * Who an outside customer is, for the one-open-round rule: their name as typed, cleaned as the form
 * cleans it (control characters out, spaces collapsed) and lower-cased. `customers forget --name`
 * finds a customer's rounds through the same key.
 */
export function outsideCustomerKey(name: string): string {
  return `name:${(cleanText(name) ?? '').toLowerCase()}`;
}

export async function startRound({
  rounds,
  directory,
  clock,
  staffUserId,
  staffTimeZone,
  sourceViewId,
  draft,
}: {
  rounds: RoundsRepository;
  directory: PeopleDirectory;
  clock: Clock;
  staffUserId: string;
  staffTimeZone?: string | null | undefined;
  sourceViewId: string;
  draft: RoundDraft;
}): Promise<Result<{ round: Round; created: boolean }, RoundField>> {
  const errors: Partial<Record<RoundField, string>> = {};

  const customerName = cleanText(draft.customerName);
  const customerUserId = cleanText(draft.customerUserId);
  if (customerUserId && customerName) {
    errors.customer = 'Choose a person in Slack or type a name, not both.';
  } else if (!customerUserId && !customerName) {
    errors.customer = 'Choose your customer in Slack, or type the name of someone outside Slack.';
  } else if (customerName && charLength(customerName) > LIMITS.customerName) {
    errors.customer = `Keep the name to ${LIMITS.customerName} characters.`;
  } else if (customerUserId === staffUserId) {
    errors.customer = "You can't be your own customer. Choose the person you serve.";
  }

  const previousService = cleanText(draft.previousService);
  const newService = cleanText(draft.newService);
  const service = newService ?? previousService;
  if (newService && previousService && newService.toLowerCase() !== previousService.toLowerCase()) {
    errors.service = 'Pick an earlier service or type a new one, not both.';
  } else if (!service) {
    errors.service = 'Say which service you give this customer.';
  } else if (charLength(service) > LIMITS.service) {
    errors.service = `Keep the service to ${LIMITS.service} characters.`;
  }

  const segment = draft.segment;
  if (!segment || !segmentValues.has(segment)) errors.segment = 'Choose which kind of customer this is.';

  const unit = cleanText(draft.unit);
  if (!unit) errors.unit = 'Say which department or branch you work in.';
  else if (charLength(unit) > LIMITS.unit) errors.unit = `Keep the unit to ${LIMITS.unit} characters.`;

  const selfScore = parseScore(draft.selfScore);
  if (selfScore === undefined) errors.selfScore = 'Choose a score from 1 (low) to 10 (high).';

  const selfNote = cleanParagraphs(draft.selfNote);
  if (selfNote && charLength(selfNote) > LIMITS.selfNote) {
    errors.selfNote = `Keep the note to ${LIMITS.selfNote} characters.`;
  }

  const today = localDate(clock.now(), staffTimeZone);
  const interviewOn = draft.interviewOn;
  if (!interviewOn || !isCalendarDate(interviewOn)) {
    errors.interviewOn = 'Choose the day you plan to talk to your customer.';
  } else if (interviewOn < addDays(today, -1)) {
    // One day of slack: the picker's "today" is the person's, the clock's may be a zone ahead.
    errors.interviewOn = 'Choose today or a later day.';
  } else if (interviewOn > addDays(today, MAX_INTERVIEW_AFTER_DAYS)) {
    errors.interviewOn = 'Choose a day within the next year.';
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };

  // Only now ask Slack about the customer: the other checks are free, this one is a network call.
  let resolvedName = customerName;
  if (customerUserId) {
    try {
      const person = await directory.lookup(customerUserId, { timeoutMs: LOOKUP_TIMEOUT_MS });
      if (!person) return { ok: false, errors: { customer: "That person isn't in this workspace." } };
      if (person.isBot)
        return { ok: false, errors: { customer: "A bot can't rate your service. Choose a person." } };
      if (person.deleted) return { ok: false, errors: { customer: 'That person has left the workspace.' } };
      resolvedName = person.name;
    } catch (error) {
      if (error instanceof PersonLookupError) {
        return {
          ok: false,
          errors: { customer: "Slack didn't answer when we checked this person. Please press Submit again." },
        };
      }
      throw error;
    }
  }

  try {
    const result = await rounds.createRound({
      staffUserId,
      customerUserId,
      customerName: resolvedName as string,
      customerKey: customerUserId
        ? slackCustomerKey(customerUserId)
        : outsideCustomerKey(customerName as string),
      service: service as string,
      serviceKey: (service as string).toLowerCase(),
      segment: segment as Segment,
      unit: unit as string,
      selfScore: selfScore as number,
      selfNote,
      interviewOn: interviewOn as string,
      sourceViewId,
      createdAt: clock.now(),
    });
    return { ok: true, ...result };
  } catch (error) {
    if (error instanceof DuplicateOpenRoundError) {
      return {
        ok: false,
        errors: {
          service:
            'You already have an open round with this customer for this service. Wait for their answer, or choose another service.',
        },
      };
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Answering a round: the customer, or the staff member on an outside customer's behalf

export type AnswerRefusal = 'not_found' | 'not_yours' | 'completed' | 'expired' | 'cancelled';

export interface AnswerPermission {
  round: Round;
  /** True when the staff member records an outside customer's answers. */
  onBehalf: boolean;
}

/** Who may answer: the named Slack customer, or for an outside customer, the staff member. */
export function checkAnswerPermission(
  round: Round | undefined,
  userId: string,
): { ok: true; permission: AnswerPermission } | { ok: false; refusal: AnswerRefusal } {
  if (!round) return { ok: false, refusal: 'not_found' };
  const onBehalf = round.customerUserId === null;
  const allowed = onBehalf ? userId === round.staffUserId : userId === round.customerUserId;
  if (!allowed) return { ok: false, refusal: 'not_yours' };
  if (round.status !== 'awaiting_customer') return { ok: false, refusal: round.status };
  return { ok: true, permission: { round, onBehalf } };
}

export async function openAnswerForm({
  rounds,
  roundId,
  userId,
}: {
  rounds: RoundsRepository;
  roundId: number;
  userId: string;
}): Promise<{ ok: true; permission: AnswerPermission } | { ok: false; refusal: AnswerRefusal }> {
  return checkAnswerPermission(await rounds.findRound(roundId), userId);
}

export interface ResponseDraft {
  answers: Record<AnswerKey, string | null>;
  customerScore: string | null;
  /**
   * The customer's opt-in (ticked by them, or for an outside customer by the staff member saying
   * they agreed): the staff member may share the written answers with their manager for an action
   * plan. Stored as `share_with_manager`; false unless ticked.
   */
  shareWithManager: boolean;
  /**
   * A recorded interview only: the staff member confirms the customer agreed to their answers being
   * recorded. Required to submit, so it needs no column: every recorded response has it.
   */
  customerAgreed: boolean;
}

export type ResponseField = AnswerKey | 'customerScore' | 'consent' | 'form';

export const CONSENT_MISSING =
  "Tick this to confirm they agreed to your recording their answers here. If they didn't, don't record them.";

export async function recordResponse({
  rounds,
  clock,
  roundId,
  userId,
  sourceViewId,
  draft,
}: {
  rounds: RoundsRepository;
  clock: Clock;
  roundId: number;
  userId: string;
  sourceViewId: string;
  draft: ResponseDraft;
}): Promise<
  Result<{ round: Round; response: RoundResponse; created: boolean; onBehalf: boolean }, ResponseField>
> {
  const errors: Partial<Record<ResponseField, string>> = {};
  const answers = {} as Record<AnswerKey, string | null>;
  for (const question of INTERVIEW_QUESTIONS) {
    const answer = cleanParagraphs(draft.answers[question.key]);
    if (!answer && !question.optional) errors[question.key] = 'Please answer this question.';
    else if (answer && charLength(answer) > LIMITS.answer) {
      errors[question.key] = `Keep this answer to ${LIMITS.answer} characters.`;
    }
    answers[question.key] = answer;
  }
  const customerScore = parseScore(draft.customerScore);
  if (customerScore === undefined) errors.customerScore = 'Choose a score from 1 (low) to 10 (high).';

  const round = await rounds.findRound(roundId);
  const permission = checkAnswerPermission(round, userId);
  if (!permission.ok) {
    // An answer that was already stored from this very form is not an error: it is a resubmission.
    if (round && permission.refusal === 'completed') {
      const stored = await rounds.findResponse(round.id);
      if (stored?.sourceViewId === sourceViewId) {
        return { ok: true, round, response: stored, created: false, onBehalf: round.customerUserId === null };
      }
    }
    return { ok: false, errors: { form: refusalText(permission.refusal) } };
  }
  if (permission.permission.onBehalf && !draft.customerAgreed) errors.consent = CONSENT_MISSING;
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  try {
    const result = await rounds.recordResponse(
      {
        roundId,
        customerScore: customerScore as number,
        needFromMe: answers.needFromMe as string,
        whyDependOnMe: answers.whyDependOnMe as string,
        notAdequatelyProviding: answers.notAdequatelyProviding as string,
        concentrateOn: answers.concentrateOn as string,
        noLongerNeed: answers.noLongerNeed as string,
        additionalComments: answers.additionalComments,
        shareWithManager: draft.shareWithManager === true,
        answeredByUserId: userId,
        recordedOnBehalf: permission.permission.onBehalf,
        sourceViewId,
        createdAt: clock.now(),
      },
      clock.now(),
    );
    return { ok: true, ...result, onBehalf: permission.permission.onBehalf };
  } catch (error) {
    if (error instanceof RoundNotOpenError) {
      const refusal =
        (['completed', 'expired', 'cancelled'] as const).find((s) => s === error.status) ?? 'not_found';
      return { ok: false, errors: { form: refusalText(refusal) } };
    }
    throw error;
  }
}

export function refusalText(refusal: AnswerRefusal): string {
  switch (refusal) {
    case 'not_found':
      return 'This round no longer exists.';
    case 'not_yours':
      return 'This request was meant for someone else, so only they can answer it.';
    case 'completed':
      return 'This round has already been answered. Thank you!';
    case 'expired':
      return 'This round expired before it was answered. The staff member can start a new one.';
    case 'cancelled':
      return 'This round was cancelled, so it no longer needs an answer.';
  }
}

export async function listRounds({
  rounds,
  staffUserId,
  limit = 100,
}: {
  rounds: RoundsRepository;
  staffUserId?: string | undefined;
  limit?: number;
}) {
  const rows = await rounds.listRounds({ staffUserId, limit });
  return rows.map(({ round, customerScore }) => ({
    id: round.id,
    status: round.status,
    staffUserId: round.staffUserId,
    customer: round.customerUserId ?? round.customerName,
    customerInSlack: round.customerUserId !== null,
    service: round.service,
    segment: round.segment,
    unit: round.unit,
    selfScore: round.selfScore,
    customerScore: customerScore ?? null,
    gap: customerScore == null ? null : customerScore - round.selfScore,
    interviewOn: round.interviewOn,
    createdAt: round.createdAt.toISOString(),
    completedAt: round.completedAt?.toISOString() ?? null,
  }));
}
