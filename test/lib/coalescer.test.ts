import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCoalescer } from '../../src/lib/coalescer.js';

describe('the coalescer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const setUp = (settleMs = 0) => {
    const runs: string[] = [];
    const errors: unknown[] = [];
    const coalescer = createCoalescer({
      windowMs: 60_000,
      settleMs,
      now: () => Date.now(),
      run: async (key) => {
        runs.push(key);
        if (key === 'broken') throw new Error('no');
      },
      onError: (error) => errors.push(error),
    });
    return { runs, errors, coalescer };
  };

  it('runs the first change at once, folds the next twenty within the minute into one run at its end', async () => {
    const { runs, coalescer } = setUp();
    coalescer.soon('U1');
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual(['U1']);
    for (let i = 0; i < 20; i++) {
      coalescer.soon('U1');
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(runs).toEqual(['U1']);
    await vi.advanceTimersByTimeAsync(40_000);
    expect(runs).toEqual(['U1', 'U1']);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(runs).toEqual(['U1', 'U1']);
  });

  it('keeps people apart, and lets a settle time gather a burst', async () => {
    const { runs, coalescer } = setUp(500);
    coalescer.soon('U1');
    coalescer.soon('U2');
    coalescer.soon('U1');
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    expect(runs.sort()).toEqual(['U1', 'U2']);
  });

  it('runs now when asked, and a pending run is replaced by it', async () => {
    const { runs, coalescer } = setUp();
    coalescer.soon('U1');
    await vi.advanceTimersByTimeAsync(0);
    coalescer.soon('U1');
    expect(coalescer.pending()).toBe(1);
    await coalescer.now('U1');
    expect(runs).toEqual(['U1', 'U1']);
    expect(coalescer.pending()).toBe(0);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(runs).toEqual(['U1', 'U1']);
  });

  it('reports a failed run and goes on; after stop, nothing runs', async () => {
    const { runs, errors, coalescer } = setUp();
    coalescer.soon('broken');
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    coalescer.soon('U1');
    await vi.advanceTimersByTimeAsync(0);
    coalescer.soon('U1');
    await coalescer.stop();
    coalescer.soon('U2');
    await coalescer.now('U3');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(runs).toEqual(['broken', 'U1']);
  });

  it('runs at most `concurrency` at once, the rest in turn, and drops the queue at stop', async () => {
    const started: string[] = [];
    const finish = new Map<string, () => void>();
    const coalescer = createCoalescer({
      windowMs: 60_000,
      concurrency: 2,
      run: (key) =>
        new Promise<void>((resolve) => {
          started.push(key);
          finish.set(key, resolve);
        }),
      onError: () => undefined,
    });
    for (const key of ['A', 'B', 'C', 'D']) coalescer.soon(key);
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['A', 'B']);
    expect(coalescer.active()).toBe(4);
    finish.get('A')?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['A', 'B', 'C']);
    const stopped = coalescer.stop();
    finish.get('B')?.();
    finish.get('C')?.();
    await stopped;
    expect(started).toEqual(['A', 'B', 'C']);
    expect(coalescer.active()).toBe(0);
  });
});
