import type { Config } from '../../config.js';
import { parseClock } from '../../lib/calendar.js';
import type { WorkingHoursPolicy } from './working-hours.js';

/** The reminders' settings, read from the configuration once, in the composition root. */
export interface ReminderSettings {
  policy: WorkingHoursPolicy;
  nudgeDays: number;
  expiryDays: number;
  cadenceDays: number;
  snoozeDays: number;
  muteDays: number;
  batchSize: number;
  concurrency: number;
  leaseMs: number;
  maxAttempts: number;
  tickBudgetMs: number;
}

export function reminderSettingsFrom(config: Config): ReminderSettings {
  return {
    policy: {
      startMinutes: parseClock(config.WORKDAY_START) ?? 9 * 60,
      endMinutes: parseClock(config.WORKDAY_END) ?? 17 * 60,
      workdays: new Set(config.WORKDAYS),
      closures: new Set(config.CLOSURE_DATES),
    },
    nudgeDays: config.CUSTOMER_NUDGE_DAYS,
    expiryDays: config.ROUND_EXPIRY_DAYS,
    cadenceDays: config.CADENCE_DAYS,
    snoozeDays: config.SNOOZE_DAYS,
    muteDays: config.MUTE_DAYS,
    batchSize: config.REMINDER_BATCH_SIZE,
    concurrency: config.REMINDER_CONCURRENCY,
    leaseMs: config.REMINDER_LEASE_SECONDS * 1000,
    maxAttempts: config.REMINDER_MAX_ATTEMPTS,
    tickBudgetMs: config.TICK_BUDGET_MS,
  };
}
