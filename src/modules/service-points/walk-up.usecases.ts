import type { Clock } from '../../lib/clock.js';
import { charLength, cleanParagraphs } from '../../lib/text.js';
import { hashToken, isTokenShape } from '../../lib/tokens.js';
import type { ServicePointsRepository } from './service-points.repository.js';

/**
 * A walk-up patron's answer at a service point: two 1-10 scores (what they got, what they
 * expected) and two optional written answers. No name, no contact, no address is asked or kept.
 */

export type WalkUpRefusal = 'unknown' | 'retired';
export type WalkUpOpened =
  | { ok: true; point: { id: number; name: string } }
  | { ok: false; code: WalkUpRefusal };

export interface WalkUpDraft {
  /** '1'..'10': how was the service you got today. */
  experience: string | null;
  /** '1'..'10': what level of service did you expect. */
  expectation: string | null;
  /** Optional: what could we do better. */
  doBetter: string | null;
  /** Optional: anything we offer here you no longer need. */
  noLongerNeed: string | null;
  /** The page's language, 'en' | 'es' | ... */
  language: string;
  /** The honeypot was filled in: stored, flagged, kept out of figures. */
  suspectedSpam: boolean;
}

export type WalkUpField = 'experience' | 'expectation' | 'doBetter' | 'noLongerNeed';
export type WalkUpCode = 'score_missing' | 'answer_too_long';
export const WALK_UP_ANSWER_LIMIT = 1000;
/** The fields in the order the page shows them (and an error summary lists them). */
export const WALK_UP_FIELDS: readonly WalkUpField[] = [
  'experience',
  'expectation',
  'doBetter',
  'noLongerNeed',
];

export type WalkUpAnswered =
  | { ok: true; id: number }
  | { ok: false; code: WalkUpRefusal }
  | { ok: false; errors: Partial<Record<WalkUpField, WalkUpCode>> };

export interface WalkUpDeps {
  servicePoints: Pick<ServicePointsRepository, 'findByTokenHash' | 'addAnswer'>;
  clock: Clock;
}

/** A language tag as the pages name them ('en', 'es', 'pt-BR'); anything else is stored as 'und'. */
const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$/;

async function pointOf(deps: WalkUpDeps, token: string) {
  if (!isTokenShape(token)) return { ok: false as const, code: 'unknown' as const };
  const point = await deps.servicePoints.findByTokenHash(hashToken(token));
  if (!point) return { ok: false as const, code: 'unknown' as const };
  if (point.retiredAt) return { ok: false as const, code: 'retired' as const };
  return { ok: true as const, point };
}

/** The service point a walk-up link names, if it still takes answers. */
export async function openWalkUp(deps: WalkUpDeps, token: string): Promise<WalkUpOpened> {
  const found = await pointOf(deps, token);
  if (!found.ok) return found;
  return { ok: true, point: { id: found.point.id, name: found.point.name } };
}

function score(value: string | null): number | undefined {
  if (value === null || !/^(?:[1-9]|10)$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/**
 * Checks and stores one walk-up answer. Invalid input stores nothing and says which field is
 * wrong; a link nobody made, or a retired point's, stores nothing either.
 */
export async function answerWalkUp(
  deps: WalkUpDeps,
  token: string,
  draft: WalkUpDraft,
): Promise<WalkUpAnswered> {
  const found = await pointOf(deps, token);
  if (!found.ok) return found;
  const errors: Partial<Record<WalkUpField, WalkUpCode>> = {};
  const experience = score(draft.experience);
  const expectation = score(draft.expectation);
  if (experience === undefined) errors.experience = 'score_missing';
  if (expectation === undefined) errors.expectation = 'score_missing';
  const doBetter = cleanParagraphs(draft.doBetter);
  const noLongerNeed = cleanParagraphs(draft.noLongerNeed);
  if (doBetter && charLength(doBetter) > WALK_UP_ANSWER_LIMIT) errors.doBetter = 'answer_too_long';
  if (noLongerNeed && charLength(noLongerNeed) > WALK_UP_ANSWER_LIMIT)
    errors.noLongerNeed = 'answer_too_long';
  if (experience === undefined || expectation === undefined || Object.keys(errors).length > 0)
    return { ok: false, errors };
  const row = await deps.servicePoints.addAnswer({
    servicePointId: found.point.id,
    experience,
    expectation,
    doBetter,
    noLongerNeed,
    language: LANGUAGE_TAG.test(draft.language) ? draft.language : 'und',
    suspectedSpam: draft.suspectedSpam,
    createdAt: deps.clock.now(),
  });
  return { ok: true, id: row.id };
}
