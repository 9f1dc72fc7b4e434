/**
 * Runs a job per key at most once per window: the first call runs it after `settleMs`, calls within
 * the window after a run are folded into one run at the window's end. Timers are unref'd, so a pending run
 * never keeps the process alive; `stop` drops pending runs (the next call starts afresh).
 */
export interface Coalescer {
  /** Run soon: now if the key has not run within the window, else once at the window's end. */
  soon(key: string): void;
  /** Run now, whatever the window says (a person opened their Home and should see it current). */
  now(key: string): Promise<void>;
  /** Keys with a run pending. */
  pending(): number;
  /** Drops the pending runs and waits for those running to finish (shutdown). */
  stop(): Promise<void>;
}

export function createCoalescer({
  windowMs,
  settleMs = 0,
  run,
  onError,
  now = () => Date.now(),
}: {
  windowMs: number;
  /** A run asked for with `soon` waits at least this long, so a burst of changes is one run. */
  settleMs?: number;
  run: (key: string) => Promise<void>;
  onError: (error: unknown, key: string) => void;
  now?: () => number;
}): Coalescer {
  const lastRun = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let stopped = false;

  const runNow = async (key: string) => {
    const timer = timers.get(key);
    if (timer) clearTimeout(timer);
    timers.delete(key);
    if (stopped) return;
    lastRun.set(key, now());
    const job = run(key).catch((error: unknown) => onError(error, key));
    running.add(job);
    try {
      await job;
    } finally {
      running.delete(job);
    }
  };
  // Old entries are forgotten, so the map holds only people active within the window.
  const forget = () => {
    const cutoff = now() - windowMs;
    for (const [key, at] of lastRun) if (at < cutoff && !timers.has(key)) lastRun.delete(key);
  };

  return {
    soon(key) {
      if (stopped || timers.has(key)) return;
      const last = lastRun.get(key);
      const wait = Math.max(settleMs, last === undefined ? 0 : last + windowMs - now());
      if (wait <= 0) {
        forget();
        void runNow(key);
        return;
      }
      forget();
      const timer = setTimeout(() => void runNow(key), wait);
      timer.unref?.();
      timers.set(key, timer);
    },
    now: runNow,
    pending: () => timers.size,
    async stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.all(running);
    },
  };
}
