import type { ScheduledJob } from '../../lib/scheduled-job.js';
import type { Logger } from '../../logger.js';
import { type DigestDeps, runDigestTick } from './digests.usecases.js';

/** The weekly digests: each tick posts whatever committee digest has come due, once. */
export function createDigestJob({
  digestDeps,
  logger,
}: {
  digestDeps: DigestDeps;
  logger: Logger;
}): ScheduledJob {
  return {
    name: 'digests',
    async run(now) {
      const report = await runDigestTick(digestDeps, now);
      if (report.due > 0) logger.info({ job: 'digests', ...report }, 'digests tick');
    },
  };
}
