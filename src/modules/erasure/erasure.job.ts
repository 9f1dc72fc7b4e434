import type { ScheduledJob } from '../../lib/scheduled-job.js';
import type { Logger } from '../../logger.js';
import { totalChanged } from './erasure.content.js';
import type { ErasureRepository } from './erasure.repository.js';
import { type RetentionSettings, runRetention } from './erasure.usecases.js';

/**
 * The retention job: once a day (UTC) in each copy, on its first tick of the day, erase what has
 * passed RETENTION_DAYS, a week per tick until nothing past it is left. One copy at a time holds the erasure lock; a copy that finds it held tries
 * again on its next tick, and whoever comes second finds nothing left, so each erasure happens once
 * and is recorded once. It needs nothing from Slack, so it runs while sending is paused too.
 */
export function createRetentionJob({
  erasure,
  settings,
  logger,
}: {
  erasure: ErasureRepository;
  settings: RetentionSettings;
  logger: Logger;
}): ScheduledJob {
  let doneFor: string | undefined;
  return {
    name: 'retention',
    usesSlack: false,
    async run(now) {
      const day = now.toISOString().slice(0, 10);
      if (doneFor === day) return;
      const result = await runRetention({ erasure, settings }, now);
      // Not done while older weeks remain (the next tick takes the next week), when another copy (or
      // an operator's forget) held the lock, nor when the run failed (it threw): the next tick tries
      // again, and finds nothing left if the other copy did it.
      if (result.ran && !result.remaining) doneFor = day;
      if (totalChanged(result.changed) > 0)
        logger.info(
          {
            job: 'retention',
            erasure: result.erasureId,
            cutoff: result.cutoff.toISOString(),
            ...result.changed,
          },
          'retention erased words past their time',
        );
    },
  };
}
