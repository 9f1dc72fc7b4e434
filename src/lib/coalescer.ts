/**
 * Runs a job per key at most once per window: the first call runs it after `settleMs`, calls within
 * the window after a run are folded into one run at the window's end. At most `concurrency` runs
 * go at once, the rest wait their turn (a burst of changes for many people does not become a burst
 * of calls to Slack). Timers are unref'd, so a pending run never keeps the process alive; `stop`
 * drops pending and queued runs and waits for those under way.
 */
export interface Coalescer {
  /** Run soon: now if the key has not run within the window, else once at the window's end. */
  soon(key: string): void;
  /** Run now, whatever the window says (a person opened their Home and should see it current). */
  now(key: string): Promise<void>;
  /** Keys with a run pending. */
  pending(): number;
  /** Runs pending, queued or under way: 0 when there is nothing left to do. */
  active(): number;
  /** Drops pending and queued runs and waits for those under way (shutdown). */
  stop(): Promise<void>;
}

export function createCoalescer({
  windowMs,
  settleMs = 0,
  concurrency = Number.POSITIVE_INFINITY,
  run,
  onError,
  now = () => Date.now(),
}: {
  windowMs: number;
  /** A run asked for with `soon` waits at least this long, so a burst of changes is one run. */
  settleMs?: number;
  /** How many runs may go at once. */
  concurrency?: number;
  run: (key: string) => Promise<void>;
  onError: (error: unknown, key: string) => void;
  now?: () => number;
}): Coalescer {
  const lastRun = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  const queue: (() => void)[] = [];
  let stopped = false;

  // Slots taken, counted at once (before the run starts), so a burst cannot overshoot them.
  let taken = 0;
  const turn = (): Promise<boolean> => {
    if (taken < concurrency) {
      taken++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) =>
      queue.push(() => {
        if (!stopped) taken++;
        resolve(!stopped);
      }),
    );
  };
  const next = () => {
    while (queue.length > 0 && taken < concurrency) queue.shift()?.();
  };

  const runNow = async (key: string) => {
    const timer = timers.get(key);
    if (timer) clearTimeout(timer);
    timers.delete(key);
    if (stopped) return;
    lastRun.set(key, now());
    if (!(await turn())) return;
    if (stopped) {
      taken--;
      return;
    }
    const job = run(key).catch((error: unknown) => onError(error, key));
    running.add(job);
    try {
      await job;
    } finally {
      running.delete(job);
      taken--;
      next();
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
      forget();
      if (wait <= 0) {
        void runNow(key);
        return;
      }
      const timer = setTimeout(() => void runNow(key), wait);
      timer.unref?.();
      timers.set(key, timer);
    },
    now: runNow,
    pending: () => timers.size,
    active: () => timers.size + queue.length + running.size,
    async stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      for (const release of queue.splice(0)) release();
      await Promise.all(running);
    },
  };
}
