import type { Logger } from '../logger.js';

/** Why a request was turned away before any of the app's work began. */
export type RefusalReason =
  | 'not_found'
  | 'method_not_allowed'
  | 'bad_request_target'
  | 'malformed_request'
  | 'headers_too_large'
  | 'request_timeout'
  | 'length_required'
  | 'body_too_large'
  | 'stale_timestamp'
  | 'bad_signature';

export interface RefusalLog {
  /** Counts one refusal; only the first of a quiet spell is logged on its own line. */
  refused(reason: RefusalReason): void;
  /** Logs what is counted and not yet logged (at shutdown). */
  flush(): void;
}

/** One summary line per interval at most, however many refusals arrive in it. */
export const REFUSAL_SUMMARY_INTERVAL_MS = 60_000;

/**
 * Anyone who can reach the port can send requests that are refused. Logging each would let them
 * fill the disk and bury what matters, so the first refusal after a quiet interval gets a line
 * (an operator sees at once that something is knocking), and the rest are counted by reason and
 * logged as one summary line per interval. The lines carry reasons and counts only: never a path,
 * header or body, which a stranger chose.
 */
export function createRefusalLog({
  logger,
  intervalMs = REFUSAL_SUMMARY_INTERVAL_MS,
}: {
  logger: Logger;
  intervalMs?: number;
}): RefusalLog {
  let counts = new Map<RefusalReason, number>();
  let timer: NodeJS.Timeout | undefined;

  const summarise = () => {
    if (counts.size === 0) {
      // A quiet interval: the next refusal is news again and gets its own line.
      if (timer) clearInterval(timer);
      timer = undefined;
      return;
    }
    const refused = Object.fromEntries(counts);
    const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
    counts = new Map();
    logger.warn(
      { refused, total, intervalSeconds: intervalMs / 1000 },
      'refused requests in the last interval',
    );
  };

  return {
    refused(reason) {
      if (!timer) {
        logger.warn({ refusal: reason }, 'refused a request; further refusals are counted and summarised');
        timer = setInterval(summarise, intervalMs);
        timer.unref();
        return;
      }
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
    },
    flush() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (counts.size > 0) {
        const refused = Object.fromEntries(counts);
        counts = new Map();
        logger.warn({ refused }, 'refused requests since the last summary');
      }
    },
  };
}
