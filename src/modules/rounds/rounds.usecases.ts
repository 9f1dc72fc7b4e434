import type { Round, RoundResponse } from '../../db/schema.js';
import { isCalendarDate, isValidTimeZone } from '../../lib/calendar.js';
import { addDays, type Clock, localDate } from '../../lib/clock.js';
import { qrPng } from '../../lib/qr.js';
import { charLength, cleanParagraphs, cleanText } from '../../lib/text.js';
import type { HomeRefresh } from '../home/home.port.js';
import type { Messenger } from '../messaging/messaging.port.js';
import { type PeopleDirectory, PersonLookupError } from '../people/people.directory.js';
import { type AnswerKey, INTERVIEW_QUESTIONS, LIMITS, SEGMENTS, type Segment } from './rounds.content.js';
import { DuplicateOpenRoundError, RoundNotOpenError } from './rounds.errors.js';
import { newPatronLink, type PatronLinkSettings, patronLinkUrl } from './rounds.link-tokens.js';
import { customerRequestKey, type RoundOutbox, type RoundPlans, roundResultKey } from './rounds.port.js';
import type { RoundsRepository } from './rounds.repository.js';
import {
  buildCustomerThanksMessage,
  buildRoundStartedMessage,
  type RoundFormDefaults,
} from './rounds.views.js';
import type { RoundCode } from './rounds.words.js';

/** How many earlier services the form offers back (a select takes at most 100 options). */
export const MAX_SUGGESTED_SERVICES = 25;
/** The default gap between starting a round and talking to the customer. */
export const DEFAULT_INTERVIEW_AFTER_DAYS = 7;
/** How far ahead an interview may be planned. */
export const MAX_INTERVIEW_AFTER_DAYS = 365;
/** Slack's users.info must answer inside the 3-second window of a view submission. */
const LOOKUP_TIMEOUT_MS = 1500;
/**
 * The staff member's own time zone is asked for only when the chosen interview day is one that some
 * zone would call past or too far and another would not; a short budget, since the customer's
 * lookup still has to fit after it.
 */
const STAFF_ZONE_TIMEOUT_MS = 500;

/** Done, or refused field by field: each refusal a code (src/modules/rounds/rounds.words.ts). */
export type Result<T, F extends string> =
  | ({ ok: true } & T)
  | { ok: false; errors: Partial<Record<F, RoundCode>> };

// ---------------------------------------------------------------------------------------------
// Starting a round: the staff member's self-rating

