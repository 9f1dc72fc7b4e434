import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import type { ScheduledJob } from '../../src/lib/scheduled-job.js';
import { createLogger } from '../../src/logger.js';
import { createScheduler } from '../../src/scheduler/scheduler.js';

const NOW = new Date('2026-12-02T10:00:00Z');

function recorder() {
  const ran: string[] = [];
  const job = (name: string, usesSlack?: boolean): ScheduledJob => ({
    name,
    ...(usesSlack === undefined ? {} : { usesSlack }),
    run: async () => {
      ran.push(name);
    },
  });
  return { ran, job };
}

describe('scheduler tick', () => {
  it('while Slack refuses the token, skips the jobs that send and still runs the ones that need no Slack', async () => {
    const { ran, job } = recorder();
    let asked = 0;
    const scheduler = createScheduler({
      expression: '* * * * *',
      jobs: [job('reminders'), job('digests'), job('retention', false)],
      clock: fixedClock(NOW),
      logger: createLogger('silent'),
      canRun: async () => {
        asked++;
        return false;
      },
    });
    await scheduler.tick(NOW);
    expect(ran).toEqual(['retention']);
    // Asked once: after a "no", the other sending jobs wait for the next tick without asking again.
    expect(asked).toBe(1);
  });

  it('runs every job, in order, when sending may go ahead', async () => {
    const { ran, job } = recorder();
    const scheduler = createScheduler({
      expression: '* * * * *',
      jobs: [job('reminders'), job('digests'), job('retention', false)],
      clock: fixedClock(NOW),
      logger: createLogger('silent'),
      canRun: async () => true,
    });
    await scheduler.tick(NOW);
    expect(ran).toEqual(['reminders', 'digests', 'retention']);
  });
});
