import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import { type LogFn, type Logger, pino } from 'pino';

export type { Logger };

/**
 * Logs carry ids and codes, never people's words or secrets, at every level. Three things hold that:
 *
 * - Secrets are redacted by key, and token-shaped strings are masked in what Bolt logs.
 * - Errors are logged through one serializer (serializeError) that keeps codes, names and stack
 *   frames, never a message: a database error's message and detail quote the row, drizzle's
 *   "Failed query" message lists every parameter, and a Web API error holds Slack's reply.
 * - Bolt's and the Slack SDK's own lines (toBoltLogger) lose the request and response bodies they
 *   print at debug level, and keep only the description before any detail.
 *
 * A log call's message is a fixed string: printf-style arguments after it are dropped, and an error
 * logged without a message gets a generic one rather than its own.
 */
const REDACT = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'password',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.password',
  'headers.authorization',
  'headers["x-slack-signature"]',
  '*.headers.authorization',
  '*.headers["x-slack-signature"]',
  'config.SLACK_BOT_TOKEN',
  'config.SLACK_SIGNING_SECRET',
  'config.SLACK_APP_TOKEN',
  'config.DATABASE_URL',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: 'service-radar' },
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { err: serializeError },
      hooks: { logMethod: fixedMessage },
    },
    destination as pino.DestinationStream | undefined,
  );
}

