import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../lib/clock.js';
import type { ScheduledJob } from '../lib/scheduled-job.js';
import type { Logger } from '../logger.js';

export interface Scheduler {
  start(): void;
  /** Stops ticking and waits for a tick in progress. */
  stop(): Promise<void>;
  /** Runs every job once at `now` (the CLI's `reminders run --now`, and tests). */
  tick(now?: Date): Promise<void>;
}

export function createScheduler({
  expression,
  jobs,
  clock,
  logger,
  canRun,
}: {
  expression: string;
  jobs: ScheduledJob[];
  clock: Clock;
  logger: Logger;
  /**
   * Asked before each job that uses Slack; false leaves the rest of that work undone this tick. While
   * Slack refuses the bot token there is nothing such a job could do but fail. Jobs that need nothing
   * from Slack run anyway.
   */
  canRun?: (now: Date) => Promise<boolean>;
}): Scheduler {
  let task: ScheduledTask | undefined;
  let running: Promise<void> | undefined;

  const tick = async (now: Date = clock.now()) => {
    let slackStopped = false;
    for (const job of jobs) {
      const usesSlack = job.usesSlack !== false;
      if (usesSlack && slackStopped) continue;
      if (usesSlack && canRun) {
        const go = await canRun(now).catch((error: unknown) => {
          logger.error({ err: error, job: job.name }, 'could not tell whether scheduled work may run');
          return false;
        });
        if (!go) {
          slackStopped = true;
          continue;
        }
      }
      const started = Date.now();
      try {
        await job.run(now);
      } catch (error) {
        // One failing job must not stop the others; the next tick tries again.
        logger.error({ err: error, job: job.name }, 'scheduled job failed');
      }
      logger.debug({ job: job.name, ms: Date.now() - started }, 'scheduled job ran');
    }
  };

  return {
    start() {
      if (task) return;
      task = cron.schedule(
        expression,
        () => {
          if (running) return; // the previous tick is still working: skip, the next will catch up
          running = tick().finally(() => {
            running = undefined;
          });
          return running;
        },
        // Overlap is handled above, quietly: node-cron's own noOverlap prints a warning to stderr,
        // outside the structured log, every time a long tick is still running.
        { name: 'service-radar' },
      );
    },
    async stop() {
      await task?.stop();
      await task?.destroy();
      task = undefined;
      await running;
    },
    tick,
  };
}
