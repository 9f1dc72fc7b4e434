import type { ScheduledJob } from '../../lib/scheduled-job.js';
import type { Logger } from '../../logger.js';
import { type DeliveryReport, deliverDue, type OutboxDeps } from './reminders.outbox.js';
import {
  expireRounds,
  type SweepDeps,
  scheduleCadenceInvitations,
  scheduleNewRoundReminders,
} from './reminders.sweeps.js';

export interface TickReport extends DeliveryReport {
  scheduled: number;
  expired: number;
  invited: number;
  /** Rows queued by other modules' sweeps. */
  swept: number;
}

/** One tick of the reminders job: derive new due work from rounds, then send what is due. */
export async function runRemindersTick(deps: OutboxDeps & SweepDeps, now: Date): Promise<TickReport> {
  const expired = await expireRounds(deps, now);
  const scheduled = await scheduleNewRoundReminders(deps);
  const invited = await scheduleCadenceInvitations(deps, now);
  let swept = 0;
  for (const sweep of deps.moduleSweeps ?? []) swept += await sweep(now);
  const delivery = await deliverDue(deps, now);
  return { ...delivery, scheduled, expired, invited, swept };
}

/** The reminders job: expire, schedule, invite, run the modules' sweeps, then deliver what is due. */
export function createRemindersJob({
  reminderDeps,
  logger,
}: {
  reminderDeps: OutboxDeps & SweepDeps;
  logger: Logger;
}): ScheduledJob {
  return {
    name: 'reminders',
    async run(now) {
      const report = await runRemindersTick(reminderDeps, now);
      const busy = Object.values(report).some((value) => value > 0);
      if (busy) logger.info({ job: 'reminders', ...report }, 'reminders tick');
    },
  };
}