function fixedMessage(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const [first, second] = args as unknown[];
  const message = typeof second === 'string' ? second : undefined;
  if (first instanceof Error) {
    method.call(this, { err: first }, message ?? 'error');
  } else if (first !== null && typeof first === 'object') {
    const msg = message ?? ('err' in first ? 'error' : undefined);
    if (msg === undefined) method.call(this, first);
    else method.call(this, first, msg);
  } else if (typeof first === 'string') {
    method.call(this, first);
  } else {
    method.call(this, { value: typeof first }, message ?? 'value');
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

/** What an error may say in the log: identifiers and numbers, never prose. */
export interface LoggedError {
  type: string;
  /** SQLSTATE, a Node or driver code (ECONNRESET, CONNECTION_CLOSED), or an SDK's error code. */
  code?: string;
  /** PostgreSQL's names for what the statement hit, where the driver gives them. */
  constraint?: string;
  table?: string;
  column?: string;
  schema?: string;
  dataType?: string;
  severity?: string;
  routine?: string;
  syscall?: string;
  /** Slack's error code in a Web API answer (`user_not_found`), its HTTP status, its Retry-After. */
  slackError?: string;
  status?: number;
  retryAfter?: number;
  /** Stack frames without the message line. */
  stack?: string[];
  cause?: LoggedError;
  /** What Bolt and the Web API client wrap: the error underneath. */
  original?: LoggedError;
  errors?: LoggedError[];
}

const IDENTIFIER = /^[A-Za-z0-9_.:$-]{1,80}$/;
const TYPE_NAME = /^[A-Za-z_$][\w$]{0,79}$/;
const MAX_DEPTH = 4;
const MAX_FRAMES = 12;

/** Each logged field and where to find it: postgres.js names, then PGlite's (node-postgres) names. */
const NAMED_FIELDS: [keyof LoggedError, string[]][] = [
  ['code', ['code']],
  ['constraint', ['constraint_name', 'constraint']],
  ['table', ['table_name', 'table']],
  ['column', ['column_name', 'column']],
  ['schema', ['schema_name', 'schema']],
  ['dataType', ['data_type_name', 'dataType']],
  ['severity', ['severity']],
  ['routine', ['routine']],
  ['syscall', ['syscall']],
];

/**
 * The one serializer for errors in the log (pino's `err`). It keeps the error's class, its codes
 * and the names PostgreSQL gives (constraint, table, column), Slack's error code, and the stack
 * frames; it follows `cause` and the SDKs' `original`. It never keeps a message, a detail, a query's
 * parameters or a response body, and for a value that is not an object only its type.
 */
export function serializeError(value: unknown): LoggedError {
  return describeError(value, 0);
}

function describeError(value: unknown, depth: number): LoggedError {
  if (value === null || typeof value !== 'object') return { type: value === null ? 'null' : typeof value };
  const source = value as Record<string, unknown>;
  const logged: LoggedError = { type: typeName(value) };
  const fields = logged as unknown as Record<string, unknown>;
  for (const [field, keys] of NAMED_FIELDS) {
    for (const key of keys) {
      const found = source[key];
      if (typeof found === 'string' && IDENTIFIER.test(found)) {
        fields[field] = found;
        break;
      }
    }
  }
  const data = source.data as { error?: unknown } | undefined;
  if (data && typeof data === 'object' && typeof data.error === 'string' && IDENTIFIER.test(data.error))
    logged.slackError = data.error;
  if (typeof source.statusCode === 'number') logged.status = source.statusCode;
  if (typeof source.retryAfter === 'number') logged.retryAfter = source.retryAfter;
  const stack = stackFrames(source);
  if (stack.length > 0) logged.stack = stack;
  if (depth < MAX_DEPTH) {
    if (source.cause !== undefined) logged.cause = describeError(source.cause, depth + 1);
    if (source.original !== undefined) logged.original = describeError(source.original, depth + 1);
    if (Array.isArray(source.errors) && source.errors.length > 0)
      logged.errors = source.errors.slice(0, 3).map((inner) => describeError(inner, depth + 1));
  }
  return logged;
}

/**
 * The error's class (DrizzleQueryError, PostgresError) or, for a plain Error, its name. Minified
 * classes (PGlite's are one letter) and generic names say nothing, so they fall back to 'Error'.
 */
function typeName(value: object): string {
  const candidates = [value.constructor?.name, (value as { name?: unknown }).name];
  const telling = candidates.find(
    (name): name is string =>
      typeof name === 'string' && name.length > 2 && TYPE_NAME.test(name) && !GENERIC_NAMES.has(name),
  );
  return telling ?? (value instanceof Error ? 'Error' : 'Object');
}

const GENERIC_NAMES = new Set(['Error', 'error', 'Object']);

/**
 * The frames after the message. The message is cut by its text, not by looking for "at" lines: a
 * message may itself hold lines that look like frames (drizzle's parameters are people's answers).
 * When the stack does not start with the message as expected, no frame is kept.
 */
function stackFrames(source: Record<string, unknown>): string[] {
  const { stack, message } = source;
  if (typeof stack !== 'string') return [];
  const text = typeof message === 'string' ? message : '';
  const at = text === '' ? 0 : stack.indexOf(text);
  const firstLineEnd = stack.indexOf('\n');
  if (at < 0 || (firstLineEnd >= 0 && at > firstLineEnd)) return [];
  return stack
    .slice(at + text.length)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^at \S/.test(line) && line.length <= 300)
    .slice(0, MAX_FRAMES);
}

// ---------------------------------------------------------------------------------------------
// Bolt and the Slack SDK

/** Known secret values are masked wherever they appear in a logged string (Bolt logs free text). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 8) masked = masked.split(secret).join('[redacted]');
  }
  return masked
    .replace(/xox[abprs]-[A-Za-z0-9-]+/g, 'xox?-[redacted]')
    .replace(/xapp-[A-Za-z0-9-]+/g, 'xapp-[redacted]');
}

/**
 * Lines Bolt and the SDK write that are nothing but a payload: the Web API client's request body,
 * headers and Slack's whole answer (message text, users' names); Bolt's "Error details" (an error's
 * message, after a line that already said what failed); and developer mode's request bodies.
 */
const PAYLOAD_LINES = [/^http request (?:body|headers|result)\b/, /^Error details\b/, /^\s*[[{]/];
const MAX_SDK_LINE = 200;

/**
 * What may be logged of one of Bolt's or the SDK's lines, or undefined to drop it. They interpolate
 * payloads after a description ("ack() response sent (body: {...})", "Received a message on the
 * WebSocket: {...}"): only the description before the first ": " (or a parenthesis left open by
 * that cut) is kept, up to one line.
 */
export function reduceSdkLine(line: string): string | undefined {
  if (PAYLOAD_LINES.some((pattern) => pattern.test(line))) return undefined;
  const head = (line.split(/: |\n/, 1)[0] ?? '').replace(/\s*\([^)]*$/, '').trim();
  if (head === '') return undefined;
  return head.length > MAX_SDK_LINE ? `${head.slice(0, MAX_SDK_LINE)}…` : head;
}

const boltLevels: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

/**
 * Bolt and the Slack SDK log through this adapter. Their first string is reduced by reduceSdkLine;
 * an error among the arguments goes through serializeError; any other argument is left out.
 */
export function toBoltLogger(logger: Logger, secrets: readonly string[]): BoltLogger {
  let child = logger.child({ component: 'bolt' });
  const emit = (level: 'debug' | 'info' | 'warn' | 'error', parts: unknown[]) => {
    const error = parts.find((part) => part instanceof Error);
    const first = parts[0];
    const line = typeof first === 'string' ? reduceSdkLine(first) : undefined;
    if (line === undefined && error === undefined) return;
    const message = maskSecrets(line ?? 'error', secrets);
    if (error) child[level]({ err: error }, message);
    else child[level](message);
  };
  return {
    debug: (...parts) => emit('debug', parts),
    info: (...parts) => emit('info', parts),
    warn: (...parts) => emit('warn', parts),
    error: (...parts) => emit('error', parts),
    setLevel: () => {
      // The level is set once from LOG_LEVEL; Bolt's own default would otherwise override it.
    },
    getLevel: () => boltLevels[logger.level] ?? LogLevel.INFO,
    setName: (name) => {
      child = logger.child({ component: name });
    },
  };
}
