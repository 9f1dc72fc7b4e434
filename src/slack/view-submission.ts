import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewOutput, ViewSubmitAction } from '@slack/bolt';
import type { z } from 'zod';
import { TimeoutError, withTimeout } from '../lib/timeout.js';
import type { Logger } from '../logger.js';
import { APOLOGIES } from './apologies.js';
import type { MetadataSeal } from './sealed-metadata.js';
import { parseViewState, type ViewState } from './view-state.js';

export type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/**
 * Slack gives a submission 3 seconds. The work done before its acknowledgement gets this long; past
 * it the form says "try again" instead of Slack's own error (a database that hangs rather than
 * fails, for instance, would otherwise hold the form until the connection timeout).
 */
export const PRE_ACK_DEADLINE_MS = 2_000;

/**
 * What a form's use case said before the acknowledgement: stored, or refused field by field, each
 * refusal a code, with what the codes' words name (a plan's staff member, say).
 */
export type Saved<S, F extends string, V = unknown> =
  | {
      ok: true;
      stored: S /** False for the same form submitted again: it announced the first time. */;
      fresh: boolean;
    }
  | { ok: false; errors: Partial<Record<F, string>>; values?: V | undefined };

export interface SubmissionInput<M> {
  userId: string;
  metadata: M;
  state: ViewState;
  view: ViewOutput;
}

export interface Submission<M, S, F extends string, V = unknown> {
  /** The form's callback_id, which its seal names too. */
  form: string;
  metadata: z.ZodType<M>;
  /** Besides the seal's own check: whether this person may submit it (a committee's form: its admin). */
  mayOpen?: (metadata: M, userId: string) => boolean;
  /** The block that shows a refusal of the whole form. */
  formBlock: string;
  /** Shown when the form's sealed metadata does not verify for its submitter. */
  outOfDate: string;
  /** Where each field's refusal is shown, and the words for each refusal code. */
  blocks: Record<F, string>;
  words: (code: string, values?: V) => string;
  /**
   * With a deadline, a save still running at it is answered with "try again", and a save that then
   * completes still announces, once (the form submitted again finds it stored and announces nothing).
   */
  deadlineMs?: number;
  /** Said on the form when the save failed; the default promises what was typed is kept. */
  tryAgain?: string;
  /** The log line of a failed save (never with what was typed). */
  failure: string;
  /** Identifiers from the metadata that the failure's log line carries (a round's id, a plan's). */
  logged?: (metadata: M) => Record<string, number | string>;
  /** Before the acknowledgement: read, check and store, so every refusal shows on the open form. */
  save(input: SubmissionInput<M>): Promise<Saved<S, F, V>>;
  /** After it: what the stored intent announces. */
  announce?(stored: S, input: SubmissionInput<M>): Promise<void>;
}

/**
 * The one skeleton of every form's submission: the sealed metadata checked, the state read, the
 * save raced against Slack's deadline, refusals mapped onto their fields, the acknowledgement, then
 * the announcement. A listener only says what its form is and which use case it calls.
 */
export function viewSubmission<M, S, F extends string, V = unknown>(
  { seal, logger }: { seal: MetadataSeal; logger: Logger },
  submission: Submission<M, S, F, V>,
) {
  const fail = (ack: ViewArgs['ack'], block: string, text: string) =>
    ack({ response_action: 'errors', errors: { [block]: text } });

  return async ({ ack, body, view }: ViewArgs) => {
    const userId = body.user.id;
    const sealed = seal.read(view.private_metadata, submission.form, userId, submission.metadata);
    const allowed = sealed.ok && (submission.mayOpen?.(sealed.metadata, userId) ?? true);
    if (!sealed.ok || !allowed) {
      logger.warn(
        { user: userId, form: submission.form, reason: sealed.ok ? 'not_yours' : sealed.reason },
        'refused a form the server did not open for this person',
      );
      await fail(ack, submission.formBlock, submission.outOfDate);
      return;
    }
    const input: SubmissionInput<M> = {
      userId,
      metadata: sealed.metadata,
      state: parseViewState(view.state?.values),
      view,
    };
    const saving = submission.save(input);
    let saved: Saved<S, F, V>;
    try {
      saved = submission.deadlineMs ? await withTimeout(saving, submission.deadlineMs) : await saving;
    } catch (error) {
      logger.error(
        { err: error, user: userId, form: submission.form, ...submission.logged?.(sealed.metadata) },
        submission.failure,
      );
      await fail(ack, submission.formBlock, submission.tryAgain ?? APOLOGIES.try_again_kept);
      const late = error instanceof TimeoutError ? await saving.catch(() => undefined) : undefined;
      if (late?.ok && late.fresh) await announce(submission, late.stored, input, logger);
      return;
    }
    if (!saved.ok) {
      const errors: Record<string, string> = {};
      for (const [field, code] of Object.entries(saved.errors) as [F, string][])
        errors[submission.blocks[field] ?? submission.formBlock] = submission.words(code, saved.values);
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    if (saved.fresh) await announce(submission, saved.stored, input, logger);
  };
}

async function announce<M, S, F extends string, V>(
  submission: Submission<M, S, F, V>,
  stored: S,
  input: SubmissionInput<M>,
  logger: Logger,
): Promise<void> {
  try {
    await submission.announce?.(stored, input);
  } catch (error) {
    // The intent is stored and the form closed; what could not be announced is logged, not retried.
    logger.error({ err: error, user: input.userId, form: submission.form }, 'announcing a submission failed');
  }
}
