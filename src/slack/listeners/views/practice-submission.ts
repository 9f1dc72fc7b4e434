import { z } from 'zod';
import { type PracticeField, sharePractice } from '../../../modules/practices/practices.usecases.js';
import { PRACTICE_MODAL } from '../../../modules/practices/practices.views.js';
import { type PracticeCode, practiceWords } from '../../../modules/practices/practices.words.js';
import type { ListenerDeps } from '../../deps.js';
import { readText } from '../../view-state.js';
import { PRE_ACK_DEADLINE_MS, viewSubmission } from '../../view-submission.js';

const practiceModalMetadata = z.object({
  v: z.literal(1),
  roundId: z.number().int().positive().max(2_147_483_647).optional(),
});

const { blocks: ids, actionId } = PRACTICE_MODAL;

/** Where each field's error is shown: the input block that holds it. */
const errorBlock: Record<PracticeField, string> = {
  service: ids.service,
  unit: ids.unit,
  whatYouDo: ids.whatYouDo,
  whyItWorks: ids.whyItWorks,
};

/**
 * "Share a best practice": checked and stored before the acknowledgement, so a mistake comes back
 * on its field in the open form (with what was typed) and a second submission stores nothing more.
 */
export function practiceSubmission(deps: ListenerDeps) {
  const { practiceDeps, logger } = deps;
  return viewSubmission(deps, {
    form: PRACTICE_MODAL.callbackId,
    metadata: practiceModalMetadata,
    formBlock: ids.whatYouDo,
    outOfDate: practiceWords('practice_form_out_of_date'),
    blocks: errorBlock,
    words: (code) => practiceWords(code as PracticeCode),
    deadlineMs: PRE_ACK_DEADLINE_MS,
    failure: 'could not store a best practice',
    logged: (metadata): Record<string, number> => (metadata.roundId ? { round: metadata.roundId } : {}),
    save: async ({ userId, state, view }) => {
      const result = await sharePractice(practiceDeps, {
        userId,
        sourceViewId: view.id,
        draft: {
          service: readText(state, ids.service, actionId),
          unit: readText(state, ids.unit, actionId),
          whatYouDo: readText(state, ids.whatYouDo, actionId),
          whyItWorks: readText(state, ids.whyItWorks, actionId),
        },
      });
      return result.ok ? { ok: true, stored: result.practice, fresh: result.created } : result;
    },
    announce: async (practice) => {
      logger.info({ practice: practice.id, author: practice.authorUserId }, 'best practice shared');
    },
  });
}
