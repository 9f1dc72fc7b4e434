import type { PatronLink, Round, RoundResponse } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { hashToken, isTokenShape, newToken } from '../../lib/tokens.js';
import type { PeopleDirectory } from '../people/people.directory.js';
import { ANSWERED_ON_THE_WEB, type AnswerKey } from './rounds.content.js';
import { RoundNotOpenError } from './rounds.errors.js';
import { patronLinkUrl } from './rounds.link-tokens.js';
import type { RoundsRepository } from './rounds.repository.js';
import {
  announceRoundAnswered,
  checkAnswers,
  type RoundAnnouncements,
  uploadLinkQr,
} from './rounds.usecases.js';
import { buildNewLinkMessage } from './rounds.views.js';
import type { RoundCode } from './rounds.words.js';

/**
 * A patron outside Slack answers their round on a web page, through the link the staff member was
 * given when the round started. The page is another way in to the same round: the answer is stored
 * as a Slack customer's would be, and announced the same way (the staff member's result, reminders
 * stopped, a re-measured plan told). A link serves one answer, while its round awaits it.
 */

/** Why a link opens no form. */
export type LinkRefusal = 'unknown' | 'used' | 'expired' | 'revoked';

/** What the patron's page says: who asks, about what, until when. */
export interface PatronLinkPage {
  /** The staff member asking, by name; null when Slack could not tell it in time. */
  staffName: string | null;
  /** As the staff member typed it. */
  customerName: string;
  service: string;
  expiresAt: Date;
}

export type LinkOpened = { ok: true; page: PatronLinkPage } | { ok: false; code: LinkRefusal };

export interface PatronAnswerDraft {
  answers: Record<AnswerKey, string | null>;
  customerScore: string | null;
  /** The patron's own opt-in: the staff member may share the written answers with their manager. */
  shareWithManager: boolean;
}

export type PatronField = AnswerKey | 'customerScore';
export type PatronCode = 'answer_missing' | 'answer_too_long' | 'score_missing';

/** A stored answer, for announceLinkAnswer once the patron has their page. */
export interface LinkAnswer {
  round: Round;
  response: RoundResponse;
}

export type LinkAnswered =
  | { ok: true; created: true; answer: LinkAnswer }
  | { ok: true; created: false }
  | { ok: false; code: LinkRefusal }
  | { ok: false; errors: Partial<Record<PatronField, PatronCode>> };

export interface PatronLinkDeps {
  rounds: RoundsRepository;
  directory: PeopleDirectory;
  clock: Clock;
}

/** The page waits this long for the staff member's name, then says "a member of staff". */
const STAFF_NAME_TIMEOUT_MS = 800;

/** Whether the link still opens a form, and if not why. The round's state decides before the link's. */
export function linkRefusal(link: PatronLink, round: Round, now: Date): LinkRefusal | undefined {
  if (round.status === 'completed' || link.usedAt) return 'used';
  if (round.status === 'cancelled') return 'revoked';
  if (round.status === 'expired' || now.getTime() >= link.expiresAt.getTime()) return 'expired';
  return undefined;
}

/** How long after a link's answer a second submission of it still counts as the same one, sent twice. */
export const RESUBMIT_GRACE_MS = 60_000;

/** The source of an answer given through a round's link (a Slack view's id for the other answers). */
const linkAnswerSource = (roundId: number) => `patron_link:${roundId}`;

const justUsed = (link: PatronLink, now: Date) =>
  link.usedAt !== null && now.getTime() - link.usedAt.getTime() < RESUBMIT_GRACE_MS;

async function findLink(rounds: RoundsRepository, token: string) {
  // A string that cannot be a token is not worth a query.
  if (!isTokenShape(token)) return undefined;
  return rounds.findPatronLink(hashToken(token));
}

export async function openPatronLink(deps: PatronLinkDeps, token: string): Promise<LinkOpened> {
  const found = await findLink(deps.rounds, token);
  if (!found) return { ok: false, code: 'unknown' };
  const refusal = linkRefusal(found.link, found.round, deps.clock.now());
  if (refusal) return { ok: false, code: refusal };
  const staff = await deps.directory
    .lookup(found.round.staffUserId, { timeoutMs: STAFF_NAME_TIMEOUT_MS })
    .catch(() => undefined);
  return {
    ok: true,
    page: {
      staffName: staff?.name ?? null,
      customerName: found.round.customerName,
      service: found.round.service,
      expiresAt: found.link.expiresAt,
    },
  };
}

/**
 * Stores the patron's answer and completes the round, or says why not. Many submissions of one link
 * at once store one answer: the first takes the round, the rest find it answered (`created: false`,
 * nothing to announce). announceLinkAnswer then runs the round's follow-up, after the page is sent.
 */
