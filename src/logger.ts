import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Secrets never reach the logs: anything that looks like a token, secret or signature is redacted
 * by key, and request bodies are never logged (listeners log ids and error codes, not payloads).
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
    { level, base: { app: 'service-radar' }, redact: { paths: REDACT, censor: '[redacted]' } },
    destination as pino.DestinationStream | undefined,
  );
}

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

const boltLevels: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

/** Bolt and the Slack SDK log through this adapter, so their lines get the same redaction. */
export function toBoltLogger(logger: Logger, secrets: readonly string[]): BoltLogger {
  const line = (parts: unknown[]) =>
    maskSecrets(
      parts.map((part) => (typeof part === 'string' ? part : safeStringify(part))).join(' '),
      secrets,
    );
  let child = logger.child({ component: 'bolt' });
  return {
    debug: (...parts) => child.debug(line(parts)),
    info: (...parts) => child.info(line(parts)),
    warn: (...parts) => child.warn(line(parts)),
    error: (...parts) => child.error(line(parts)),
    setLevel: () => {
      // The level is set once from LOG_LEVEL; Bolt's own default would otherwise override it.
    },
    getLevel: () => boltLevels[logger.level] ?? LogLevel.INFO,
    setName: (name) => {
      child = logger.child({ component: name });
    },
  };
}

function safeStringify(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
