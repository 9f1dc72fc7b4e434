import { and, asc, desc, eq, gt, isNull, ne, or } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import {
  type ActionPlan,
  actionPlans,
  type PlanStep,
  planNotes,
  planSteps,
  reminders,
  roundResponses,
  rounds,
} from '../../db/schema.js';

export interface PlanWriting {
  strengths: string;
  improvements: string;
  successMeasure: string;
  checkinEveryDays: number;
  remeasureOn: string;
  sharedCustomerAnswers: boolean;
}

export function createPlansRepository({ db }: { db: Database }) {
  return {
    async create(plan: {
      staffUserId: string;
      managerUserId: string;
      roundId: number | null;
      channelId: string;
      threadTs: string;
      createdAt: Date;
    }): Promise<ActionPlan> {
      const [row] = await db.insert(actionPlans).values(plan).returning();
      if (!row) throw new Error('plan insert returned nothing');
      return row;
    },

    async find(id: number): Promise<ActionPlan | undefined> {
      const [row] = await db.select().from(actionPlans).where(eq(actionPlans.id, id)).limit(1);
      return row;
    },

    async findByRemeasureRound(roundId: number): Promise<ActionPlan | undefined> {
      const [row] = await db
        .select()
        .from(actionPlans)
        .where(eq(actionPlans.remeasureRoundId, roundId))
        .limit(1);
      return row;
    },

    async steps(planId: number): Promise<PlanStep[]> {
      return db.select().from(planSteps).where(eq(planSteps.planId, planId)).orderBy(asc(planSteps.position));
    },

    async step(stepId: number): Promise<PlanStep | undefined> {
      const [row] = await db.select().from(planSteps).where(eq(planSteps.id, stepId)).limit(1);
      return row;
    },

    /**
     * Stores the written plan and its steps, once: the plan must still be awaiting its writing, and
     * the same form submitted again returns what the first submission stored.
     */
    async write(
      planId: number,
      writing: PlanWriting,
      steps: string[],
      sourceViewId: string,
      now: Date,
    ): Promise<{ plan: ActionPlan; steps: PlanStep[]; created: boolean } | 'not_awaiting'> {
      return db.transaction(async (tx) => {
        const [plan] = await tx
          .update(actionPlans)
          .set({ ...writing, state: 'active', writtenAt: now, sourceViewId })
          .where(and(eq(actionPlans.id, planId), eq(actionPlans.state, 'awaiting_plan')))
          .returning();
        if (!plan) {
          const [existing] = await tx.select().from(actionPlans).where(eq(actionPlans.id, planId));
          if (existing && existing.sourceViewId === sourceViewId) {
            const stored = await tx
              .select()
              .from(planSteps)
              .where(eq(planSteps.planId, planId))
              .orderBy(asc(planSteps.position));
            return { plan: existing, steps: stored, created: false };
          }
          return 'not_awaiting';
        }
        const stored = await tx
          .insert(planSteps)
          .values(steps.map((text, index) => ({ planId, position: index + 1, text })))
          .returning();
        return { plan, steps: stored.sort((a, b) => a.position - b.position), created: true };
      });
    },

    async setPlanMessage(planId: number, ts: string): Promise<void> {
      await db.update(actionPlans).set({ planMessageTs: ts }).where(eq(actionPlans.id, planId));
    },

    /** Marks a step done; a second click changes nothing (`changed: false`). */
    async markStepDone(stepId: number, userId: string, now: Date): Promise<boolean> {
      const rows = await db
        .update(planSteps)
        .set({ doneAt: now, doneByUserId: userId })
        .where(and(eq(planSteps.id, stepId), isNull(planSteps.doneAt)))
        .returning({ id: planSteps.id });
      return rows.length > 0;
    },

    async addNote(note: {
      planId: number;
      userId: string;
      text: string;
      sourceViewId: string;
      createdAt: Date;
    }) {
      const rows = await db
        .insert(planNotes)
        .values(note)
        .onConflictDoNothing({ target: planNotes.sourceViewId })
        .returning();
      return rows[0];
    },

    /** Was anything done on the plan (a step marked, a note added) after this moment? */
    async activitySince(planId: number, since: Date): Promise<boolean> {
      const [step] = await db
        .select({ id: planSteps.id })
        .from(planSteps)
        .where(and(eq(planSteps.planId, planId), gt(planSteps.doneAt, since)))
        .limit(1);
      if (step) return true;
      const [note] = await db
        .select({ id: planNotes.id })
        .from(planNotes)
        .where(and(eq(planNotes.planId, planId), gt(planNotes.createdAt, since)))
        .limit(1);
      return Boolean(note);
    },

    /** Check-ins already posted for the plan, oldest first. */
    async sentCheckins(planId: number) {
      return db
        .select({ id: reminders.id, sentAt: reminders.sentAt })
        .from(reminders)
        .where(
          and(eq(reminders.planId, planId), eq(reminders.kind, 'plan_checkin'), eq(reminders.state, 'sent')),
        )
        .orderBy(asc(reminders.sentAt));
    },

    async linkRemeasureRound(planId: number, roundId: number): Promise<boolean> {
      const rows = await db
        .update(actionPlans)
        .set({ remeasureRoundId: roundId })
        .where(
          and(
            eq(actionPlans.id, planId),
            isNull(actionPlans.remeasureRoundId),
            ne(actionPlans.state, 'closed'),
          ),
        )
        .returning({ id: actionPlans.id });
      return rows.length > 0;
    },

    async close(
      planId: number,
      outcome: 'improved' | 'no_change' | 'worse',
      note: string | null,
      now: Date,
    ): Promise<ActionPlan | undefined> {
      return db.transaction(async (tx) => {
        const [plan] = await tx
          .update(actionPlans)
          .set({ state: 'closed', outcome, outcomeNote: note, closedAt: now })
          .where(and(eq(actionPlans.id, planId), ne(actionPlans.state, 'closed')))
          .returning();
        if (plan) {
          await tx
            .update(reminders)
            .set({ state: 'cancelled', lastError: 'plan_closed' })
            .where(and(eq(reminders.planId, planId), eq(reminders.state, 'pending')));
        }
        return plan;
      });
    },

    async openPlansFor(userId: string) {
      return db
        .select()
        .from(actionPlans)
        .where(
          and(
            ne(actionPlans.state, 'closed'),
            or(eq(actionPlans.staffUserId, userId), eq(actionPlans.managerUserId, userId)),
          ),
        )
        .orderBy(desc(actionPlans.createdAt))
        .limit(50);
    },

    /** A round with its customer's response, if it has one. */
    async roundWithResponse(roundId: number) {
      const [row] = await db
        .select({ round: rounds, response: roundResponses })
        .from(rounds)
        .leftJoin(roundResponses, eq(roundResponses.roundId, rounds.id))
        .where(eq(rounds.id, roundId))
        .limit(1);
      return row;
    },

    async latestCompletedRound(staffUserId: string) {
      const [row] = await db
        .select({ round: rounds, response: roundResponses })
        .from(rounds)
        .innerJoin(roundResponses, eq(roundResponses.roundId, rounds.id))
        .where(and(eq(rounds.staffUserId, staffUserId), eq(rounds.status, 'completed')))
        .orderBy(desc(rounds.completedAt), desc(rounds.id))
        .limit(1);
      return row;
    },
  };
}

export type PlansRepository = ReturnType<typeof createPlansRepository>;
