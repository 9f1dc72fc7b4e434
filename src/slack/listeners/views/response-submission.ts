import { z } from 'zod';
import { INTERVIEW_QUESTIONS } from '../../../modules/rounds/rounds.content.js';
import {
  announceRoundAnswered,
  type ResponseField,
  recordResponse,
} from '../../../modules/rounds/rounds.usecases.js';
import { RESPONSE_MODAL } from '../../../modules/rounds/rounds.views.js';
import { type RoundCode, roundWords } from '../../../modules/rounds/rounds.words.js';
import type { ListenerDeps } from '../../deps.js';
import { readChecked, readSelected, readText } from '../../view-state.js';
import { PRE_ACK_DEADLINE_MS, viewSubmission } from '../../view-submission.js';

const responseMetadata = z.object({ roundId: z.number().int().positive().max(2_147_483_647) });

const { blocks: ids, actionId } = RESPONSE_MODAL;

const errorBlock: Record<ResponseField, string> = {
  ...(Object.fromEntries(INTERVIEW_QUESTIONS.map((question) => [question.key, ids[question.key]])) as Record<
    (typeof INTERVIEW_QUESTIONS)[number]['key'],
    string
  >),
  customerScore: ids.customerScore,
  consent: ids.consent,
  form: ids.customerScore,
};

/**
 * The customer's answers (or the staff member's record of an outside customer's interview). The
 * round comes from metadata this server sealed for this person; recordResponse then checks against
 * the stored round that they are still the one to answer it, and that it is still open.
 */
export function responseSubmission(deps: ListenerDeps) {
  const { rounds, clock, logger, roundAnnouncements } = deps;
  return viewSubmission(deps, {
    form: RESPONSE_MODAL.callbackId,
    metadata: responseMetadata,
    formBlock: ids.customerScore,
    outOfDate: roundWords('response_form_out_of_date'),
    blocks: errorBlock,
    words: (code) => roundWords(code as RoundCode),
    deadlineMs: PRE_ACK_DEADLINE_MS,
    failure: 'could not record a response',
    logged: ({ roundId }) => ({ round: roundId }),
    save: async ({ userId, metadata, state, view }) => {
      const answers = Object.fromEntries(
        INTERVIEW_QUESTIONS.map((question) => [question.key, readText(state, ids[question.key], actionId)]),
      ) as Record<(typeof INTERVIEW_QUESTIONS)[number]['key'], string | null>;
      const result = await recordResponse({
        rounds,
        clock,
        roundId: metadata.roundId,
        userId,
        sourceViewId: view.id,
        draft: {
          answers,
          customerScore: readSelected(state, ids.customerScore, actionId),
          shareWithManager: readChecked(state, ids.share, actionId).includes(RESPONSE_MODAL.values.share),
          customerAgreed: readChecked(state, ids.consent, actionId).includes(RESPONSE_MODAL.values.agreed),
        },
      });
      return result.ok ? { ok: true, stored: result, fresh: result.created } : result;
    },
    announce: async ({ round, response, onBehalf }) => {
      logger.info({ round: round.id, onBehalf }, 'round completed');
      await announceRoundAnswered(roundAnnouncements, { round, response, onBehalf });
    },
  });
}