export async function answerByPatronLink(
  deps: PatronLinkDeps,
  token: string,
  draft: PatronAnswerDraft,
): Promise<LinkAnswered> {
  const found = await findLink(deps.rounds, token);
  if (!found) return { ok: false, code: 'unknown' };
  const now = deps.clock.now();
  const refusal = linkRefusal(found.link, found.round, now);
  // The same form sent again just after its answer was stored (a double click, a browser's retry)
  // is told it was received, not that the link is used; an interview the staff member recorded
  // meanwhile is another answer, and the link is used.
  if (refusal === 'used' && justUsed(found.link, now)) {
    const stored = await deps.rounds.findResponse(found.round.id);
    if (stored?.sourceViewId === linkAnswerSource(found.round.id)) return { ok: true, created: false };
  }
  if (refusal) return { ok: false, code: refusal };
  const { errors, answers, customerScore } = checkAnswers(draft);
  if (Object.keys(errors).length > 0)
    return { ok: false, errors: errors as Partial<Record<PatronField, PatronCode>> };
  try {
    const { round, response, created } = await deps.rounds.recordResponse(
      {
        roundId: found.round.id,
        customerScore: customerScore as number,
        needFromMe: answers.needFromMe,
        whyDependOnMe: answers.whyDependOnMe,
        notAdequatelyProviding: answers.notAdequatelyProviding,
        concentrateOn: answers.concentrateOn,
        noLongerNeed: answers.noLongerNeed,
        additionalComments: answers.additionalComments,
        shareWithManager: draft.shareWithManager === true,
        answeredByUserId: ANSWERED_ON_THE_WEB,
        recordedOnBehalf: false,
        // One answer per link: concurrent submissions meet on this key and on the round's row.
        sourceViewId: linkAnswerSource(found.round.id),
        createdAt: now,
      },
      now,
    );
    return created ? { ok: true, created, answer: { round, response } } : { ok: true, created };
  } catch (error) {
    if (error instanceof RoundNotOpenError) {
      const status = error.status;
      return {
        ok: false,
        code: status === 'cancelled' ? 'revoked' : status === 'expired' ? 'expired' : 'used',
      };
    }
    throw error;
  }
}

/**
 * A patron's answer was stored: the staff member's result goes out, the round's reminders stop, a
 * plan it re-measures hears the before and after, exactly as for a customer who answered in Slack.
 */
export function announceLinkAnswer(deps: RoundAnnouncements, { round, response }: LinkAnswer): Promise<void> {
  return announceRoundAnswered(deps, { round, response, onBehalf: false });
}

/**
 * Gives an open round with an outside customer a new link, replacing any earlier one, and returns
 * its token (shown once). Undefined when the round is not open or its customer is in Slack.
 */
export async function issuePatronLink(
  deps: { rounds: RoundsRepository },
  roundId: number,
  expiresAt: Date,
): Promise<string | undefined> {
  const token = newToken();
  return (await deps.rounds.setPatronLink(roundId, hashToken(token), expiresAt)) ? token : undefined;
}

export type NewLinkSent = { ok: true; round: Round } | { ok: false; code: RoundCode };

/**
 * "Send a new link": the staff member whose round it is gets a fresh link for their outside
 * customer (one who lost theirs, or was given a wrong address), with its QR code, in their DM. The
 * earlier link stops working at once; the new one lasts as long as the round can be answered.
 */
export async function sendNewPatronLink(
  deps: Pick<RoundAnnouncements, 'rounds' | 'messenger' | 'clock' | 'links'>,
  { roundId, userId }: { roundId: number; userId: string },
): Promise<NewLinkSent> {
  const round = await deps.rounds.findRound(roundId);
  if (!round) return { ok: false, code: 'not_found' };
  if (round.staffUserId !== userId) return { ok: false, code: 'new_link_not_yours' };
  if (round.customerUserId) return { ok: false, code: 'new_link_in_slack' };
  if (round.status !== 'awaiting_customer') return { ok: false, code: round.status };
  if (!deps.links) return { ok: false, code: 'new_link_unavailable' };
  // The round's own end (the sweep expires a round ROUND_EXPIRY_DAYS after it started).
  const expiresAt = new Date(round.createdAt.getTime() + deps.links.expiryDays * 86_400_000);
  if (deps.clock.now().getTime() >= expiresAt.getTime()) return { ok: false, code: 'expired' };
  const token = await issuePatronLink(deps, round.id, expiresAt);
  // Answered or cancelled between the read and the write: say what it became.
  if (!token) {
    const now = await deps.rounds.findRound(roundId);
    return { ok: false, code: now && now.status !== 'awaiting_customer' ? now.status : 'not_found' };
  }
  const url = patronLinkUrl(deps.links, token);
  const posted = await deps.messenger.post(round.staffUserId, buildNewLinkMessage(round, url, expiresAt));
  if (posted.ok) await uploadLinkQr(deps, round, posted.channel, url);
  return { ok: true, round };
}
