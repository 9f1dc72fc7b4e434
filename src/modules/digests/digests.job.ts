import type { JobDeps } from '../../jobs.js';
import type { ScheduledJob } from '../../scheduler/scheduler.js';
import { createCommitteesRepository } from '../committees/committees.repository.js';
import { createDigestsRepository } from './digests.repository.js';
import { type DigestDeps, runDigestTick } from './digests.usecases.js';

export function createDigestDeps(deps: JobDeps, extra: Partial<DigestDeps> = {}): DigestDeps {
  return {
    committees: createCommitteesRepository({ db: deps.db }),
    digests: createDigestsRepository({ db: deps.db }),
    messenger: deps.messenger,
    directory: deps.directory,
    logger: deps.logger,
    clock: deps.clock,
    instanceId: deps.instanceId,
    tickBudgetMs: deps.config.TICK_BUDGET_MS,
    adminUserIds: deps.config.ADMIN_USER_IDS,
    libraryTimeZone: deps.config.LIBRARY_TIME_ZONE,
    ...extra,
  };
}

/** The weekly digests: each tick posts whatever committee digest has come due, once. */
export function createDigestJob(deps: JobDeps, extra: Partial<DigestDeps> = {}): ScheduledJob {
  const digestDeps = createDigestDeps(deps, extra);
  return {
    name: 'digests',
    async run(now) {
      const report = await runDigestTick(digestDeps, now);
      if (report.due > 0) deps.logger.info({ job: 'digests', ...report }, 'digests tick');
    },
  };
}
