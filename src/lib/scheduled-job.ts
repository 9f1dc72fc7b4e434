/**
 * A job the scheduler runs on every tick. The job asks the database what is due at `now` and does
 * it; the tick itself carries no state, so a missed tick (restart, several copies) loses nothing.
 * Modules offer their jobs in this shape; src/scheduler/scheduler.ts runs them.
 */
export interface ScheduledJob {
  name: string;
  /** False for work that needs nothing from Slack (erasure): it runs even while sending is paused. */
  usesSlack?: boolean;
  run(now: Date): Promise<void>;
}
