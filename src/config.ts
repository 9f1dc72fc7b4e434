import cron from 'node-cron';
import { z } from 'zod';
import { isValidTimeZone, parseClock } from './lib/calendar.js';

/**
 * The embedded database's shared buffers when PGLITE_SHARED_BUFFERS is not set. PostgreSQL's own
 * default, 128MB, is held in the app's memory from the first query on; the folder's pages are in
 * the operating system's file cache as well, so a small one costs little speed.
 */
export const DEFAULT_PGLITE_SHARED_BUFFERS = '16MB';

/**
 * The whole environment the app reads, in one schema. Every key names its environment variable,
 * says what it is for (`.describe`) and has a default where one makes sense. `.env.example`
 * documents the same keys; a test keeps the two in step.
 */

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const slackToken = (prefix: string, what: string) =>
  z
    .string()
    .trim()
    .refine((value) => value.startsWith(prefix), {
      message: `must be ${what}, starting with "${prefix}"`,
    });

/** A comma- or space-separated list of Slack user ids; empty by default. */
const userIdList = () =>
  z
    .string()
    .trim()
    .default('')
    .transform((value) => value.split(/[\s,]+/).filter(Boolean))
    .pipe(
      z.array(
        z.string().regex(/^[UW][A-Z0-9]{2,}$/, { message: 'must list Slack user ids such as U0123ABCD' }),
      ),
    );

/** The zone this machine runs in, for LIBRARY_TIME_ZONE's default. */
export function serverTimeZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && isValidTimeZone(zone) ? zone : 'UTC';
}

