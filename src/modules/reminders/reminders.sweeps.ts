import type { NewReminder } from '../../db/schema.js';
import type { PeopleDirectory } from '../people/people.directory.js';
import type { PeopleRepository } from '../people/people.repository.js';
import { CUSTOMER_NUDGES } from './reminders.kinds.js';
import type { RemindersRepository } from './reminders.repository.js';
import type { ReminderSettings } from './reminders.settings.js';
import { timeZoneOf } from './reminders.time-zones.js';
import { workingStartOn, workingTimeAfterDays } from './working-hours.js';

// Sweeps: derive due work from rounds. Each is idempotent (dedupe keys), so any copy may run it.

const DAY_MS = 86_400_000;

/** Another module's sweep, run on every reminders tick: queues its own due work, returns how many rows. */
export type ModuleSweep = (now: Date) => Promise<number>;

export interface SweepDeps {
  reminders: RemindersRepository;
  people: PeopleRepository;
  directory: PeopleDirectory;
  settings: ReminderSettings;
  /** Sweeps other modules register in src/dependencies.ts (a service point owner's weekly DM). */
  moduleSweeps?: ModuleSweep[];
}

/** Gives each new round its reminders: the interview day for staff, up to two nudges for the customer. */
export async function scheduleNewRoundReminders(deps: SweepDeps, limit = 200): Promise<number> {
  const { settings } = deps;
  const fresh = await deps.reminders.roundsWithoutReminders(limit);
  let scheduled = 0;
  for (const round of fresh) {
    const staffZone = await timeZoneOf(deps, round.staffUserId);
    const rows: NewReminder[] = [
      {
        kind: 'interview_due',
        roundId: round.id,
        recipientUserId: round.staffUserId,
        dueAt: workingStartOn(round.interviewOn, staffZone, settings.policy),
        dedupeKey: `interview_due:${round.id}`,
      },
    ];
    if (round.customerUserId) {
      const customerZone = await timeZoneOf(deps, round.customerUserId);
      for (let nudge = 1; nudge <= CUSTOMER_NUDGES; nudge++) {
        const days = nudge * settings.nudgeDays;
        if (days >= settings.expiryDays) break; // no nudge for a round that will have expired
        rows.push({
          kind: 'customer_nudge',
          roundId: round.id,
          recipientUserId: round.customerUserId,
          dueAt: workingTimeAfterDays(round.createdAt, days, customerZone, settings.policy),
          dedupeKey: `customer_nudge:${round.id}:${nudge}`,
        });
      }
    }
    scheduled += (await deps.reminders.schedule(rows)).length;
  }
  return scheduled;
}

export async function expireRounds(
  deps: Pick<SweepDeps, 'reminders' | 'settings'>,
  now: Date,
): Promise<number> {
  const cutoff = new Date(now.getTime() - deps.settings.expiryDays * DAY_MS);
  return deps.reminders.expireRounds(cutoff, now, 500);
}

export async function scheduleCadenceInvitations(
  deps: Pick<SweepDeps, 'reminders' | 'settings'>,
  now: Date,
): Promise<number> {
  const cutoff = new Date(now.getTime() - deps.settings.cadenceDays * DAY_MS);
  const due = await deps.reminders.staffDueForCadence(cutoff, 500);
  const inserted = await deps.reminders.schedule(
    due.map((row) => ({
      kind: 'cadence' as const,
      roundId: row.roundId,
      recipientUserId: row.staffUserId,
      dueAt: now,
      dedupeKey: `cadence:${row.staffUserId}:${row.roundId}`,
    })),
  );
  return inserted.length;
}
