import { and, eq, inArray, isNull, ne, or, type SQL, sql } from 'drizzle-orm';
import { type Database, rowsOf } from '../../db/client.js';
import {
  actionPlans,
  auditLog,
  bestPractices,
  committees,
  erasures,
  homePictures,
  personSettings,
  planNotes,
  planSteps,
  reminders,
  roundResponses,
  rounds,
  servicePoints,
  slackUsers,
  staffProfiles,
  walkUpAnswers,
} from '../../db/schema.js';
import { recordAudit } from '../audit/audit.repository.js';
import { NOTHING_NAMED_PATTERN } from '../digests/digests.repository.js';
import {
  type ChangedRows,
  ERASED_NAMED_ANSWER,
  ERASED_TEXT,
  ERASURE_TABLES,
  type ErasureTable,
  FORGOTTEN_REASON,
  totalChanged,
} from './erasure.content.js';

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * One key for every erasure: the daily retention job in each copy of the app and an operator's
 * `forget` take turns, so two never work on the same rows at once and the retention job of only one
 * copy runs on a given day.
 */
export const ERASURE_LOCK_KEY = 727_274_002;

/** The distinct rows each statement touched, per table: a row changed twice counts once. */
class Changes {
  private readonly rows = new Map<ErasureTable, Set<string>>(
    ERASURE_TABLES.map((table) => [table, new Set()]),
  );

  add(table: ErasureTable, keys: readonly (string | number)[]): void {
    const set = this.rows.get(table);
    for (const key of keys) set?.add(String(key));
  }

  counts(): ChangedRows {
    return Object.fromEntries(
      ERASURE_TABLES.map((table) => [table, this.rows.get(table)?.size ?? 0]),
    ) as ChangedRows;
  }
}

/** Thrown inside a dry run's transaction so that everything it did is rolled back. */
class DryRunRollback extends Error {
  constructor(readonly changed: ChangedRows) {
    super('dry run: rolled back');
  }
}

/**
 * The five written answers become null; "no longer need" keeps a neutral word when it named
 * something, so the digest's count of those rounds stays the same (see ERASED_NAMED_ANSWER).
 */
const erasedAnswers = (now: Date) => ({
  needFromMe: null,
  whyDependOnMe: null,
  notAdequatelyProviding: null,
  concentrateOn: null,
  additionalComments: null,
  noLongerNeed: sql`case when ${roundResponses.noLongerNeed} !~* ${NOTHING_NAMED_PATTERN} then ${ERASED_NAMED_ANSWER} end`,
  erasedAt: now,
});

export interface ErasureRun {
  /** False when another copy held the erasure lock (retention only): nothing was done. */
  ran: boolean;
  changed: ChangedRows;
  /** The audit row written (none for a dry run, or when nothing changed). */
  erasureId: number | null;
}

export interface ForgetPerson {
  userId: string;
  /** Replaces the person's user id everywhere, the same in all their rows: `forgotten-…`. */
  pseudonym: string;
  /** Replaces `slack:<id>` as the customer key of the rounds they answered: `forgotten:…`. */
  customerKey: string;
  now: Date;
  requestedBy: string;
  dryRun: boolean;
}

export interface ForgetOutsideCustomer {
  /** `name:<normalised name>`, as the rounds store it. */
  customerKey: string;
  /** Replaces it in every round with that customer: `forgotten:…`. */
  pseudonymKey: string;
  now: Date;
  requestedBy: string;
  dryRun: boolean;
}

/**
 * The SQL of erasure: a person forgotten on request, an outside customer forgotten by name, and
 * the retention job. Each runs in one transaction under the erasure lock and records one row in
 * `erasures` (kind, who asked, rows changed per table; never whose rows or what they said). A dry
 * run does the same work and rolls it back, so the counts it shows are exactly those a real run
 * would report.
 */
