import type { BestPractice, Round } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { charLength, cleanParagraphs, cleanText } from '../../lib/text.js';
import type { HomeRefresh } from '../home/home.port.js';
import type { PracticeFormDefaults, UnitPractices } from './practices.data.js';
import type { ListedPractices, PracticesRepository } from './practices.repository.js';
import { PRACTICE_LIMITS, type PracticeCode } from './practices.words.js';

/**
 * Best practices (the handbook's step 3: "What are you doing well that you think others need to
 * know about?"): shared by their author in their own words, listed in the digests of committees
 * covering the author's unit and on that unit's Home tabs, withdrawn by the author alone.
 */

/** How far back a Home looks for its unit's practices, and how many it lists. */
export const HOME_PRACTICE_DAYS = 90;
export const HOME_PRACTICE_LIMIT = 5;
/** How many of a week's practices a digest lists in full; the rest are counted. */
export const DIGEST_PRACTICE_LIMIT = 5;
const DAY_MS = 86_400_000;

export interface PracticeDeps {
  practices: PracticesRepository;
  clock: Clock;
  /** The author's Home is republished after a change. */
  homes: HomeRefresh;
  /** A round, to prefill the form opened from its result message (only the staff member's own). */
  rounds: { findRound(id: number): Promise<Round | undefined> };
}

export type PracticeField = 'service' | 'unit' | 'whatYouDo' | 'whyItWorks';

export interface PracticeDraft {
  service: string | null;
  unit: string | null;
  whatYouDo: string | null;
  whyItWorks: string | null;
}

/** The form's defaults: the author's unit, and the round's service when opened from its result. */
export async function preparePracticeForm(
  deps: Pick<PracticeDeps, 'practices' | 'rounds'>,
  { userId, roundId }: { userId: string; roundId?: number | undefined },
): Promise<PracticeFormDefaults> {
  const [unit, round] = await Promise.all([
    deps.practices.unitOf(userId),
    roundId ? deps.rounds.findRound(roundId) : undefined,
  ]);
  const own = round?.staffUserId === userId ? round : undefined;
  return { unit, service: own?.service ?? null, roundId: own?.id };
}

export type ShareResult =
  | { ok: true; practice: BestPractice; created: boolean }
  | { ok: false; errors: Partial<Record<PracticeField, PracticeCode>> };

function checkLine(
  value: string | null,
  max: number,
  missing: PracticeCode,
  tooLong: PracticeCode,
): PracticeCode | undefined {
  if (!value) return missing;
  if (charLength(value) > max) return tooLong;
  return undefined;
}

/**
 * Stores a best practice from the form, or refuses it field by field (nothing stored). The same
 * form submitted twice stores one; the author's Home is republished when a new one is stored.
 */
export async function sharePractice(
  deps: Pick<PracticeDeps, 'practices' | 'clock' | 'homes'>,
  { userId, sourceViewId, draft }: { userId: string; sourceViewId: string; draft: PracticeDraft },
): Promise<ShareResult> {
  const service = cleanText(draft.service);
  const unit = cleanText(draft.unit);
  const whatYouDo = cleanParagraphs(draft.whatYouDo);
  const whyItWorks = cleanParagraphs(draft.whyItWorks);
  const errors: Partial<Record<PracticeField, PracticeCode>> = {};
  const found = {
    service: checkLine(service, PRACTICE_LIMITS.service, 'service_missing', 'service_too_long'),
    unit: checkLine(unit, PRACTICE_LIMITS.unit, 'unit_missing', 'unit_too_long'),
    whatYouDo: checkLine(whatYouDo, PRACTICE_LIMITS.whatYouDo, 'what_missing', 'what_too_long'),
    whyItWorks: checkLine(whyItWorks, PRACTICE_LIMITS.whyItWorks, 'why_missing', 'why_too_long'),
  };
  for (const [field, code] of Object.entries(found) as [PracticeField, PracticeCode | undefined][])
    if (code) errors[field] = code;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const shared = await deps.practices.share({
    authorUserId: userId,
    unit: unit as string,
    service: service as string,
    whatYouDo: whatYouDo as string,
    whyItWorks: whyItWorks as string,
    sourceViewId,
    createdAt: deps.clock.now(),
  });
  if (shared.created) deps.homes.changed([userId]);
  return { ok: true, ...shared };
}

export type WithdrawResult =
  | { ok: true; code: 'withdrawn' }
  | { ok: false; code: 'already_withdrawn' | 'not_yours' | 'not_found' };

/** The author withdraws their practice: shown nowhere from then on. Nobody else may. */
export async function withdrawPractice(
  deps: Pick<PracticeDeps, 'practices' | 'clock' | 'homes'>,
  { userId, practiceId }: { userId: string; practiceId: number },
): Promise<WithdrawResult> {
  const outcome = await deps.practices.withdraw(practiceId, userId, deps.clock.now());
  if (outcome !== 'withdrawn') return { ok: false, code: outcome };
  deps.homes.changed([userId]);
  return { ok: true, code: 'withdrawn' };
}

/**
 * A person's Home's practices: their unit's (and their own, whatever unit they gave), of the last
 * HOME_PRACTICE_DAYS, newest first. Null
 * when the app does not know their unit yet (no round and no practice of theirs).
 */
export async function practicesForHome(
  deps: Pick<PracticeDeps, 'practices'>,
  { userId, now }: { userId: string; now: Date },
): Promise<UnitPractices | null> {
  const unit = await deps.practices.unitOf(userId);
  if (!unit) return null;
  const since = new Date(now.getTime() - HOME_PRACTICE_DAYS * DAY_MS);
  return {
    unit,
    practices: await deps.practices.recentForHome({ unit, viewerId: userId }, since, HOME_PRACTICE_LIMIT),
  };
}

/** One digest week's practices in a committee's scope (all units when it names none). */
export function practicesForDigest(
  practices: Pick<PracticesRepository, 'sharedBetween'>,
  { units, start, end }: { units: readonly string[]; start: Date; end: Date },
): Promise<ListedPractices> {
  return practices.sharedBetween(units, start, end, DIGEST_PRACTICE_LIMIT);
}
