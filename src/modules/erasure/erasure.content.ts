/**
 * What an erased field holds instead of people's words. Columns that may be null become null; the
 * few that may not (a round's customer name and service, a plan step) hold this one neutral word,
 * which names nobody.
 */
export const ERASED_TEXT = '(erased)';

/**
 * The answer to "Am I providing anything you no longer need?" is erased like the others, but the
 * digest counts the rounds whose customer named something (never what). An answer that named
 * something keeps ERASED_TEXT, which names nothing and still counts; one that named nothing becomes
 * null, which does not count. So the count of a past week stays what it was.
 */
export const ERASED_NAMED_ANSWER = ERASED_TEXT;

/**
 * How a forgotten person's pseudonym starts (`forgotten-<random>`). Never a Slack user id, which
 * starts with U or W: nothing is ever sent to it, and the cadence invitation leaves it out.
 */
export const FORGOTTEN_USER_PREFIX = 'forgotten-';

/** How a forgotten customer's key starts (`forgotten:<random>`), in place of `slack:` or `name:`. */
export const FORGOTTEN_CUSTOMER_PREFIX = 'forgotten:';

/** Why a reminder was cancelled by an erasure, in `reminders.last_error` (a code, never a person). */
export const FORGOTTEN_REASON = 'person_forgotten';

/** Every table an erasure may change, in the order reports list them. */
export const ERASURE_TABLES = [
  'rounds',
  'round_responses',
  'reminders',
  'action_plans',
  'plan_steps',
  'plan_notes',
  'committees',
  'staff_profiles',
  'person_settings',
  'slack_users',
  'home_pictures',
  'service_points',
  'walk_up_answers',
  'best_practices',
  'audit_log',
] as const;

export type ErasureTable = (typeof ERASURE_TABLES)[number];

/** Rows changed (or, in a dry run, that would change) per table. Never which rows, nor whose. */
export type ChangedRows = Record<ErasureTable, number>;

export const totalChanged = (changed: ChangedRows): number =>
  Object.values(changed).reduce((sum, count) => sum + count, 0);
