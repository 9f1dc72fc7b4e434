/**
 * How many walk-up answers one address may send in an hour, kept in this process's memory: a
 * restart forgets it, and several copies each count their own (the limit contains a script at one
 * desk, it is not an accounting). The table is bounded so a flood of addresses cannot grow it.
 */
export interface RateLimit {
  /** Counts one attempt; false when the address is over its limit (the attempt is not counted). */
  take(address: string, now: number): boolean;
}

export const RATE_WINDOW_MS = 60 * 60 * 1000;
const MAX_ADDRESSES = 50_000;

export function createRateLimit({
  perHour,
  windowMs = RATE_WINDOW_MS,
}: {
  perHour: number;
  windowMs?: number;
}): RateLimit {
  const seen = new Map<string, number[]>();
  return {
    take(address, now) {
      const since = now - windowMs;
      const times = (seen.get(address) ?? []).filter((at) => at > since);
      if (times.length >= perHour) {
        seen.set(address, times);
        return false;
      }
      times.push(now);
      // Re-inserted so the map's order is least recently used first.
      seen.delete(address);
      seen.set(address, times);
      if (seen.size > MAX_ADDRESSES) {
        const oldest = seen.keys().next().value;
        if (oldest !== undefined) seen.delete(oldest);
      }
      return true;
    },
  };
}
