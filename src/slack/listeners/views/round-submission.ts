import { z } from 'zod';
import {
  announceRoundStarted,
  type RoundField,
  startRound,
} from '../../../modules/rounds/rounds.usecases.js';
import { ROUND_MODAL } from '../../../modules/rounds/rounds.views.js';
import { type RoundCode, roundWords } from '../../../modules/rounds/rounds.words.js';
import type { ListenerDeps } from '../../deps.js';
import { readDate, readSelected, readText, readUser } from '../../view-state.js';
import { PRE_ACK_DEADLINE_MS, viewSubmission } from '../../view-submission.js';

const roundModalMetadata = z.object({
  v: z.literal(1),
  planId: z.number().int().positive().max(2_147_483_647).optional(),
});

const { blocks: ids, actionId } = ROUND_MODAL;

/** Where each field's error is shown: the input block that holds it. */
const errorBlock: Record<RoundField, string> = {
  customer: ids.customerUser,
  service: ids.newService,
  segment: ids.segment,
  unit: ids.unit,
  selfScore: ids.selfScore,
  selfNote: ids.selfNote,
  interviewOn: ids.interviewOn,
  answerBy: ids.answerBy,
};

/**
 * The self-rating modal's submission. Validation and the insert happen before the ack, so mistakes
 * and duplicates come back as field errors in the open modal; the messages go out after it.
 */
export function roundSubmission(deps: ListenerDeps) {
  const { rounds, directory, clock, logger, roundAnnouncements, roundPlans, patronLinkSettings } = deps;
  return viewSubmission(deps, {
    form: ROUND_MODAL.callbackId,
    metadata: roundModalMetadata,
    formBlock: ids.segment,
    outOfDate: roundWords('round_form_out_of_date'),
    blocks: errorBlock,
    words: (code) => roundWords(code as RoundCode),
    deadlineMs: PRE_ACK_DEADLINE_MS,
    failure: 'could not start a round',
    save: async ({ userId, metadata, state, view }) => {
      const result = await startRound({
        rounds,
        directory,
        clock,
        staffUserId: userId,
        sourceViewId: view.id,
        planId: metadata.planId,
        plans: roundPlans,
        links: patronLinkSettings,
        draft: {
          customerUserId: readUser(state, ids.customerUser, actionId),
          customerName: readText(state, ids.customerName, actionId),
          previousService: readSelected(state, ids.previousService, actionId),
          newService: readText(state, ids.newService, actionId),
          segment: readSelected(state, ids.segment, actionId),
          unit: readText(state, ids.unit, actionId),
          selfScore: readSelected(state, ids.selfScore, actionId),
          selfNote: readText(state, ids.selfNote, actionId),
          interviewOn: readDate(state, ids.interviewOn, actionId),
          answerBy: readSelected(state, ids.answerBy, actionId),
        },
      });
      return result.ok
        ? { ok: true, stored: { round: result.round, linkToken: result.linkToken }, fresh: result.created }
        : result;
    },
    announce: async ({ round, linkToken }, { metadata }) => {
      logger.info(
        { round: round.id, staff: round.staffUserId, inSlack: round.customerUserId !== null },
        'round started',
      );
      await announceRoundStarted(roundAnnouncements, { round, planId: metadata.planId, linkToken });
    },
  });
}
