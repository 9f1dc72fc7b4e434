import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { type Round, reminders } from '../../src/db/schema.js';
import type { Clock } from '../../src/lib/clock.js';
import type { ReminderDeps } from '../../src/modules/reminders/reminders.deps.js';
import type { ReminderSettings } from '../../src/modules/reminders/reminders.settings.js';
import { DEFAULT_POLICY } from '../../src/modules/reminders/working-hours.js';
import { createRoundsRepository } from '../../src/modules/rounds/rounds.repository.js';
import { testDependencies } from './dependencies.js';
import type { SlackStandIn } from './slack-stand-in.js';

export const TEST_SETTINGS: ReminderSettings = {
  policy: DEFAULT_POLICY,
  nudgeDays: 4,
  expiryDays: 21,
  cadenceDays: 90,
  snoozeDays: 2,
  muteDays: 14,
  batchSize: 50,
  concurrency: 4,
  leaseMs: 120_000,
  maxAttempts: 5,
  tickBudgetMs: 30_000,
};

/**
 * Reminder use cases wired as the scheduler wires them (src/dependencies.ts, every module's kinds
 * registered): real repositories on the test database and the background WebClient, talking HTTP
 * to the stand-in. `overrides` replaces parts of them (a registry of kinds, say).
 */
export function reminderDepsFor(
  db: Database,
  standIn: SlackStandIn,
  clock: Clock,
  options: {
    settings?: Partial<ReminderSettings>;
    instanceId?: string;
    timeoutMs?: number;
    overrides?: Partial<ReminderDeps>;
  } = {},
): ReminderDeps {
  return testDependencies({
    db,
    standIn,
    clock,
    env: { SLACK_API_TIMEOUT_MS: String(options.timeoutMs ?? 5_000) },
    overrides: {
      instanceId: options.instanceId ?? 'test',
      settings: { reminders: { ...TEST_SETTINGS, ...options.settings } },
      reminders: {
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 50))),
        ...options.overrides,
      },
    },
  }).background.reminders;
}

let views = 0;

/** Stores a round directly through the repository, as a submitted modal would. */
export async function seedRound(
  db: Database,
  fields: Partial<Round> & { staffUserId: string; createdAt: Date },
  options: { requestDelivered?: boolean } = {},
): Promise<Round> {
  const customerUserId = fields.customerUserId === undefined ? 'UCUST' : fields.customerUserId;
  const service = fields.service ?? `Service ${++views}`;
  const { round } = await createRoundsRepository({ db }).createRound({
    customerName: customerUserId ?? 'Pat Patron',
    customerKey: customerUserId
      ? `slack:${customerUserId}`
      : `name:${(fields.customerName ?? 'pat patron').toLowerCase()}`,
    serviceKey: service.toLowerCase(),
    segment: 'core',
    unit: 'Reference',
    selfScore: 7,
    interviewOn: fields.createdAt.toISOString().slice(0, 10),
    sourceViewId: `VSEED${views}-${Math.random()}`,
    ...fields,
    service,
    customerUserId,
  });
  // As the listener would have done at once: the customer's request left the outbox.
  if (options.requestDelivered !== false) {
    await db
      .update(reminders)
      .set({ state: 'sent', sentAt: fields.createdAt, attempts: 1 })
      .where(eq(reminders.dedupeKey, `customer_request:${round.id}`));
  }
  return round;
}
