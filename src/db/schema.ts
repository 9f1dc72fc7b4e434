import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
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
  /** The app's DM channel with this person, learnt from the first message posted to them. */
  dmChannelId: text('dm_channel_id'),
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
    /** When the customer's identity and the staff member's note were erased; the scores stay. */
    erasedAt: timestamp('erased_at', { withTimezone: true, mode: 'date' }),
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
    // The digest groups completed rounds by week and unit.
    index('rounds_completed_at_idx').on(table.completedAt).where(sql`${table.status} = 'completed'`),
    // The digest's follow-ups: rounds that expired in a week, or were still open when it ended.
    index('rounds_closed_at_idx').on(table.closedAt).where(sql`${table.status} in ('expired', 'cancelled')`),
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
    // The written answers are null once erased (retention or a request); the score stays.
    needFromMe: text('need_from_me'),
    whyDependOnMe: text('why_depend_on_me'),
    notAdequatelyProviding: text('not_adequately_providing'),
    concentrateOn: text('concentrate_on'),
    noLongerNeed: text('no_longer_need'),
    additionalComments: text('additional_comments'),
    /**
     * The customer's own opt-in (off unless they tick it): the staff member may share the written
     * answers with their manager for an action plan. For a recorded interview, the staff member's
     * confirmation that the customer agreed to that.
     */
    shareWithManager: boolean('share_with_manager').notNull().default(false),
    /** When the written answers were erased. */
    erasedAt: timestamp('erased_at', { withTimezone: true, mode: 'date' }),
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

/**
 * A patron outside Slack answers a round on a web page: the link's token is random (at least 128
 * bits) and only its SHA-256 is kept. One answer per link; it stops working when the round is no
 * longer awaiting its customer (answered, expired, cancelled) or after `expires_at`.
 */
