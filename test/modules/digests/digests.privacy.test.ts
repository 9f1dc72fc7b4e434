import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitionUnits } from '../../../src/modules/digests/digests.privacy.js';

const unit = (name: string, rounds: number) => ({ unit: name, rounds, self: 7, customer: 6 });
const names = (rows: { unit: string }[]) => rows.map((row) => row.unit).sort();

describe('which units a digest may show', () => {
  it('shows units at the minimum and pools two small ones that reach it together', () => {
    const { shown, pooled } = partitionUnits([unit('A', 5), unit('B', 3), unit('C', 2), unit('D', 1)], 3);
    expect(names(shown)).toEqual(['A', 'B']);
    expect(names(pooled)).toEqual(['C', 'D']);
  });

  it('never leaves one small unit alone in the pool, where subtraction would reveal it', () => {
    const { shown, pooled } = partitionUnits([unit('A', 9), unit('B', 4), unit('C', 1)], 3);
    // C alone would be headline minus A minus B: B (the smallest shown) joins it.
    expect(names(shown)).toEqual(['A']);
    expect(names(pooled)).toEqual(['B', 'C']);
  });

  it('grows a pool that is under the minimum until it is not', () => {
    const { shown, pooled } = partitionUnits([unit('A', 6), unit('B', 3), unit('C', 1), unit('D', 1)], 5);
    // C + D = 2 < 5; adding B (3) gives 5.
    expect(names(shown)).toEqual(['A']);
    expect(names(pooled)).toEqual(['B', 'C', 'D']);
  });

  it('shows every unit when none is small', () => {
    expect(partitionUnits([unit('A', 3), unit('B', 4)], 3).pooled).toEqual([]);
  });

  it('never shows a group under the minimum, alone or by subtraction (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 12 }),
        fc.integer({ min: 3, max: 8 }),
        (sizes, min) => {
          const units = sizes.map((size, index) => unit(`U${index}`, size));
          const { shown, pooled } = partitionUnits(units, min);
          const total = sizes.reduce((sum, size) => sum + size, 0);
          const pool = pooled.reduce((sum, row) => sum + row.rounds, 0);
          expect(shown.length + pooled.length).toBe(units.length);
          for (const row of shown) expect(row.rounds).toBeGreaterThanOrEqual(min);
          // Headline minus the shown units is the pool: empty, or safe to show, or the whole week
          // (which is then itself under the minimum, so the digest shows no figures at all).
          const poolSafe = pool === 0 || (pooled.length >= 2 && pool >= min);
          expect(poolSafe || (shown.length === 0 && total < min)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
