import { and, eq, isNull, lt, lte, or } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { type SlackInstallation, slackEvents, slackInstallation } from '../../db/schema.js';

/** The one row's id (a check constraint holds it to 1). */
const ROW = 1;

/** Slack retries a delivery for minutes, not days: a week of event ids is far more than needed. */
export const EVENT_RETENTION_MS = 7 * 86_400_000;

type Executor = Pick<Database, 'insert'>;

/**
 * Records an Events API delivery by Slack's event_id, inside the caller's transaction: true for
 * the first delivery, false for Slack's retry of one already recorded (which must change nothing).
 * Ids older than EVENT_RETENTION_MS are dropped here, so the table stays small for years.
 */
export async function claimSlackEvent(
  tx: Pick<Database, 'insert' | 'delete'>,
  event: { eventId: string; type: string; receivedAt: Date },
): Promise<boolean> {
  const inserted = await tx
    .insert(slackEvents)
    .values({ eventId: event.eventId, type: event.type, receivedAt: event.receivedAt })
    .onConflictDoNothing({ target: slackEvents.eventId })
    .returning({ eventId: slackEvents.eventId });
  if (inserted.length === 0) return false;
  await tx
    .delete(slackEvents)
    .where(lt(slackEvents.receivedAt, new Date(event.receivedAt.getTime() - EVENT_RETENTION_MS)));
  return true;
}

/** Paused from `at` for `reason`, unless it is paused already. A row back means this call paused it. */
function upsertPaused(executor: Executor, reason: string, at: Date) {
  return executor
    .insert(slackInstallation)
    .values({ id: ROW, state: 'paused', reason, pausedAt: at, updatedAt: at })
    .onConflictDoUpdate({
      target: slackInstallation.id,
      set: { state: 'paused', reason, pausedAt: at, updatedAt: at },
      where: eq(slackInstallation.state, 'active'),
    })
    .returning({ id: slackInstallation.id });
}

/**
 * The installation's standing (one row) and the Events API deliveries already handled. Every
 * change is a guarded write, so copies of the app sharing the database agree on one transition
 * and only the copy that made it reports it.
 */
export function createInstallationRepository({ db }: { db: Database }) {
  // Read before every message sent: built once (src/db/prepared.ts).
  const standing = db
    .select()
    .from(slackInstallation)
    .where(eq(slackInstallation.id, ROW))
    .limit(1)
    .prepare('installation_standing');
  return {
    /** No row yet means it was never paused: active. */
    async read(): Promise<SlackInstallation | undefined> {
      const [row] = await standing.execute();
      return row;
    },

    /** True for the one caller that turned it from active (or no row) to paused. */
    async pause(reason: string, at: Date): Promise<boolean> {
      return (await upsertPaused(db, reason, at)).length > 0;
    },

    /**
     * Back to active, unless it was paused again after `checkedFrom` (a revocation that arrived
     * while the check that said "the token works" was on its way). True for the caller that did it.
     */
    async resume(at: Date, checkedFrom: Date): Promise<boolean> {
      const rows = await db
        .update(slackInstallation)
        .set({ state: 'active', reason: null, resumedAt: at, updatedAt: at })
        .where(
          and(
            eq(slackInstallation.id, ROW),
            eq(slackInstallation.state, 'paused'),
            or(isNull(slackInstallation.pausedAt), lte(slackInstallation.pausedAt, checkedFrom)),
          ),
        )
        .returning({ id: slackInstallation.id });
      return rows.length > 0;
    },

    /**
     * While paused: true for the one copy that may ask Slack now whether the token works again,
     * at most once every `intervalMs` across all copies.
     */
    async claimCheck(at: Date, intervalMs: number): Promise<boolean> {
      const rows = await db
        .update(slackInstallation)
        .set({ checkedAt: at })
        .where(
          and(
            eq(slackInstallation.id, ROW),
            eq(slackInstallation.state, 'paused'),
            or(
              isNull(slackInstallation.checkedAt),
              lte(slackInstallation.checkedAt, new Date(at.getTime() - intervalMs)),
            ),
          ),
        )
        .returning({ id: slackInstallation.id });
      return rows.length > 0;
    },

    /**
     * Records an Events API delivery by Slack's event_id and, for a new one, pauses when asked to,
     * in one transaction. A delivery already recorded (Slack's retry) changes nothing: `handled`
     * false. Ids older than EVENT_RETENTION_MS are dropped here, so the table stays small for years.
     */
    async recordEvent(event: {
      eventId: string;
      type: string;
      receivedAt: Date;
      pauseReason: string | null;
    }): Promise<{ handled: false } | { handled: true; paused: boolean }> {
      return db.transaction(async (tx) => {
        if (!(await claimSlackEvent(tx, event))) return { handled: false as const };
        const paused = event.pauseReason
          ? (await upsertPaused(tx, event.pauseReason, event.receivedAt)).length > 0
          : false;
        return { handled: true as const, paused };
      });
    },
  };
}

export type InstallationRepository = ReturnType<typeof createInstallationRepository>;