const METRICS_PORT_MESSAGE = 'must be a port number (1-65535; 0 picks a free one), or empty for no metrics';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const configShape = z.object({
  SLACK_BOT_TOKEN: slackToken('xoxb-', "the app's Bot User OAuth Token (OAuth & Permissions page)").describe(
    'Bot User OAuth Token from the Slack app settings (OAuth & Permissions).',
  ),
  SLACK_SIGNING_SECRET: optionalString.describe(
    'Signing Secret (Basic Information page). Required in HTTP mode, which is the default.',
  ),
  SLACK_APP_TOKEN: optionalString
    .pipe(slackToken('xapp-', 'an app-level token with the connections:write scope').optional())
    .describe('App-level token. When set, the app connects over Socket Mode instead of HTTP.'),
  SLACK_API_URL: optionalString
    .pipe(z.url({ message: 'must be a URL such as https://slack.com/api/' }).optional())
    .describe('Web API base URL. Leave unset for Slack itself; set it for a proxy or a local stand-in.'),
  SLACK_API_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(60_000)
    .default(10_000)
    .describe('Longest a single Web API call may take before it is abandoned, in milliseconds.'),
  PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65_535)
    .default(3000)
    .describe('HTTP port for /slack/events and /healthz.'),
  METRICS_PORT: optionalString
    .pipe(
      z
        .string()
        .regex(/^\d{1,5}$/, { message: METRICS_PORT_MESSAGE })
        .transform(Number)
        .pipe(z.number().max(65_535, { message: METRICS_PORT_MESSAGE }))
        .optional(),
    )
    .describe(
      'Port of a separate HTTP server answering GET /metrics (Prometheus). Unset: no metrics are served. Keep it off the internet.',
    ),
  DATABASE_URL: optionalString
    .pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// or postgresql:// URL' })
        .optional(),
    )
    .describe('PostgreSQL connection URL. Unset means the embedded database (PGlite) in PGLITE_DIR.'),
  DATABASE_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(10)
    .describe('Most connections this copy of the app opens to PostgreSQL.'),
  PGLITE_DIR: z.string().trim().min(1).default('./data').describe('Folder of the embedded database.'),
  PGLITE_SHARED_BUFFERS: z
    .string()
    .trim()
    .regex(/^[1-9]\d{0,5}(kB|MB|GB)$/, { message: 'must be a size such as 16MB, 512kB or 1GB' })
    .default(DEFAULT_PGLITE_SHARED_BUFFERS)
    .describe("The embedded database's shared buffers: its page cache, held in memory all the time."),
  LOG_LEVEL: z
    .enum(logLevels)
    .default('info')
    .describe(`Log level: ${logLevels.join(', ')}.`),
  ADMIN_USER_IDS: userIdList().describe(
    'Slack user ids, comma-separated, allowed to administer committees besides workspace admins and owners.',
  ),
  MANAGER_USERGROUP: optionalString
    .pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,80}$/, {
          message: 'must be a user group id such as S0123ABCD, or its handle',
        })
        .optional(),
    )
    .describe(
      'Slack user group whose members are managers (may open action plans for others): its id (S...) or handle.',
    ),
  MANAGER_USER_IDS: userIdList().describe(
    'Slack user ids, comma-separated, who are managers besides workspace admins, owners and the group.',
  ),
  LIBRARY_TIME_ZONE: optionalString
    .transform((value) => value ?? serverTimeZone())
    .pipe(
      z.string().refine(isValidTimeZone, {
        message: 'must be an IANA time zone such as Europe/London or America/Chicago',
      }),
    )
    .describe(
      "The library's own time zone (IANA name): digest figures are for weeks, Monday to Sunday, cut here for every committee. Default: this server's zone.",
    ),
  SCHEDULER_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true')
    .describe('Whether this copy runs the scheduler (reminders, digests). Safe to run in several copies.'),
  SCHEDULER_CRON: z
    .string()
    .trim()
    .default('* * * * *')
    .refine((value) => cron.validate(value), { message: 'must be a cron expression such as "* * * * *"' })
    .describe(
      'How often the scheduler ticks (node-cron syntax). Each tick does whatever the database says is due.',
    ),
  WORKDAY_START: z
    .string()
    .trim()
    .default('09:00')
    .refine((value) => parseClock(value) !== undefined, { message: 'must be a time such as 09:00' })
    .describe(
      "Start of working hours (HH:MM), in each person's own Slack time zone. No reminder arrives earlier.",
    ),
  WORKDAY_END: z
    .string()
    .trim()
    .default('17:00')
    .refine((value) => parseClock(value) !== undefined, { message: 'must be a time such as 17:00' })
    .describe('End of working hours (HH:MM). No reminder arrives at or after it.'),
  WORKDAYS: z
    .string()
    .trim()
    .default('1,2,3,4,5')
    .transform((value) =>
      value
        .split(/[\s,]+/)
        .filter(Boolean)
        .map(Number),
    )
    .pipe(z.array(z.number().int().min(1).max(7)).min(1, { message: 'must list at least one day' }))
    .describe('Working days as ISO weekday numbers (1 = Monday ... 7 = Sunday), comma-separated.'),
  CLOSURE_DATES: z
    .string()
    .trim()
    .default('')
    .transform((value) => value.split(/[\s,]+/).filter(Boolean))
    .pipe(z.array(z.iso.date({ message: 'must list dates such as 2026-12-25' })))
    .describe('Dates (YYYY-MM-DD, comma-separated) when the library is closed: no reminders arrive on them.'),
  CUSTOMER_NUDGE_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(60)
    .default(4)
    .describe('Days between the request to a customer and each of the (at most two) gentle nudges.'),
  ROUND_EXPIRY_DAYS: z.coerce
    .number()
    .int()
    .min(2)
    .max(365)
    .default(21)
    .describe('Days after which a round with no customer response expires.'),
  CADENCE_DAYS: z.coerce
    .number()
    .int()
    .min(7)
    .max(730)
    .default(90)
    .describe(
      'A staff member whose last round is older than this many days is invited once to start a new one.',
    ),
  SNOOZE_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30)
    .default(2)
    .describe('How long "Snooze" puts off an interview reminder, in days.'),
  MUTE_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .default(14)
    .describe('How long the "Mute reminders" button mutes them, in days.'),
  REMINDER_BATCH_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(50)
    .describe('Reminders one copy claims at a time.'),
  REMINDER_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(4)
    .describe('Reminders one copy sends at once.'),
  REMINDER_LEASE_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(3600)
    .default(120)
    .describe(
      'A claimed reminder not marked sent after this long is checked against Slack and sent if it never arrived.',
    ),
  REMINDER_MAX_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(5)
    .describe('Attempts before a reminder is marked failed.'),
  TICK_BUDGET_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(600_000)
    .default(50_000)
    .describe('How long one tick keeps sending before leaving the rest to the next tick, in milliseconds.'),
  RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(30, {
      message: 'must be at least 30 (days): shorter would erase answers before anyone can act on them',
    })
    .max(3650)
    .default(730)
    .describe(
      "Days after a round is completed or closed before customers' written answers, their names and staff notes are erased (whole weeks at a time); scores stay.",
    ),
  LIBRARY_NAME: z
    .string()
    .trim()
    .min(1)
    .max(80, { message: 'must be at most 80 characters' })
    .default('The library')
    .describe("The library's name, as patrons see it on the web pages and the service points' posters."),
  PUBLIC_URL: optionalString
    .pipe(
      z
        .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://radar.example.org' })
        .refine((value) => !/[?#]/.test(value), { message: 'must not have a query or fragment' })
        .transform((value) => value.replace(/\/+$/, ''))
        .optional(),
    )
    .describe(
      "Where patrons reach the app's web pages (links and posters' QR codes), e.g. https://radar.example.org. Required to make a link.",
    ),
  LINK_SECRET: optionalString
    .pipe(z.string().min(32, { message: 'must be at least 32 characters (openssl rand -hex 32)' }).optional())
    .describe(
      "Key of the service points' links and the pages' form tokens (openssl rand -hex 32). Required with PUBLIC_URL; changing it changes every service point's link.",
    ),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe(
      "Whether the patron pages sit behind a reverse proxy whose X-Forwarded-For names the patron's address (for the rate limit).",
    ),
  WALK_UP_ANSWERS_PER_HOUR: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(30)
    .describe(
      'Walk-up answers one address may send in an hour, all service points together; more are refused.',
    ),
  BACKUP_DIR: optionalString.describe(
    'A folder where the scheduler writes a backup of the database every day (db backup format); unset, it writes none.',
  ),
  BACKUP_KEEP: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(14)
    .describe('How many of the daily backups in BACKUP_DIR are kept; older ones are deleted.'),
  SHUTDOWN_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(8_000)
    .describe('On SIGTERM/SIGINT, how long to wait for in-flight work before closing anyway.'),
});