export function createErasureRepository({ db }: { db: Database }) {
  async function inErasure(
    options: {
      kind: 'person' | 'outside_customer' | 'retention';
      requestedBy: string;
      now: Date;
      dryRun: boolean;
      /** Retention skips its turn when another copy holds the lock; a request waits for it. */
      wait: boolean;
    },
    work: (tx: Transaction, changes: Changes) => Promise<void>,
  ): Promise<ErasureRun> {
    try {
      return await db.transaction(async (tx) => {
        if (options.wait) {
          await tx.execute(sql`select pg_advisory_xact_lock(${sql.raw(String(ERASURE_LOCK_KEY))})`);
        } else {
          const [lock] = rowsOf<{ locked: boolean }>(
            await tx.execute(
              sql`select pg_try_advisory_xact_lock(${sql.raw(String(ERASURE_LOCK_KEY))}) as locked`,
            ),
          );
          if (!lock?.locked) return { ran: false, changed: new Changes().counts(), erasureId: null };
        }
        const changes = new Changes();
        await work(tx, changes);
        const changed = changes.counts();
        if (options.dryRun) throw new DryRunRollback(changed);
        if (totalChanged(changed) === 0) return { ran: true, changed, erasureId: null };
        const [audit] = await tx
          .insert(erasures)
          .values({ kind: options.kind, requestedBy: options.requestedBy, changed, createdAt: options.now })
          .returning({ id: erasures.id });
        await recordAudit(tx, {
          kind: 'erasure',
          actor: options.kind === 'retention' ? 'scheduler' : `cli:${options.requestedBy}`,
          rows: totalChanged(changed),
          detail: { erasure: options.kind, erasureId: audit?.id ?? null, changed },
          at: options.now,
        });
        return { ran: true, changed, erasureId: audit?.id ?? null };
      });
    } catch (error) {
      if (error instanceof DryRunRollback) return { ran: true, changed: error.changed, erasureId: null };
      throw error;
    }
  }

  /** Rounds still awaiting their customer stop: nobody can answer them now. */
  async function cancelOpenRounds(tx: Transaction, changes: Changes, which: SQL | undefined, now: Date) {
    const cancelled = await tx
      .update(rounds)
      .set({ status: 'cancelled', closedAt: now })
      .where(and(eq(rounds.status, 'awaiting_customer'), which))
      .returning({ id: rounds.id });
    const ids = cancelled.map((row) => row.id);
    changes.add('rounds', ids);
    if (ids.length === 0) return;
    const stopped = await tx
      .update(reminders)
      .set({ state: 'cancelled', lastError: FORGOTTEN_REASON })
      .where(and(inArray(reminders.roundId, ids), eq(reminders.state, 'pending')))
      .returning({ id: reminders.id });
    changes.add(
      'reminders',
      stopped.map((row) => row.id),
    );
  }

  async function eraseResponses(tx: Transaction, changes: Changes, roundIds: number[], now: Date) {
    if (roundIds.length === 0) return;
    const erased = await tx
      .update(roundResponses)
      .set(erasedAnswers(now))
      .where(and(inArray(roundResponses.roundId, roundIds), isNull(roundResponses.erasedAt)))
      .returning({ id: roundResponses.roundId });
    changes.add(
      'round_responses',
      erased.map((row) => row.id),
    );
  }

  return {
    /**
     * Forgets one person, whatever their part: staff member, customer, manager, committee admin.
     * Their user id becomes one pseudonym in every row, so their rounds still count as one (anonymous)
     * person; what they wrote, and what was written to them alone, is erased; their caches and
     * settings go; their pending reminders are cancelled. Scores, units and weeks stay.
     */
    async forgetPerson(request: ForgetPerson): Promise<ErasureRun> {
      const { userId, pseudonym, customerKey, now } = request;
      return inErasure(
        { kind: 'person', requestedBy: request.requestedBy, now, dryRun: request.dryRun, wait: true },
        async (tx, changes) => {
          await cancelOpenRounds(
            tx,
            changes,
            or(eq(rounds.staffUserId, userId), eq(rounds.customerUserId, userId)),
            now,
          );

          // Reminders: nothing more is sent to them; the rows keep only the pseudonym.
          const stopped = await tx
            .update(reminders)
            .set({ state: 'cancelled', lastError: FORGOTTEN_REASON })
            .where(
              and(eq(reminders.recipientUserId, userId), inArray(reminders.state, ['pending', 'sending'])),
            )
            .returning({ id: reminders.id });
          changes.add(
            'reminders',
            stopped.map((row) => row.id),
          );
          const renamed = await tx
            .update(reminders)
            // The DM channel with them would name them to anyone who can look it up in Slack.
            .set({ recipientUserId: pseudonym, messageChannelId: null })
            .where(eq(reminders.recipientUserId, userId))
            .returning({ id: reminders.id });
          changes.add(
            'reminders',
            renamed.map((row) => row.id),
          );
          // The one dedupe key that holds a user id: the cadence invitation's.
          const cadencePrefix = `cadence:${userId}:`;
          const rekeyed = await tx
            .update(reminders)
            .set({
              dedupeKey: sql`${`cadence:${pseudonym}:`} || substr(${reminders.dedupeKey}, ${cadencePrefix.length + 1})`,
            })
            .where(sql`starts_with(${reminders.dedupeKey}, ${cadencePrefix})`)
            .returning({ id: reminders.id });
          changes.add(
            'reminders',
            rekeyed.map((row) => row.id),
          );

          // Their rounds as staff member: the pseudonym (with their unit), no note, no service name.
          const [profile] = await tx
            .select({ unit: staffProfiles.unit })
            .from(staffProfiles)
            .where(eq(staffProfiles.userId, userId));
          if (profile) {
            await tx.insert(staffProfiles).values({ userId: pseudonym, unit: profile.unit, updatedAt: now });
          }
          const asStaff = await tx
            .update(rounds)
            .set({ staffUserId: pseudonym, selfNote: null, service: ERASED_TEXT, serviceKey: ERASED_TEXT })
            .where(eq(rounds.staffUserId, userId))
            .returning({ id: rounds.id });
          changes.add(
            'rounds',
            asStaff.map((row) => row.id),
          );
          if (profile) {
            await tx.delete(staffProfiles).where(eq(staffProfiles.userId, userId));
            changes.add('staff_profiles', [userId]);
          }
          // Their customers' answers were written for them alone: nobody may read them now.
          await eraseResponses(
            tx,
            changes,
            asStaff.map((row) => row.id),
            now,
          );

          // Their rounds as customer: no name, no id, their answers erased; one key for all of them.
          const asCustomer = await tx
            .update(rounds)
            .set({
              customerUserId: null,
              customerKey,
              customerName: ERASED_TEXT,
              selfNote: null,
              requestChannelId: null,
              requestTs: null,
              erasedAt: now,
            })
            .where(eq(rounds.customerUserId, userId))
            .returning({ id: rounds.id });
          changes.add(
            'rounds',
            asCustomer.map((row) => row.id),
          );
          await eraseResponses(
            tx,
            changes,
            asCustomer.map((row) => row.id),
            now,
          );
          const answeredBy = await tx
            .update(roundResponses)
            .set({ answeredByUserId: pseudonym })
            .where(eq(roundResponses.answeredByUserId, userId))
            .returning({ id: roundResponses.roundId });
          changes.add(
            'round_responses',
            answeredBy.map((row) => row.id),
          );

          // Their plans: the plan's words are theirs; as a manager, their closing note may be.
          const ownPlans = await tx
            .update(actionPlans)
            .set({
              staffUserId: pseudonym,
              strengths: null,
              improvements: null,
              successMeasure: null,
              outcomeNote: null,
            })
            .where(eq(actionPlans.staffUserId, userId))
            .returning({ id: actionPlans.id });
          const ownPlanIds = ownPlans.map((row) => row.id);
          changes.add('action_plans', ownPlanIds);
          const managed = await tx
            .update(actionPlans)
            .set({ managerUserId: pseudonym, outcomeNote: null })
            .where(eq(actionPlans.managerUserId, userId))
            .returning({ id: actionPlans.id });
          changes.add(
            'action_plans',
            managed.map((row) => row.id),
          );
          if (ownPlanIds.length > 0) {
            const steps = await tx
              .update(planSteps)
              .set({ text: ERASED_TEXT })
              .where(and(inArray(planSteps.planId, ownPlanIds), ne(planSteps.text, ERASED_TEXT)))
              .returning({ id: planSteps.id });
            changes.add(
              'plan_steps',
              steps.map((row) => row.id),
            );
          }
          const marked = await tx
            .update(planSteps)
            .set({ doneByUserId: pseudonym })
            .where(eq(planSteps.doneByUserId, userId))
            .returning({ id: planSteps.id });
          changes.add(
            'plan_steps',
            marked.map((row) => row.id),
          );
          // Notes they wrote anywhere, and every note on their own plans (about them).
          const notes = await tx
            .update(planNotes)
            .set({ text: null, erasedAt: now })
            .where(
              and(
                isNull(planNotes.erasedAt),
                ownPlanIds.length > 0
                  ? or(eq(planNotes.userId, userId), inArray(planNotes.planId, ownPlanIds))
                  : eq(planNotes.userId, userId),
              ),
            )
            .returning({ id: planNotes.id });
          changes.add(
            'plan_notes',
            notes.map((row) => row.id),
          );
          const authors = await tx
            .update(planNotes)
            .set({ userId: pseudonym })
            .where(eq(planNotes.userId, userId))
            .returning({ id: planNotes.id });
          changes.add(
            'plan_notes',
            authors.map((row) => row.id),
          );

          const subscribed = await tx
            .update(committees)
            .set({ createdByUserId: pseudonym })
            .where(eq(committees.createdByUserId, userId))
            .returning({ id: committees.id });
          changes.add(
            'committees',
            subscribed.map((row) => row.id),
          );

          // Service points they own (their weekly DM stops) or added: the point stays, its figures too.
          const owned = await tx
            .update(servicePoints)
            .set({ ownerUserId: pseudonym })
            .where(eq(servicePoints.ownerUserId, userId))
            .returning({ id: servicePoints.id });
          changes.add(
            'service_points',
            owned.map((row) => row.id),
          );
          const added = await tx
            .update(servicePoints)
            .set({ createdByUserId: pseudonym })
            .where(eq(servicePoints.createdByUserId, userId))
            .returning({ id: servicePoints.id });
          changes.add(
            'service_points',
            added.map((row) => row.id),
          );

          // Their best practices are their own words under their name: nothing of them can stay.
          const practices = await tx
            .delete(bestPractices)
            .where(eq(bestPractices.authorUserId, userId))
            .returning({ id: bestPractices.id });
          changes.add(
            'best_practices',
            practices.map((row) => row.id),
          );

          const cached = await tx
            .delete(slackUsers)
            .where(eq(slackUsers.userId, userId))
            .returning({ id: slackUsers.userId });
          changes.add(
            'slack_users',
            cached.map((row) => row.id),
          );
          const pictures = await tx
            .delete(homePictures)
            .where(eq(homePictures.userId, userId))
            .returning({ id: homePictures.userId });
          changes.add(
            'home_pictures',
            pictures.map((row) => row.id),
          );
          const settings = await tx
            .delete(personSettings)
            .where(eq(personSettings.userId, userId))
            .returning({ id: personSettings.userId });
          changes.add(
            'person_settings',
            settings.map((row) => row.id),
          );
          // What they did stays in the audit log, by their pseudonym.
          const audited = await tx
            .update(auditLog)
            .set({ actor: pseudonym })
            .where(eq(auditLog.actor, userId))
            .returning({ id: auditLog.id });
          changes.add(
            'audit_log',
            audited.map((row) => row.id),
          );
        },
      );
    },

    /**
     * Forgets a customer outside Slack, known only by the name staff typed: their rounds lose the
     * name (one pseudonym key for all of them, so they still count as one customer), the answers
     * recorded for them and the staff members' notes about them. Rounds still awaiting them stop.
     */
    async forgetOutsideCustomer(request: ForgetOutsideCustomer): Promise<ErasureRun> {
      const { customerKey, pseudonymKey, now } = request;
      return inErasure(
        {
          kind: 'outside_customer',
          requestedBy: request.requestedBy,
          now,
          dryRun: request.dryRun,
          wait: true,
        },
        async (tx, changes) => {
          const theirs = and(eq(rounds.customerKey, customerKey), isNull(rounds.customerUserId));
          await cancelOpenRounds(tx, changes, theirs, now);
          const erased = await tx
            .update(rounds)
            .set({ customerKey: pseudonymKey, customerName: ERASED_TEXT, selfNote: null, erasedAt: now })
            .where(theirs)
            .returning({ id: rounds.id });
          const ids = erased.map((row) => row.id);
          changes.add('rounds', ids);
          await eraseResponses(tx, changes, ids, now);
        },
      );
    },

    /**
     * The completion (or closing) time of the oldest round past retention (completed or closed
     * before `cutoff`) and not yet erased; null when there is none.
     */
    async oldestDue(cutoff: Date): Promise<Date | null> {
      const c = cutoff.toISOString();
      const [row] = rowsOf<{ at: string | Date | null }>(
        await db.execute(sql`select least(
            (select min(completed_at) from rounds
              where status = 'completed' and completed_at < ${c}::timestamptz and erased_at is null),
            (select min(closed_at) from rounds
              where status in ('expired', 'cancelled') and closed_at < ${c}::timestamptz and erased_at is null)
          ) as at`),
      );
      return row?.at ? new Date(row.at) : null;
    },

    /**
     * One run of the retention job, in one transaction: rounds completed or closed before
     * `roundsBefore` (the end of a week: whole weeks go at once) lose their customers' answers and
     * identities (in Slack or not) and the staff member's note; the words of plans closed before
     * `cutoff`, plan notes and walk-up answers written before it (their words; the scores stay), best
     * practices shared before it, and people-cache entries nobody has needed since go too.
     * A customer's rounds erased in one run share one pseudonym key, `erased:<id>` (the id of the first
     * of them), so a week keeps its count of distinct customers. Skips its turn when another copy (or
     * a `forget`) holds the erasure lock.
     */
    async eraseBefore({
      roundsFrom,
      roundsBefore,
      cutoff,
      now,
    }: {
      /** The oldest round not yet erased (oldestDue): nothing older is left, so the scan starts there. */
      roundsFrom: Date | null;
      roundsBefore: Date;
      cutoff: Date;
      now: Date;
    }): Promise<ErasureRun> {
      const r0 = roundsBefore.toISOString();
      const from = roundsFrom?.toISOString();
      const c = cutoff.toISOString();
      // Every round of the run not yet erased, with the pseudonym key of its customer.
      const due = sql`select r.id, r.customer_user_id, 'erased:' || min(r.id) over (partition by r.customer_key) as key
        from rounds r
        where r.erased_at is null
          and ((r.status = 'completed' and r.completed_at >= ${from}::timestamptz and r.completed_at < ${r0}::timestamptz)
            or (r.status in ('expired', 'cancelled')
              and r.closed_at >= ${from}::timestamptz and r.closed_at < ${r0}::timestamptz))`;
      const keysOf = (result: unknown) => rowsOf<{ id: number | string }>(result).map((row) => row.id);
      return inErasure(
        { kind: 'retention', requestedBy: 'retention', now, dryRun: false, wait: false },
        async (tx, changes) => {
          // No round is due when there is no oldest one: nothing to scan.
          if (roundsFrom) {
            // Reminders that went to a customer in Slack name them by id and DM channel.
            changes.add(
              'reminders',
              keysOf(
                await tx.execute(sql`with due as (${due})
                  update reminders m set recipient_user_id = due.key, message_channel_id = null
                  from due where m.round_id = due.id and m.recipient_user_id = due.customer_user_id
                  returning m.id`),
              ),
            );
            changes.add(
              'round_responses',
              keysOf(
                await tx.execute(sql`with due as (${due})
                  update round_responses x set
                    need_from_me = null, why_depend_on_me = null, not_adequately_providing = null,
                    concentrate_on = null, additional_comments = null,
                    no_longer_need = case when x.no_longer_need !~* ${NOTHING_NAMED_PATTERN} then ${ERASED_NAMED_ANSWER} end,
                    answered_by_user_id = case when x.recorded_on_behalf then x.answered_by_user_id else due.key end,
                    erased_at = coalesce(x.erased_at, ${now.toISOString()}::timestamptz)
                  from due where x.round_id = due.id
                  returning x.round_id as id`),
              ),
            );
            changes.add(
              'rounds',
              keysOf(
                await tx.execute(sql`with due as (${due})
                  update rounds r set customer_user_id = null, customer_key = due.key, customer_name = ${ERASED_TEXT},
                    self_note = null, request_channel_id = null, request_ts = null,
                    erased_at = ${now.toISOString()}::timestamptz
                  from due where r.id = due.id
                  returning r.id`),
              ),
            );
          }
          const notes = await tx
            .update(planNotes)
            .set({ text: null, erasedAt: now })
            .where(and(sql`${planNotes.createdAt} < ${c}::timestamptz`, isNull(planNotes.erasedAt)))
            .returning({ id: planNotes.id });
          changes.add(
            'plan_notes',
            notes.map((row) => row.id),
          );
          const closedBefore = sql`${actionPlans.state} = 'closed' and ${actionPlans.closedAt} < ${c}::timestamptz`;
          const plans = await tx
            .update(actionPlans)
            .set({ strengths: null, improvements: null, successMeasure: null, outcomeNote: null })
            .where(
              and(
                closedBefore,
                sql`(${actionPlans.strengths} is not null or ${actionPlans.improvements} is not null
                  or ${actionPlans.successMeasure} is not null or ${actionPlans.outcomeNote} is not null)`,
              ),
            )
            .returning({ id: actionPlans.id });
          changes.add(
            'action_plans',
            plans.map((row) => row.id),
          );
          changes.add(
            'plan_steps',
            keysOf(
              await tx.execute(sql`update plan_steps s set text = ${ERASED_TEXT}
                from action_plans p
                where s.plan_id = p.id and p.state = 'closed' and p.closed_at < ${c}::timestamptz
                  and s.text <> ${ERASED_TEXT}
                returning s.id`),
            ),
          );
          // Walk-up patrons' written answers given before the cutoff: the words go, the scores stay
          // (so past weeks' figures do not change). Through the index of answers not yet erased.
          const walkUps = await tx
            .update(walkUpAnswers)
            .set({ doBetter: null, noLongerNeed: null, erasedAt: now })
            .where(and(sql`${walkUpAnswers.createdAt} < ${c}::timestamptz`, isNull(walkUpAnswers.erasedAt)))
            .returning({ id: walkUpAnswers.id });
          changes.add(
            'walk_up_answers',
            walkUps.map((row) => row.id),
          );
          // Best practices shared before the cutoff: their words and their author go. They count in no
          // figure, and the digest of their week was posted long ago.
          const practices = await tx
            .delete(bestPractices)
            .where(sql`${bestPractices.createdAt} < ${c}::timestamptz`)
            .returning({ id: bestPractices.id });
          changes.add(
            'best_practices',
            practices.map((row) => row.id),
          );
          // A cached Slack profile nobody has needed for the whole period: names of people long gone.
          const cached = await tx
            .delete(slackUsers)
            .where(sql`${slackUsers.fetchedAt} < ${c}::timestamptz`)
            .returning({ id: slackUsers.userId });
          changes.add(
            'slack_users',
            cached.map((row) => row.id),
          );
        },
      );
    },

    async listErasures(limit: number) {
      return db
        .select()
        .from(erasures)
        .orderBy(sql`${erasures.createdAt} desc, ${erasures.id} desc`)
        .limit(limit);
    },
  };
}

export type ErasureRepository = ReturnType<typeof createErasureRepository>;
