import type { ScheduledJob } from '../../lib/scheduled-job.js';
import type { Logger } from '../../logger.js';
import { type ReminderDeps, runRemindersTick } from './reminders.usecases.js';

/** The reminders job: expire, schedule, invite, then deliver what is due. */
export function createRemindersJob({
  reminderDeps,
  logger,
}: {
  reminderDeps: ReminderDeps;
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
