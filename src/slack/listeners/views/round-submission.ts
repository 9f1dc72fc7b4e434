import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { TimeoutError, withTimeout } from '../../../lib/timeout.js';
import { checkRemeasurePlan, linkRemeasureRound } from '../../../modules/plans/plans.usecases.js';
import { deliverNow } from '../../../modules/reminders/reminders.usecases.js';
import { type RoundField, startRound } from '../../../modules/rounds/rounds.usecases.js';
import { buildRoundStartedMessage, ROUND_MODAL } from '../../../modules/rounds/rounds.views.js';
import type { ListenerDeps } from '../../deps.js';
import { parseViewState, readDate, readSelected, readText, readUser } from '../../view-state.js';

const roundModalMetadata = z.object({
  v: z.literal(1),
  planId: z.number().int().positive().max(2_147_483_647).optional(),
});

/** Where each field's error is shown: the input block that holds it. */
const errorBlock: Record<RoundField, string> = {
  customer: ROUND_MODAL.blocks.customerUser,
  service: ROUND_MODAL.blocks.newService,
  segment: ROUND_MODAL.blocks.segment,
  unit: ROUND_MODAL.blocks.unit,
  selfScore: ROUND_MODAL.blocks.selfScore,
  selfNote: ROUND_MODAL.blocks.selfNote,
  interviewOn: ROUND_MODAL.blocks.interviewOn,
};

/** A form whose sealed metadata does not verify for its submitter: nothing in it can be believed. */
export const FORM_OUT_OF_DATE = 'This form is out of date. Close it and type /rate-service again.';

export const TRY_AGAIN =
  "Sorry, that didn't save: please press the button again in a moment. What you typed is still here.";

/**
 * Slack gives a submission 3 seconds. The work done before its acknowledgement gets this long; past
 * it the form says TRY_AGAIN instead of Slack's own error (a database that hangs rather than fails,
 * for instance, would otherwise hold the form until the connection timeout).
 */
export const PRE_ACK_DEADLINE_MS = 2_000;

/**
 * The self-rating modal's submission. Validation and the insert happen before the ack, so mistakes
 * and duplicates come back as field errors in the open modal; the messages go out after it.
 */
export function roundSubmission({
  rounds,
  directory,
  clock,
  logger,
  messenger,
  planDeps,
  reminderDeps,
  seal,
}: ListenerDeps) {
  return async ({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const { blocks: ids, actionId } = ROUND_MODAL;
    const sealed = seal.read(view.private_metadata, ROUND_MODAL.callbackId, body.user.id, roundModalMetadata);
    if (!sealed.ok) {
      logger.warn(
        { user: body.user.id, form: ROUND_MODAL.callbackId, reason: sealed.reason },
        'refused a form the server did not open for this person',
      );
      await ack({ response_action: 'errors', errors: { [ids.segment]: FORM_OUT_OF_DATE } });
      return;
    }
    const metadata = sealed.metadata;
    const state = parseViewState(view.state?.values);
    const draft = {
      customerUserId: readUser(state, ids.customerUser, actionId),
      customerName: readText(state, ids.customerName, actionId),
      previousService: readSelected(state, ids.previousService, actionId),
      newService: readText(state, ids.newService, actionId),
      segment: readSelected(state, ids.segment, actionId),
      unit: readText(state, ids.unit, actionId),
      selfScore: readSelected(state, ids.selfScore, actionId),
      selfNote: readText(state, ids.selfNote, actionId),
      interviewOn: readDate(state, ids.interviewOn, actionId),
    };
    let result: Awaited<ReturnType<typeof startRound>>;
    let acked = false;
    const { planId } = metadata;
    const saving = (async (): Promise<Awaited<ReturnType<typeof startRound>>> => {
      // A re-measure form names its plan: it must still be open and this person's when submitted.
      if (planId) {
        const plan = await checkRemeasurePlan(planDeps, { planId, staffUserId: body.user.id });
        if (!plan.ok) return { ok: false, errors: { segment: plan.text } };
      }
      return startRound({
        rounds,
        directory,
        clock,
        staffUserId: body.user.id,
        sourceViewId: view.id,
        draft,
      });
    })();
    try {
      result = await withTimeout(saving, PRE_ACK_DEADLINE_MS);
    } catch (error) {
      logger.error({ err: error, user: body.user.id }, 'could not start a round');
      await ack({ response_action: 'errors', errors: { [ids.segment]: TRY_AGAIN } });
      // A save that completes after the deadline still counts: its messages go out below, once (the
      // same form submitted again finds the round stored and sends nothing).
      const late = error instanceof TimeoutError ? await saving.catch(() => undefined) : undefined;
      if (!late?.ok) return;
      result = late;
      acked = true;
    }
    if (!result.ok) {
      const errors: Record<string, string> = {};
      for (const [field, message] of Object.entries(result.errors))
        errors[errorBlock[field as RoundField]] = message;
      await ack({ response_action: 'errors', errors });
      return;
    }
    if (!acked) await ack();
    if (!result.created) return; // the same view, submitted again: its messages went out the first time

    const { round } = result;
    if (planId) await linkRemeasureRound(planDeps, { planId, round });
    logger.info(
      { round: round.id, staff: round.staffUserId, inSlack: round.customerUserId !== null },
      'round started',
    );
    if (round.customerUserId) {
      // The request was put in the outbox with the round; send it now rather than on the next tick.
      const request = await deliverNow(reminderDeps, `customer_request:${round.id}`, clock.now());
      await messenger.post(
        round.staffUserId,
        buildRoundStartedMessage(
          round,
          request?.kind === 'failed' ? { requestFailed: request.reason } : undefined,
        ),
      );
    } else {
      const started = await messenger.post(round.staffUserId, buildRoundStartedMessage(round));
      if (started.ok) await rounds.setRequestMessage(round.id, started.channel, started.ts);
    }
  };
}