export async function prepareRoundForm({
  rounds,
  clock,
  staffUserId,
  timeZone,
  fromRoundId,
  links,
}: {
  rounds: RoundsRepository;
  clock: Clock;
  staffUserId: string;
  timeZone?: string | null | undefined;
  fromRoundId?: number | undefined;
  /** Set when patrons outside Slack can be sent a link (PUBLIC_URL): the form offers it. */
  links?: PatronLinkSettings | undefined;
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
    linksOffered: links !== undefined,
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
  /** An outside customer: `link` (they answer on a web page) or `record` (the staff member does). */
  answerBy?: string | null | undefined;
}

export type RoundField =
  | 'customer'
  | 'service'
  | 'segment'
  | 'unit'
  | 'selfScore'
  | 'selfNote'
  | 'interviewOn'
  | 'answerBy';

const segmentValues = new Set<string>(SEGMENTS.map((segment) => segment.value));

export function parseScore(value: string | null): number | undefined {
  if (value == null || !/^\d{1,2}$/.test(value)) return undefined;
  const score = Number(value);
  return score >= 1 && score <= 10 ? score : undefined;
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
  planId,
  plans,
  links,
}: {
  rounds: RoundsRepository;
  directory: PeopleDirectory;
  clock: Clock;
  /** Set when patrons can be sent a link (PUBLIC_URL). */
  links?: PatronLinkSettings | undefined;
  staffUserId: string;
  /** Known already (tests, the CLI); otherwise asked of the directory when the day needs it. */
  staffTimeZone?: string | null | undefined;
  sourceViewId: string;
  draft: RoundDraft;
  /** A re-measure round names its plan: it must still be open and this staff member's. */
  planId?: number | undefined;
  plans?: RoundPlans | undefined;
}): Promise<Result<{ round: Round; created: boolean; linkToken?: string | undefined }, RoundField>> {
  if (planId && plans) {
    const refusal = await plans.remeasureRefusal(planId, staffUserId);
    if (refusal) return { ok: false, errors: { segment: refusal } };
  }
  const errors: Partial<Record<RoundField, RoundCode>> = {};

  const customerName = cleanText(draft.customerName);
  const customerUserId = cleanText(draft.customerUserId);
  if (customerUserId && customerName) {
    errors.customer = 'customer_both';
  } else if (!customerUserId && !customerName) {
    errors.customer = 'customer_missing';
  } else if (customerName && charLength(customerName) > LIMITS.customerName) {
    errors.customer = 'customer_name_too_long';
  } else if (customerUserId === staffUserId) {
    errors.customer = 'customer_is_self';
  }

  const previousService = cleanText(draft.previousService);
  const newService = cleanText(draft.newService);
  const service = newService ?? previousService;
  if (newService && previousService && newService.toLowerCase() !== previousService.toLowerCase()) {
    errors.service = 'service_both';
  } else if (!service) {
    errors.service = 'service_missing';
  } else if (charLength(service) > LIMITS.service) {
    errors.service = 'service_too_long';
  }

  const segment = draft.segment;
  if (!segment || !segmentValues.has(segment)) errors.segment = 'segment_missing';

  const unit = cleanText(draft.unit);
  if (!unit) errors.unit = 'unit_missing';
  else if (charLength(unit) > LIMITS.unit) errors.unit = 'unit_too_long';

  const selfScore = parseScore(draft.selfScore);
  if (selfScore === undefined) errors.selfScore = 'score_missing';

  const selfNote = cleanParagraphs(draft.selfNote);
  if (selfNote && charLength(selfNote) > LIMITS.selfNote) {
    errors.selfNote = 'note_too_long';
  }

  const interviewOn = draft.interviewOn;
  if (!interviewOn || !isCalendarDate(interviewOn)) {
    errors.interviewOn = 'interview_day_missing';
  } else {
    const zone = await staffZoneFor(interviewOn, { directory, clock, staffUserId, staffTimeZone });
    const refusal = interviewDayRefusal(interviewOn, clock.now(), zone);
    if (refusal) errors.interviewOn = refusal;
  }

  // An outside customer answers on a web page by a link unless the staff member records the interview.
  const byLink = Boolean(customerName) && !customerUserId && draft.answerBy !== 'record';
  if (byLink && !links && draft.answerBy === 'link') errors.answerBy = 'link_unavailable';

  if (Object.keys(errors).length > 0) return { ok: false, errors };

  // Only now ask Slack about the customer: the other checks are free, this one is a network call.
  let resolvedName = customerName;
  if (customerUserId) {
    try {
      const person = await directory.lookup(customerUserId, { timeoutMs: LOOKUP_TIMEOUT_MS });
      if (!person) return { ok: false, errors: { customer: 'customer_unknown' } };
      if (person.isBot) return { ok: false, errors: { customer: 'customer_bot' } };
      if (person.deleted) return { ok: false, errors: { customer: 'customer_left' } };
      resolvedName = person.name;
    } catch (error) {
      if (error instanceof PersonLookupError) {
        return { ok: false, errors: { customer: 'customer_lookup_failed' } };
      }
      throw error;
    }
  }

  const link = byLink && links ? newPatronLink(links, clock.now()) : undefined;
  try {
    const result = await rounds.createRound(
      {
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
      },
      { patronLink: link && { tokenHash: link.tokenHash, expiresAt: link.expiresAt } },
    );
    // The token leaves only with a new round: a form submitted again made no link.
    return { ok: true, ...result, linkToken: result.created ? link?.token : undefined };
  } catch (error) {
    if (error instanceof DuplicateOpenRoundError) {
      return { ok: false, errors: { service: 'duplicate_open_round' } };
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
): { ok: true; permission: AnswerPermission } | { ok: false; code: AnswerRefusal } {
  if (!round) return { ok: false, code: 'not_found' };
  const onBehalf = round.customerUserId === null;
  const allowed = onBehalf ? userId === round.staffUserId : userId === round.customerUserId;
  if (!allowed) return { ok: false, code: 'not_yours' };
  if (round.status !== 'awaiting_customer') return { ok: false, code: round.status };
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
}): Promise<{ ok: true; permission: AnswerPermission } | { ok: false; code: AnswerRefusal }> {
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

/** The six answers and the score, cleaned, with what is missing or too long, field by field. */
export function checkAnswers(draft: Pick<ResponseDraft, 'answers' | 'customerScore'>): {
  errors: Partial<Record<ResponseField, RoundCode>>;
  answers: Record<AnswerKey, string | null>;
  customerScore: number | undefined;
} {
  const errors: Partial<Record<ResponseField, RoundCode>> = {};
  const answers = {} as Record<AnswerKey, string | null>;
  for (const question of INTERVIEW_QUESTIONS) {
    const answer = cleanParagraphs(draft.answers[question.key]);
    if (!answer && !question.optional) errors[question.key] = 'answer_missing';
    else if (answer && charLength(answer) > LIMITS.answer) errors[question.key] = 'answer_too_long';
    answers[question.key] = answer;
  }
  const customerScore = parseScore(draft.customerScore);
  if (customerScore === undefined) errors.customerScore = 'score_missing';
  return { errors, answers, customerScore };
}

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
  const { errors, answers, customerScore } = checkAnswers(draft);

  const round = await rounds.findRound(roundId);
  const permission = checkAnswerPermission(round, userId);
  if (!permission.ok) {
    // An answer that was already stored from this very form is not an error: it is a resubmission.
    if (round && permission.code === 'completed') {
      const stored = await rounds.findResponse(round.id);
      if (stored?.sourceViewId === sourceViewId) {
        return { ok: true, round, response: stored, created: false, onBehalf: round.customerUserId === null };
      }
    }
    return { ok: false, errors: { form: permission.code } };
  }
  if (permission.permission.onBehalf && !draft.customerAgreed) errors.consent = 'consent_missing';
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
      return { ok: false, errors: { form: refusal } };
    }
    throw error;
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

// ---------------------------------------------------------------------------------------------
// After the acknowledgement: what a stored round and a stored answer announce

/** What announcing needs: the messages go out through these, and the plans hear about their rounds. */
export interface RoundAnnouncements {
  rounds: RoundsRepository;
  messenger: Messenger;
  outbox: RoundOutbox;
  plans: RoundPlans;
  clock: Clock;
  /** Set when patrons can be sent a link (PUBLIC_URL): the link's address is built from it. */
  links?: PatronLinkSettings | undefined;
  /** The Home tabs of the staff member and the customer, republished when a round starts or is answered. */
  homes?: HomeRefresh | undefined;
}

/**
 * A round was started: a re-measure round joins its plan; a customer in Slack gets the request the
 * round put in the outbox, at once rather than on the next tick; the staff member hears it started
 * (and, for an outside customer, gets the message that holds the Record button).
 */
export async function announceRoundStarted(
  deps: RoundAnnouncements,
  { round, planId, linkToken }: { round: Round; planId?: number | undefined; linkToken?: string | undefined },
): Promise<void> {
  deps.homes?.changed([round.staffUserId, round.customerUserId]);
  if (planId) await deps.plans.remeasureStarted(planId, round);
  if (round.customerUserId) {
    const request = await deps.outbox.deliverNow(customerRequestKey(round.id), deps.clock.now());
    await deps.messenger.post(
      round.staffUserId,
      buildRoundStartedMessage(round, request?.failed ? { requestFailed: request.failed } : undefined),
    );
    return;
  }
  const url = linkToken && deps.links ? patronLinkUrl(deps.links, linkToken) : undefined;
  const started = await deps.messenger.post(
    round.staffUserId,
    buildRoundStartedMessage(round, undefined, url ? { url } : undefined),
  );
  if (!started.ok) return;
  await deps.rounds.setRequestMessage(round.id, started.channel, started.ts);
  if (url) await uploadLinkQr(deps, round, started.channel, url);
}

/** The link's QR code, for a patron at the desk to scan from the staff member's screen or a print. */
export async function uploadLinkQr(
  deps: Pick<RoundAnnouncements, 'messenger'>,
  round: Round,
  channel: string,
  url: string,
): Promise<void> {
  await deps.messenger.upload(channel, {
    bytes: await qrPng(url),
    filename: `round-${round.id}-link.png`,
    title: `QR code of the link for round ${round.id}`,
    altText: `QR code that opens the page where ${round.customerName} answers round ${round.id}.`,
  });
}

/**
 * A round was answered: the staff member's result (in the outbox with the answer) goes at once; the
 * customer's request message is thanked in place; a re-measure round closes its plan's loop.
 */
export async function announceRoundAnswered(
  deps: RoundAnnouncements,
  { round, response, onBehalf }: { round: Round; response: RoundResponse; onBehalf: boolean },
): Promise<void> {
  deps.homes?.changed([round.staffUserId, round.customerUserId]);
  await deps.outbox.deliverNow(roundResultKey(round.id), deps.clock.now());
  // Only a customer in Slack has a request message of their own to thank them in; an outside
  // customer's round message is the staff member's.
  if (!onBehalf && round.customerUserId && round.requestChannelId && round.requestTs)
    await deps.messenger.update(round.requestChannelId, round.requestTs, buildCustomerThanksMessage(round));
  await deps.plans.roundAnswered(round, response);
}

/**
 * Whether the interview day is in the past or too far ahead, for the staff member: the date picker
 * offers their own calendar, and at any moment the world's calendars span three dates (UTC-12 to
 * UTC+14). With their zone known the check is exact; without it, a day is refused only when it is
 * past (or too far) in every zone, so no one is told that their today is in the past.
 */
export function interviewDayRefusal(
  interviewOn: string,
  now: Date,
  timeZone: string | null | undefined,
): RoundCode | undefined {
  const utcToday = localDate(now, 'UTC');
  const [earliest, latest] = timeZone
    ? [localDate(now, timeZone), localDate(now, timeZone)]
    : [addDays(utcToday, -1), addDays(utcToday, 1)];
  if (interviewOn < earliest) return 'interview_day_past';
  if (interviewOn > addDays(latest, MAX_INTERVIEW_AFTER_DAYS)) return 'interview_day_too_far';
  return undefined;
}

/** The staff member's zone when the day's verdict depends on it, else undefined (no network call). */
async function staffZoneFor(
  interviewOn: string,
  {
    directory,
    clock,
    staffUserId,
    staffTimeZone,
  }: {
    directory: PeopleDirectory;
    clock: Clock;
    staffUserId: string;
    staffTimeZone?: string | null | undefined;
  },
): Promise<string | null | undefined> {
  if (staffTimeZone) return staffTimeZone;
  const now = clock.now();
  const utcToday = localDate(now, 'UTC');
  // Some zone's today is a day either side of UTC's: only a day near either end of the allowed
  // range gets a different verdict in different zones. Elsewhere, asking would change nothing.
  const dependsOnZone =
    interviewDayRefusal(interviewOn, now, undefined) === undefined &&
    (interviewOn < addDays(utcToday, 1) || interviewOn > addDays(utcToday, MAX_INTERVIEW_AFTER_DAYS - 1));
  if (!dependsOnZone) return undefined;
  try {
    const staff = await directory.lookup(staffUserId, { timeoutMs: STAFF_ZONE_TIMEOUT_MS });
    return staff?.tz && isValidTimeZone(staff.tz) ? staff.tz : undefined;
  } catch {
    // Slack slow or down: the lenient check stands rather than a refusal the person cannot fix.
    return undefined;
  }
}
