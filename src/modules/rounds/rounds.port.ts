import type { Round, RoundResponse } from '../../db/schema.js';

/**
 * What the rounds module needs from the outbox (src/modules/reminders): send one of the messages a
 * round put in it now, rather than on the next tick. Undefined when it was not sent now (another
 * copy has it, or sending is paused); `failed` says why Slack refused it.
 */
export interface RoundOutbox {
  deliverNow(key: string, now: Date): Promise<{ failed?: string } | undefined>;
}

/** What the rounds module needs from action plans: a round may re-measure one. */
export interface RoundPlans {
  /** Why a round may not re-measure this plan for this staff member now, or undefined if it may. */
  remeasureRefusal(
    planId: number,
    staffUserId: string,
  ): Promise<'plan_gone' | 'plan_not_yours' | 'plan_closed' | undefined>;
  /** The round was started from the plan's re-measure message. */
  remeasureStarted(planId: number, round: Round): Promise<void>;
  /** A round was answered: if it re-measures a plan, the plan's thread hears the before and after. */
  roundAnswered(round: Round, response: RoundResponse): Promise<void>;
}

/** The outbox keys the rounds repository writes with a round and its response. */
/** The dedupe key of a round's request to its customer is this prefix and the round's id. */
export const CUSTOMER_REQUEST_KEY_PREFIX = 'customer_request:';
export const customerRequestKey = (roundId: number): string => `${CUSTOMER_REQUEST_KEY_PREFIX}${roundId}`;
export const roundResultKey = (roundId: number): string => `round_result:${roundId}`;
