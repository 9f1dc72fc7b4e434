import type { UnitAggregate } from './digests.repository.js';

/**
 * Which units a digest may show on their own, and which are pooled, so that no group below the
 * committee's minimum can be seen or worked out.
 *
 * The headline shows every round of the week. A reader who subtracts the units shown from the
 * headline gets the pooled remainder, so the remainder must itself be safe to show: either empty, or
 * at least the minimum number of rounds from at least two units. When the units too small to show
 * do not make such a pool on their own (one small unit alone; or small units adding up to fewer
 * rounds than the minimum), the smallest units that could have been shown join the pool until it is
 * safe (complementary suppression, as survey tools do). The pool appears as "other units" with its
 * figures, which are exactly what subtraction would give, and never names its units.
 *
 * If even pooling every unit cannot make a safe pool (the whole week has fewer rounds than the
 * minimum), nothing per unit is shown, and the headline hides its averages too.
 */
export interface UnitPartition {
  shown: UnitAggregate[];
  pooled: UnitAggregate[];
}

export function partitionUnits(units: UnitAggregate[], minGroupSize: number): UnitPartition {
  // Smallest first, so the units added to the pool are the least informative ones; ties by name, so
  // the same data always gives the same digest.
  const bySize = [...units].sort((a, b) => a.rounds - b.rounds || a.unit.localeCompare(b.unit));
  const pooled = bySize.filter((unit) => unit.rounds < minGroupSize);
  const shown = bySize.filter((unit) => unit.rounds >= minGroupSize);
  const poolIsSafe = () =>
    pooled.length === 0 ||
    (pooled.length >= 2 && pooled.reduce((sum, unit) => sum + unit.rounds, 0) >= minGroupSize);
  while (!poolIsSafe() && shown.length > 0) {
    const smallest = shown.shift();
    if (smallest) pooled.push(smallest);
  }
  return { shown, pooled };
}

/** Whether a group of this many rounds may be shown at all. */
export const showable = (rounds: number, minGroupSize: number): boolean => rounds >= minGroupSize;
