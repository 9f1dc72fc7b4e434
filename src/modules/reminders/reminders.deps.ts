import type { ButtonDeps } from './reminders.buttons.js';
import type { OutboxDeps } from './reminders.outbox.js';
import type { SweepDeps } from './reminders.sweeps.js';

/**
 * Everything the reminders module is given, built once in src/dependencies.ts: the outbox, the
 * sweeps and the buttons each take the part they need.
 */
export type ReminderDeps = OutboxDeps & SweepDeps & ButtonDeps;