const SIGNING_SECRET_MISSING =
  'is required in HTTP mode: copy the Signing Secret from the Basic Information page, or set SLACK_APP_TOKEN to use Socket Mode';

const isBlank = (value: unknown) => typeof value !== 'string' || value.trim() === '';

export const configSchema = configShape.superRefine((config, ctx) => {
  if ((parseClock(config.WORKDAY_START) ?? 0) >= (parseClock(config.WORKDAY_END) ?? 0)) {
    ctx.addIssue({ code: 'custom', path: ['WORKDAY_END'], message: 'must be later than WORKDAY_START' });
  }
  if (!config.SLACK_APP_TOKEN && !config.SLACK_SIGNING_SECRET) {
    ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: SIGNING_SECRET_MISSING });
  }
  if (config.PUBLIC_URL && !config.LINK_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['LINK_SECRET'],
      message: 'is required with PUBLIC_URL: make one with openssl rand -hex 32',
    });
  }
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  readonly code = 'service_radar_config_error';
  constructor(readonly problems: string[]) {
    super(`The configuration is not valid:\n${problems.map((line) => `  - ${line}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once. Errors name each variable and say what to do; values never appear. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || 'environment';
    const message =
      issue.code === 'invalid_type' && issue.input === undefined
        ? 'is required (see .env.example)'
        : issue.message;
    return `${name} ${message}`;
  });
  // zod skips the cross-field rule while other fields are wrong; report it anyway, so one run shows all.
  if (
    isBlank(env.SLACK_APP_TOKEN) &&
    isBlank(env.SLACK_SIGNING_SECRET) &&
    !problems.some((p) => p.startsWith('SLACK_SIGNING_SECRET'))
  ) {
    problems.push(`SLACK_SIGNING_SECRET ${SIGNING_SECRET_MISSING}`);
  }
  throw new ConfigError(problems);
}

/** Names of every variable the schema reads, for documentation checks. */
export const configKeys = Object.keys(configShape.shape) as (keyof Config)[];

/** The part of the configuration the operator CLI needs: just the database. */
export const databaseConfigSchema = configShape.pick({
  DATABASE_URL: true,
  PGLITE_DIR: true,
  PGLITE_SHARED_BUFFERS: true,
  DATABASE_POOL_SIZE: true,
});
export type DatabaseConfig = z.infer<typeof databaseConfigSchema>;

/** What `digest show` needs besides the database: the library's calendar. */
export const digestConfigSchema = configShape.pick({ LIBRARY_TIME_ZONE: true });
export type DigestConfig = z.infer<typeof digestConfigSchema>;

export function loadDigestConfig(env: NodeJS.ProcessEnv = process.env): DigestConfig {
  const result = digestConfigSchema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
}

export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const result = databaseConfigSchema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
}
