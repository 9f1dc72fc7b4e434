import { WebClient } from '@slack/web-api';
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { type Round, reminders } from '../../src/db/schema.js';
import type { Clock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/logger.js';
import { createPeopleDirectory } from '../../src/modules/people/people.directory.js';
import { createPeopleRepository } from '../../src/modules/people/people.repository.js';
import { createRemindersRepository } from '../../src/modules/reminders/reminders.repository.js';
import type { ReminderDeps, ReminderSettings } from '../../src/modules/reminders/reminders.usecases.js';
import { DEFAULT_POLICY } from '../../src/modules/reminders/working-hours.js';
import { createRoundsRepository } from '../../src/modules/rounds/rounds.repository.js';
import { createMessenger } from '../../src/slack/messenger.js';
import { createSlackPersonSource } from '../../src/slack/person-source.js';
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
 * Reminder use cases wired as the scheduler wires them: real repositories on the test database and
 * a real WebClient, configured like the background client, talking HTTP to the stand-in.
 */
export function reminderDepsFor(
  db: Database,
  standIn: SlackStandIn,
  clock: Clock,
  options: { settings?: Partial<ReminderSettings>; instanceId?: string; timeoutMs?: number } = {},
): ReminderDeps {
  const client = new WebClient('xoxb-test', {
    slackApiUrl: standIn.url,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: options.timeoutMs ?? 5_000,
  });
  const logger = createLogger('silent');
  const people = createPeopleRepository({ db });
  return {
    reminders: createRemindersRepository({ db }),
    rounds: createRoundsRepository({ db }),
    people,
    directory: createPeopleDirectory({ source: createSlackPersonSource(client), people, clock }),
    messenger: createMessenger({ client, logger }),
    logger,
    instanceId: options.instanceId ?? 'test',
    settings: { ...TEST_SETTINGS, ...options.settings },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 50))),
  };
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
