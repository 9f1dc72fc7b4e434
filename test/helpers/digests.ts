import type { Database } from '../../src/db/client.js';
import { type Committee, roundResponses, rounds, staffProfiles } from '../../src/db/schema.js';
import type { Clock } from '../../src/lib/clock.js';
import {
  type CommitteeSettings,
  createCommitteesRepository,
} from '../../src/modules/committees/committees.repository.js';
import type { DigestDeps } from '../../src/modules/digests/digests.usecases.js';
import { testDependencies } from './dependencies.js';
import type { SlackStandIn } from './slack-stand-in.js';

let seq = 0;

/**
 * Stores a round as the app would have after its whole life: self-rating, and (for completed rounds)
 * the customer's response. Straight into the tables, so a test can place rounds at exact instants.
 */
export async function seedRound(
  db: Database,
  round: {
    staff: string;
    unit: string;
    self: number;
    /** Set for a completed round. */
    customer?: number;
    completedAt?: Date;
    createdAt?: Date;
    status?: 'awaiting_customer' | 'completed' | 'expired' | 'cancelled';
    closedAt?: Date;
    noLongerNeed?: string;
    answers?: string;
    customerUserId?: string;
    /** The customer's opt-in to their written answers being shared with the staff member's manager. */
    shareWithManager?: boolean;
  },
): Promise<number> {
  seq++;
  const status = round.status ?? (round.customer !== undefined ? 'completed' : 'awaiting_customer');
  const completedAt = status === 'completed' ? (round.completedAt ?? new Date()) : null;
  const createdAt =
    round.createdAt ?? new Date((completedAt ?? round.closedAt ?? new Date()).getTime() - 3 * 86_400_000);
  await db.insert(staffProfiles).values({ userId: round.staff, unit: round.unit }).onConflictDoNothing();
  const customerUserId = round.customerUserId ?? `UCUST${seq}`;
  const [row] = await db
    .insert(rounds)
    .values({
      staffUserId: round.staff,
      customerUserId,
      customerName: `Customer ${seq}`,
      customerKey: `slack:${customerUserId}`,
      service: `Service ${seq}`,
      serviceKey: `service ${seq}`,
      segment: 'core',
      unit: round.unit,
      selfScore: round.self,
      interviewOn: createdAt.toISOString().slice(0, 10),
      status,
      sourceViewId: `VSEED${seq}`,
      createdAt,
      completedAt,
      closedAt: round.closedAt ?? null,
    })
    .returning({ id: rounds.id });
  if (!row) throw new Error('no round');
  if (status === 'completed') {
    const text = round.answers ?? `Answer ${seq}`;
    await db.insert(roundResponses).values({
      roundId: row.id,
      customerScore: round.customer ?? 5,
      needFromMe: text,
      whyDependOnMe: text,
      notAdequatelyProviding: text,
      concentrateOn: text,
      noLongerNeed: round.noLongerNeed ?? 'Nothing.',
      additionalComments: text,
      shareWithManager: round.shareWithManager ?? false,
      answeredByUserId: customerUserId,
      recordedOnBehalf: false,
      sourceViewId: `VRESP${seq}`,
      createdAt: completedAt ?? new Date(),
    });
  }
  return row.id;
}

export async function seedCommittee(
  db: Database,
  channelId: string,
  settings: Partial<CommitteeSettings> = {},
  /** When it subscribed: by default the Friday before the first digest the tests expect (2026-W47's). */
  at: Date = new Date('2026-11-20T00:00:00Z'),
): Promise<Committee> {
  const { committee } = await createCommitteesRepository({ db }).save(
    channelId,
    {
      units: [],
      weekday: 1,
      hour: 9,
      timeZone: 'UTC',
      minGroupSize: 3,
      showIndividuals: false,
      ...settings,
    },
    { userId: 'UADMIN', now: at },
  );
  return committee;
}

/** Digest use cases wired as the scheduler wires them (src/dependencies.ts), against the stand-in. */
export function digestDepsFor(
  db: Database,
  standIn: SlackStandIn,
  clock: Clock,
  options: Partial<DigestDeps> & { timeoutMs?: number } = {},
): DigestDeps {
  const { timeoutMs = 5_000, ...overrides } = options;
  return testDependencies({
    db,
    standIn,
    clock,
    env: { SLACK_API_TIMEOUT_MS: String(timeoutMs) },
    overrides: { digests: overrides },
  }).background.digests;
}
