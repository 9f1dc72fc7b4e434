import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { TimeoutError, withTimeout } from '../../../lib/timeout.js';
import { onRoundCompleted } from '../../../modules/plans/plans.usecases.js';
import { deliverNow } from '../../../modules/reminders/reminders.usecases.js';
import { INTERVIEW_QUESTIONS } from '../../../modules/rounds/rounds.content.js';
import { type ResponseField, recordResponse } from '../../../modules/rounds/rounds.usecases.js';
import { buildCustomerThanksMessage, RESPONSE_MODAL } from '../../../modules/rounds/rounds.views.js';
import type { ListenerDeps } from '../../deps.js';
import { parseViewState, readChecked, readSelected, readText } from '../../view-state.js';
import { PRE_ACK_DEADLINE_MS, TRY_AGAIN } from './round-submission.js';

const responseMetadata = z.object({ roundId: z.number().int().positive().max(2_147_483_647) });

/** The customer's answers (or the staff member's record of an outside customer's interview). */
export function responseSubmission({
  rounds,
  clock,
  logger,
  messenger,
  planDeps,
  reminderDeps,
  seal,
}: ListenerDeps) {
  return async ({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const { blocks: ids, actionId } = RESPONSE_MODAL;
    const formBlock = ids.customerScore;
    // The round comes from metadata this server sealed for this person; recordResponse then checks
    // against the stored round that they are still the one to answer it, and that it is still open.
    const sealed = seal.read(
      view.private_metadata,
      RESPONSE_MODAL.callbackId,
      body.user.id,
      responseMetadata,
    );
    if (!sealed.ok) {
      logger.warn(
        { user: body.user.id, form: RESPONSE_MODAL.callbackId, reason: sealed.reason },
        'refused a form the server did not open for this person',
      );
      await ack({
        response_action: 'errors',
        errors: {
          [formBlock]: 'This form is out of date. Close it and press the button in the message again.',
        },
      });
      return;
    }
    const metadata = sealed.metadata;
    const state = parseViewState(view.state?.values);
    const answers = Object.fromEntries(
      INTERVIEW_QUESTIONS.map((question) => [question.key, readText(state, ids[question.key], actionId)]),
    ) as Record<(typeof INTERVIEW_QUESTIONS)[number]['key'], string | null>;
    let result: Awaited<ReturnType<typeof recordResponse>>;
    let acked = false;
    const saving = recordResponse({
      rounds,
      clock,
      roundId: metadata.roundId,
      userId: body.user.id,
      sourceViewId: view.id,
      draft: {
        answers,
        customerScore: readSelected(state, ids.customerScore, actionId),
        shareWithManager: readChecked(state, ids.share, actionId).includes(RESPONSE_MODAL.values.share),
        customerAgreed: readChecked(state, ids.consent, actionId).includes(RESPONSE_MODAL.values.agreed),
      },
    });
    try {
      result = await withTimeout(saving, PRE_ACK_DEADLINE_MS);
    } catch (error) {
      logger.error(
        { err: error, user: body.user.id, round: metadata.roundId },
        'could not record a response',
      );
      await ack({ response_action: 'errors', errors: { [formBlock]: TRY_AGAIN } });
      // Stored after the deadline after all: the staff member still hears about it, once.
      const late = error instanceof TimeoutError ? await saving.catch(() => undefined) : undefined;
      if (!late?.ok) return;
      result = late;
      acked = true;
    }
    if (!result.ok) {
      const errors: Record<string, string> = {};
      for (const [field, message] of Object.entries(result.errors)) {
        errors[field === 'form' ? formBlock : ids[field as Exclude<ResponseField, 'form'>]] = message;
      }
      await ack({ response_action: 'errors', errors });
      return;
    }
    if (!acked) await ack();
    if (!result.created) return;

    const { round, response } = result;
    logger.info({ round: round.id, onBehalf: result.onBehalf }, 'round completed');
    // The result was put in the outbox with the response; send it now rather than on the next tick.
    await deliverNow(reminderDeps, `round_result:${round.id}`, clock.now());
    if (!result.onBehalf && round.requestChannelId && round.requestTs) {
      await messenger.update(round.requestChannelId, round.requestTs, buildCustomerThanksMessage(round));
    }
    // A re-measure round closes an action plan's loop: the thread gets the before and after.
    await onRoundCompleted(planDeps, { round, response });
  };
}