export const patronLinks = pgTable(
  'patron_links',
  {
    roundId: integer('round_id')
      .primaryKey()
      .references(() => rounds.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** When the patron's answer was stored through this link. */
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('patron_links_token_hash_key').on(table.tokenHash),
    check('patron_links_token_hash_shape', sql`${table.tokenHash} ~ '^[0-9a-f]{64}$'`),
  ],
);

export type Round = typeof rounds.$inferSelect;
export type PatronLink = typeof patronLinks.$inferSelect;
export type NewRound = typeof rounds.$inferInsert;
export type RoundResponse = typeof roundResponses.$inferSelect;
export type SlackUser = typeof slackUsers.$inferSelect;

// ---------------------------------------------------------------------------------------------
// Reminders: due work lives here, not in memory. The scheduler only ticks; each tick claims due
// rows (FOR UPDATE SKIP LOCKED), sends, and records the outcome. See src/modules/reminders.

export const reminderKindEnum = pgEnum('reminder_kind', [
  'interview_due',
  'customer_nudge',
  'customer_request_again',
  'round_expired',
  'cadence',
  'plan_checkin',
  'plan_remeasure',
  // The outbox for a round's own messages: the request to a customer, the result to the staff member.
  'customer_request',
  'round_result',
  // A service point owner's weekly DM: the week's walk-up answers and figures for their point.
  'service_point_weekly',
]);
export const reminderStateEnum = pgEnum('reminder_state', [
  'pending',
  'sending',
  'sent',
  'failed',
  'cancelled',
]);

export const reminders = pgTable(
  'reminders',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    kind: reminderKindEnum('kind').notNull(),
    roundId: integer('round_id').references(() => rounds.id, { onDelete: 'cascade' }),
    /** Set by action-plan reminders (check-ins, re-measure). */
    planId: integer('plan_id').references((): AnyPgColumn => actionPlans.id, { onDelete: 'cascade' }),
    /** Set by a service point's weekly DM to its owner. */
    servicePointId: integer('service_point_id').references((): AnyPgColumn => servicePoints.id, {
      onDelete: 'cascade',
    }),
    recipientUserId: text('recipient_user_id').notNull(),
    /** Not before this instant. Moved forward to the recipient's working hours, a mute's end, or a retry. */
    dueAt: timestamp('due_at', { withTimezone: true, mode: 'date' }).notNull(),
    state: reminderStateEnum('state').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** One reminder per purpose: a second insert with the same key is a duplicate and is dropped. */
    dedupeKey: text('dedupe_key').notNull(),
    claimedAt: timestamp('claimed_at', { withTimezone: true, mode: 'date' }),
    claimedBy: text('claimed_by'),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    messageChannelId: text('message_channel_id'),
    messageTs: text('message_ts'),
    /**
     * The due time a reminder had before a mute first held it back. Kept so that when the mute ends
     * (or is lifted) the held reminders are released keeping the spacing they were planned with.
     */
    mutedFrom: timestamp('muted_from', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('reminders_dedupe_key_key').on(table.dedupeKey),
    index('reminders_pending_due_idx').on(table.dueAt).where(sql`${table.state} = 'pending'`),
    index('reminders_sending_claimed_idx').on(table.claimedAt).where(sql`${table.state} = 'sending'`),
    // A person's pending reminders, found at once when they mute, leave Slack or are erased.
    index('reminders_pending_recipient_idx').on(table.recipientUserId).where(sql`${table.state} = 'pending'`),
    index('reminders_round_idx').on(table.roundId),
    check('reminders_attempts_not_negative', sql`${table.attempts} >= 0`),
    check('reminders_sent_has_ts', sql`(${table.state} = 'sent') = (${table.sentAt} is not null)`),
  ],
);

/** Per-person preferences: for now, muting the app's reminders until a time. */
export const personSettings = pgTable('person_settings', {
  userId: text('user_id').primaryKey(),
  mutedUntil: timestamp('muted_until', { withTimezone: true, mode: 'date' }),
  /**
   * When they last opened the app's Home. A Home nobody has opened is not republished after changes:
   * opening it publishes it, current.
   */
  homeOpenedAt: timestamp('home_opened_at', { withTimezone: true, mode: 'date' }),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

// ---------------------------------------------------------------------------------------------
// Committees and their weekly digests.

export const committees = pgTable(
  'committees',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    channelId: text('channel_id').notNull(),
    /** Empty means all staff; otherwise the units (as staff typed them, compared case-insensitively). */
    units: text('units').array().notNull().default(sql`'{}'::text[]`),
    /** ISO weekday of the post: 1 = Monday ... 7 = Sunday. */
    weekday: smallint('weekday').notNull().default(1),
    hour: smallint('hour').notNull().default(9),
    timeZone: text('time_zone').notNull().default('UTC'),
    minGroupSize: smallint('min_group_size').notNull().default(3),
    showIndividuals: boolean('show_individuals').notNull().default(false),
    active: boolean('active').notNull().default(true),
    createdByUserId: text('created_by_user_id').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('committees_channel_active_key').on(table.channelId).where(sql`${table.active}`),
    check('committees_weekday_range', sql`${table.weekday} between 1 and 7`),
    check('committees_hour_range', sql`${table.hour} between 0 and 23`),
    check('committees_min_group_size_range', sql`${table.minGroupSize} between 3 and 50`),
  ],
);

export const digestPostStateEnum = pgEnum('digest_post_state', ['sending', 'posted', 'failed']);

/** One row per committee and ISO week: the claim that makes the weekly post happen exactly once. */
export const digestPosts = pgTable(
  'digest_posts',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    committeeId: integer('committee_id')
      .notNull()
      .references(() => committees.id, { onDelete: 'cascade' }),
    /** ISO week of the library's calendar (LIBRARY_TIME_ZONE), e.g. 2026-W47. */
    week: text('week').notNull(),
    state: digestPostStateEnum('state').notNull().default('sending'),
    attempts: integer('attempts').notNull().default(1),
    lastError: text('last_error'),
    claimedAt: timestamp('claimed_at', { withTimezone: true, mode: 'date' }).notNull(),
    claimedBy: text('claimed_by'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
    postedAt: timestamp('posted_at', { withTimezone: true, mode: 'date' }),
    channelId: text('channel_id'),
    messageTs: text('message_ts'),
    adminNotifiedAt: timestamp('admin_notified_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('digest_posts_committee_week_key').on(table.committeeId, table.week),
    check('digest_posts_week_format', sql`${table.week} ~ '^[0-9]{4}-W[0-9]{2}$'`),
  ],
);

export type Reminder = typeof reminders.$inferSelect;
export type NewReminder = typeof reminders.$inferInsert;
export type Committee = typeof committees.$inferSelect;
export type DigestPost = typeof digestPosts.$inferSelect;

// ---------------------------------------------------------------------------------------------
// Action plans: a thread where a gap becomes a plan, with check-ins and a re-measure.

export const planStateEnum = pgEnum('plan_state', ['awaiting_plan', 'active', 'closed']);
export const planOutcomeEnum = pgEnum('plan_outcome', ['improved', 'no_change', 'worse']);

export const actionPlans = pgTable(
  'action_plans',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    staffUserId: text('staff_user_id').notNull(),
    /** Who opened the plan: a manager, or the staff member themselves. */
    managerUserId: text('manager_user_id').notNull(),
    /** The completed round the plan starts from, if there was one. */
    roundId: integer('round_id').references(() => rounds.id),
    channelId: text('channel_id').notNull(),
    /** The parent message: the thread everything else goes into. */
    threadTs: text('thread_ts').notNull(),
    state: planStateEnum('state').notNull().default('awaiting_plan'),
    strengths: text('strengths'),
    improvements: text('improvements'),
    successMeasure: text('success_measure'),
    checkinEveryDays: integer('checkin_every_days'),
    remeasureOn: date('remeasure_on', { mode: 'string' }),
    sharedCustomerAnswers: boolean('shared_customer_answers').notNull().default(false),
    /** The plan as posted in the thread, so step marks can update it. */
    planMessageTs: text('plan_message_ts'),
    remeasureRoundId: integer('remeasure_round_id').references(() => rounds.id),
    outcome: planOutcomeEnum('outcome'),
    outcomeNote: text('outcome_note'),
    sourceViewId: text('source_view_id'),
    createdAt: createdAt(),
    writtenAt: timestamp('written_at', { withTimezone: true, mode: 'date' }),
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    uniqueIndex('action_plans_thread_key').on(table.channelId, table.threadTs),
    uniqueIndex('action_plans_source_view_id_key').on(table.sourceViewId),
    uniqueIndex('action_plans_remeasure_round_key').on(table.remeasureRoundId),
    index('action_plans_staff_idx').on(table.staffUserId),
    index('action_plans_manager_idx').on(table.managerUserId),
    check(
      'action_plans_checkin_range',
      sql`${table.checkinEveryDays} is null or ${table.checkinEveryDays} between 1 and 90`,
    ),
    check(
      'action_plans_closed_has_outcome',
      sql`(${table.state} = 'closed') = (${table.outcome} is not null)`,
    ),
  ],
);

export const planSteps = pgTable(
  'plan_steps',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    planId: integer('plan_id')
      .notNull()
      .references(() => actionPlans.id, { onDelete: 'cascade' }),
    position: smallint('position').notNull(),
    text: text('text').notNull(),
    doneAt: timestamp('done_at', { withTimezone: true, mode: 'date' }),
    doneByUserId: text('done_by_user_id'),
  },
  (table) => [
    uniqueIndex('plan_steps_plan_position_key').on(table.planId, table.position),
    check('plan_steps_text_not_blank', sql`length(trim(${table.text})) > 0`),
  ],
);

export const planNotes = pgTable(
  'plan_notes',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    planId: integer('plan_id')
      .notNull()
      .references(() => actionPlans.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    /** Null once erased. */
    text: text('text'),
    sourceViewId: text('source_view_id').notNull(),
    createdAt: createdAt(),
    erasedAt: timestamp('erased_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    uniqueIndex('plan_notes_source_view_id_key').on(table.sourceViewId),
    index('plan_notes_plan_idx').on(table.planId),
  ],
);

export type ActionPlan = typeof actionPlans.$inferSelect;
export type PlanStep = typeof planSteps.$inferSelect;

// ---------------------------------------------------------------------------------------------
// The app's standing with the workspace: installed, or uninstalled / its token revoked.

export const installationStateEnum = pgEnum('installation_state', ['active', 'paused']);

/**
 * One row (id 1): whether the bot token works. Slack's `app_uninstalled` and `tokens_revoked`
 * events, or an auth error from any Web API call, set it to paused; scheduled sends then wait
 * instead of failing, and /healthz reports it. A working token (auth.test) sets it active again.
 */
export const slackInstallation = pgTable(
  'slack_installation',
  {
    id: smallint('id').primaryKey().default(1),
    state: installationStateEnum('state').notNull().default('active'),
    /** Why it is paused: `app_uninstalled`, `tokens_revoked`, or the Web API's error code. */
    reason: text('reason'),
    pausedAt: timestamp('paused_at', { withTimezone: true, mode: 'date' }),
    resumedAt: timestamp('resumed_at', { withTimezone: true, mode: 'date' }),
    checkedAt: timestamp('checked_at', { withTimezone: true, mode: 'date' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [check('slack_installation_single_row', sql`${table.id} = 1`)],
);

/** Events API deliveries already handled, by Slack's event_id: a retry of one is answered, not redone. */
export const slackEvents = pgTable(
  'slack_events',
  {
    eventId: text('event_id').primaryKey(),
    type: text('type').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (table) => [index('slack_events_received_idx').on(table.receivedAt)],
);

export type SlackInstallation = typeof slackInstallation.$inferSelect;

export const erasureKindEnum = pgEnum('erasure_kind', ['person', 'outside_customer', 'retention']);

/**
 * A record that an erasure happened: what kind, who ran it, when, and how many rows of each table
 * it changed. Never what was erased, nor whose it was (the record would otherwise keep the identity
 * it removed).
 */
export const erasures = pgTable('erasures', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  kind: erasureKindEnum('kind').notNull(),
  /** The operator's login for a CLI request, `retention` for the daily job. */
  requestedBy: text('requested_by').notNull(),
  /** Rows changed per table, e.g. {"rounds": 3, "round_responses": 2}. */
  changed: jsonb('changed').$type<Record<string, number>>().notNull(),
  createdAt: createdAt(),
});

export type Erasure = typeof erasures.$inferSelect;

// ---------------------------------------------------------------------------------------------
// Service points: a desk or a place where walk-up patrons answer on a web page, from a poster's QR code.

/**
 * A service point. Its link's token is derived from LINK_SECRET and `link_salt` (so the poster can be
 * printed again with the same link) and only its SHA-256 is kept. Retired points keep their answers
 * and their figures; their link stops working.
 */
export const servicePoints = pgTable(
  'service_points',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    /** Lower-cased, space-collapsed name: two active points may not share one. */
    nameKey: text('name_key').notNull(),
    /** The unit whose figures the point's answers stand beside (as staff type it, compared case-insensitively). */
    unit: text('unit').notNull(),
    /** Who gets the weekly DM with patrons' written answers: the admin who added it, or a unit lead. */
    ownerUserId: text('owner_user_id').notNull(),
    createdByUserId: text('created_by_user_id').notNull(),
    linkSalt: text('link_salt').notNull(),
    tokenHash: text('token_hash').notNull(),
    retiredAt: timestamp('retired_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('service_points_token_hash_key').on(table.tokenHash),
    uniqueIndex('service_points_active_name_key').on(table.nameKey).where(sql`${table.retiredAt} is null`),
    check('service_points_name_not_blank', sql`length(trim(${table.name})) > 0`),
    check('service_points_unit_not_blank', sql`length(trim(${table.unit})) > 0`),
    check('service_points_token_hash_shape', sql`${table.tokenHash} ~ '^[0-9a-f]{64}$'`),
  ],
);

/**
 * One walk-up patron's answer at a service point: no name, no contact, no address. Answers that
 * look like spam (the honeypot field filled in) are kept, flagged and counted, but left out of
 * every figure.
 */
export const walkUpAnswers = pgTable(
  'walk_up_answers',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    servicePointId: integer('service_point_id')
      .notNull()
      .references(() => servicePoints.id, { onDelete: 'cascade' }),
    /** How was the service you got today (1-10). */
    experience: smallint('experience').notNull(),
    /** What level of service did you expect (1-10). */
    expectation: smallint('expectation').notNull(),
    // The written answers are null once erased (retention); the scores stay.
    doBetter: text('do_better'),
    noLongerNeed: text('no_longer_need'),
    /** The page's language the patron answered in, e.g. `en`, `es`. */
    language: text('language').notNull(),
    suspectedSpam: boolean('suspected_spam').notNull().default(false),
    erasedAt: timestamp('erased_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (table) => [
    check('walk_up_answers_experience_range', sql`${table.experience} between 1 and 10`),
    check('walk_up_answers_expectation_range', sql`${table.expectation} between 1 and 10`),
    index('walk_up_answers_point_created_idx').on(table.servicePointId, table.createdAt),
    index('walk_up_answers_created_idx').on(table.createdAt),
    // The retention job's daily look for words past their time reads only answers not yet erased.
    index('walk_up_answers_unerased_created_idx').on(table.createdAt).where(sql`${table.erasedAt} is null`),
  ],
);

export type ServicePoint = typeof servicePoints.$inferSelect;
export type WalkUpAnswer = typeof walkUpAnswers.$inferSelect;

/**
 * What a staff member does well and thinks others should know (the handbook's step 3), in their own
 * words, shared by their choice. The unit is the author's at the time, so a later move of unit does
 * not move what they shared. Withdrawn ones stay as rows until erased, shown nowhere.
 */
export const bestPractices = pgTable(
  'best_practices',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    authorUserId: text('author_user_id').notNull(),
    unit: text('unit').notNull(),
    service: text('service').notNull(),
    whatYouDo: text('what_you_do').notNull(),
    whyItWorks: text('why_it_works').notNull(),
    /** The modal's view id: the same form submitted twice stores one practice. */
    sourceViewId: text('source_view_id').notNull(),
    createdAt: createdAt(),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    uniqueIndex('best_practices_source_view_id_key').on(table.sourceViewId),
    // The Home's "recent in your unit" and the digest's week, units compared case-insensitively.
    index('best_practices_unit_created_idx').on(sql`lower(${table.unit})`, table.createdAt),
    index('best_practices_author_idx').on(table.authorUserId),
    check('best_practices_unit_not_blank', sql`length(trim(${table.unit})) > 0`),
  ],
);

export type BestPractice = typeof bestPractices.$inferSelect;

/**
 * The picture last uploaded for a person's Home (their customers' circles), by what it shows: a
 * republish with the same picture reuses the uploaded file instead of uploading it again.
 */
export const homePictures = pgTable('home_pictures', {
  userId: text('user_id').primaryKey(),
  /** A hash of what the picture shows (its layout), not of its bytes. */
  pictureHash: text('picture_hash').notNull(),
  fileId: text('file_id').notNull(),
  /** Where the person can open or download the file, when Slack said. */
  permalink: text('permalink'),
  uploadedAt: timestamp('uploaded_at', { withTimezone: true, mode: 'date' }).notNull(),
});

export type HomePicture = typeof homePictures.$inferSelect;

// ---------------------------------------------------------------------------------------------
// The audit log: what was done with the library's data, and by whom.

/**
 * What the audit log records. Committee subscriptions and their settings (who decides what a
 * channel sees), exports (data leaving the app), erasures, and the backups, restores and copies
 * that move the whole database.
 */
export const AUDIT_KINDS = [
  'committee_subscribed',
  'committee_settings_changed',
  'committee_unsubscribed',
  'digest_exported',
  'history_exported',
  'erasure',
  'backup',
  'restore',
  'copy',
] as const;

export type AuditKind = (typeof AUDIT_KINDS)[number];

/**
 * One thing done with the library's data: what kind, who did it, when, what it was done to, how many
 * rows. Never anyone's words: `subject` is a channel id or a file's name, and `detail` holds settings,
 * date ranges and row counts. A forgotten person's id becomes their pseudonym here as everywhere.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    kind: text('kind').$type<AuditKind>().notNull(),
    /** A Slack user id, `cli:<login>` for an operator at the command line, or `scheduler`. */
    actor: text('actor').notNull(),
    /** What it was done to: a committee channel, a backup file; null when the kind says it all. */
    subject: text('subject'),
    /** How many rows it exported, erased, backed up, restored or copied. */
    rows: integer('rows'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (table) => [
    index('audit_log_created_idx').on(table.createdAt),
    index('audit_log_actor_idx').on(table.actor),
  ],
);

export type AuditEntry = typeof auditLog.$inferSelect;
