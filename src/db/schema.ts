import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * One schema for PostgreSQL and the embedded PGlite. Rules users rely on live here as constraints,
 * not only in code: scores 1-10, one open round per staff member, customer and service, one
 * customer response per round, nobody their own customer.
 */

export const segmentEnum = pgEnum('customer_segment', ['core', 'regular', 'occasional', 'should_be']);
export const roundStatusEnum = pgEnum('round_status', [
  'awaiting_customer',
  'completed',
  'expired',
  'cancelled',
]);

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

/** What the app remembers about a staff member between rounds. */
export const staffProfiles = pgTable('staff_profiles', {
  userId: text('user_id').primaryKey(),
  unit: text('unit').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** A cache of `users.info`: is the person a bot, still here, and in which time zone. */
export const slackUsers = pgTable('slack_users', {
  userId: text('user_id').primaryKey(),
  name: text('name').notNull(),
  isBot: boolean('is_bot').notNull(),
  deleted: boolean('deleted').notNull(),
  tz: text('tz'),
  fetchedAt: timestamp('fetched_at', { withTimezone: true, mode: 'date' }).notNull(),
});

export const rounds = pgTable(
  'rounds',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    staffUserId: text('staff_user_id')
      .notNull()
      .references(() => staffProfiles.userId),
    /** Set when the customer is in Slack. */
    customerUserId: text('customer_user_id'),
    /** The customer's name as shown to the staff member (for outside customers, as typed). */
    customerName: text('customer_name').notNull(),
    /** `slack:U123` or `name:<lower-cased name>`: who the customer is, for the one-open-round rule. */
    customerKey: text('customer_key').notNull(),
    service: text('service').notNull(),
    /** Lower-cased, space-collapsed service, for the one-open-round rule. */
    serviceKey: text('service_key').notNull(),
    segment: segmentEnum('segment').notNull(),
    unit: text('unit').notNull(),
    selfScore: smallint('self_score').notNull(),
    selfNote: text('self_note'),
    /** The day the staff member plans to talk to the customer. */
    interviewOn: date('interview_on', { mode: 'string' }).notNull(),
    status: roundStatusEnum('status').notNull().default('awaiting_customer'),
    /** The Slack view that created the round: a second submission of the same view is the same round. */
    sourceViewId: text('source_view_id').notNull(),
    /** Where the request to the customer (or the staff member's interview button) was posted. */
    requestChannelId: text('request_channel_id'),
    requestTs: text('request_ts'),
    createdAt: createdAt(),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    check('rounds_self_score_range', sql`${table.selfScore} between 1 and 10`),
    check('rounds_not_own_customer', sql`${table.customerUserId} is distinct from ${table.staffUserId}`),
    check('rounds_service_not_blank', sql`length(trim(${table.service})) > 0`),
    check('rounds_customer_name_not_blank', sql`length(trim(${table.customerName})) > 0`),
    check(
      'rounds_completed_at_matches_status',
      sql`(${table.status} = 'completed') = (${table.completedAt} is not null)`,
    ),
    uniqueIndex('rounds_source_view_id_key').on(table.sourceViewId),
    uniqueIndex('rounds_one_open_per_customer_service')
      .on(table.staffUserId, table.customerKey, table.serviceKey)
      .where(sql`${table.status} = 'awaiting_customer'`),
    index('rounds_staff_created_idx').on(table.staffUserId, table.createdAt),
    index('rounds_status_idx').on(table.status),
  ],
);

/** The customer's side of a round: the six interview answers and their score. At most one per round. */
export const roundResponses = pgTable(
  'round_responses',
  {
    roundId: integer('round_id')
      .primaryKey()
      .references(() => rounds.id, { onDelete: 'cascade' }),
    customerScore: smallint('customer_score').notNull(),
    needFromMe: text('need_from_me').notNull(),
    whyDependOnMe: text('why_depend_on_me').notNull(),
    notAdequatelyProviding: text('not_adequately_providing').notNull(),
    concentrateOn: text('concentrate_on').notNull(),
    noLongerNeed: text('no_longer_need').notNull(),
    additionalComments: text('additional_comments'),
    /** Who typed the answers: the customer, or the staff member recording an outside customer's interview. */
    answeredByUserId: text('answered_by_user_id').notNull(),
    recordedOnBehalf: boolean('recorded_on_behalf').notNull(),
    sourceViewId: text('source_view_id').notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    check('round_responses_customer_score_range', sql`${table.customerScore} between 1 and 10`),
    uniqueIndex('round_responses_source_view_id_key').on(table.sourceViewId),
  ],
);

export type Round = typeof rounds.$inferSelect;
export type NewRound = typeof rounds.$inferInsert;
export type RoundResponse = typeof roundResponses.$inferSelect;
export type StaffProfile = typeof staffProfiles.$inferSelect;
export type SlackUser = typeof slackUsers.$inferSelect;
