import { describe, expect, it } from 'vitest';
import { atomPasses, passingAtoms, publishablePeople } from '../../../src/modules/digests/digests.privacy.js';
import type { Atom, PersonAtom } from '../../../src/modules/digests/digests.repository.js';

const atom = (unit: string, rounds: number, staff: number, customers: number): Atom => ({
  unitKey: unit.toLowerCase(),
  unit,
  rounds,
  selfTotal: rounds * 7,
  customerTotal: rounds * 6,
  staff,
  customers,
  noLongerNeed: 0,
});
const person = (unit: string, staffUserId: string, customers: number): PersonAtom => ({
  unitKey: unit.toLowerCase(),
  staffUserId,
  name: null,
  rounds: customers,
  selfTotal: customers * 7,
  customerTotal: customers * 6,
  customers,
});

describe('which atoms a digest may show', () => {
  it('counts people, not rounds: the minimum of staff members and of customers', () => {
    expect(atomPasses(atom('A', 3, 3, 3), 3)).toBe(true);
    // Three rounds by one staff member, or with one customer, are no group.
    expect(atomPasses(atom('A', 3, 1, 3), 3)).toBe(false);
    expect(atomPasses(atom('A', 9, 3, 1), 3)).toBe(false);
    expect(atomPasses(atom('A', 40, 4, 5), 5)).toBe(false);
    expect(atomPasses(atom('A', 40, 5, 5), 5)).toBe(true);
  });

  it('leaves small atoms out whole, never pooled, and counts only their rounds', () => {
    const { passing, roundsLeftOut } = passingAtoms(
      [atom('A', 5, 3, 4), atom('B', 2, 2, 2), atom('C', 1, 1, 1), atom('D', 3, 1, 3)],
      3,
    );
    expect(passing.map((a) => a.unit)).toEqual(['A']);
    expect(roundsLeftOut).toBe(6);
  });

  it('shows a unit’s people only when every one of them had the minimum of customers there', () => {
    const people = [
      person('A', 'U1', 3),
      person('A', 'U2', 4),
      person('A', 'U3', 3),
      person('B', 'U4', 5),
      person('B', 'U5', 2),
      person('C', 'U6', 9),
    ];
    // A: all three had 3 or more customers. B: U5 had 2, so B's rows would leave U5's to be
    // worked out from the unit's row: none of B's. C's atom does not pass: none of C's.
    expect(publishablePeople(people, new Set(['a', 'b']), 3).map((p) => p.staffUserId)).toEqual([
      'U1',
      'U2',
      'U3',
    ]);
    expect(publishablePeople(people, new Set(['a', 'b']), 4)).toEqual([]);
  });
});
