import type { JobDeps } from '../../jobs.js';
import type { ScheduledJob } from '../../scheduler/scheduler.js';
import { createPeopleRepository } from '../people/people.repository.js';
import { createPlanDeps } from '../plans/plans.deps.js';
import { planReminderKinds } from '../plans/plans.usecases.js';
import { createRoundsRepository } from '../rounds/rounds.repository.js';
import { createRemindersRepository } from './reminders.repository.js';
import { type ReminderDeps, reminderSettingsFrom, runRemindersTick } from './reminders.usecases.js';

export function createReminderDeps(deps: JobDeps, extra: Partial<ReminderDeps> = {}): ReminderDeps {
  const planDeps = createPlanDeps({
    db: deps.db,
    client: deps.client,
    config: deps.config,
    logger: deps.logger,
    directory: deps.directory,
    messenger: deps.messenger,
  });
  return {
    extraKinds: planReminderKinds(planDeps),
    reminders: createRemindersRepository({ db: deps.db }),
    rounds: createRoundsRepository({ db: deps.db }),
    people: createPeopleRepository({ db: deps.db }),
    directory: deps.directory,
    messenger: deps.messenger,
    logger: deps.logger,
    instanceId: deps.instanceId,
    settings: reminderSettingsFrom(deps.config),
    pause: deps.installation,
    ...extra,
  };
}

/** The reminders job: expire, schedule, invite, then deliver what is due. */
export function createRemindersJob(deps: JobDeps, extra: Partial<ReminderDeps> = {}): ScheduledJob {
  const reminderDeps = createReminderDeps(deps, extra);
  return {
    name: 'reminders',
    async run(now) {
      const report = await runRemindersTick(reminderDeps, now);
      const busy = Object.values(report).some((value) => value > 0);
      if (busy) deps.logger.info({ job: 'reminders', ...report }, 'reminders tick');
    },
  };
}
