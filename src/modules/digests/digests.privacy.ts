import type { Atom, PersonAtom } from './digests.repository.js';

/**
 * What a digest may publish, so that no comparison of published figures (two committees, two time
 * zones, one committee before and after a settings change, this week against the last) can isolate
 * a person, a round or a small unit.
 *
 * The atom of publication is one unit's completed rounds in one ISO week of the library's calendar
 * (LIBRARY_TIME_ZONE). An atom passes a committee's minimum N when its rounds come from at least N
 * different staff members and N different customers. Every figure a digest publishes (headline,
 * units, the week before, the trend and sparkline, the chart, plan counts, what `digest show --json`
 * prints, the preview) is a sum of whole passing atoms; an atom that does not pass contributes to
 * nothing, and the digest says only how many rounds were left out.
 *
 * Why that is enough: an atom is the same for every committee (it does not depend on scope, zone or
 * settings), so any figure of any digest, and so any sum or difference of figures, is a function of
 * passing atoms' totals, never of anything finer. Two committees with different minimums publish
 * different sets of atoms, but each set passes its own minimum, and the least any of them shows is an
 * atom with at least 3 staff members and 3 customers (the smallest minimum allowed).
 *
 * There is no pool of "other units": small units pooled together are still a combination that,
 * taken from another committee's pool over one unit fewer, gives one of them away.
 *
 * Individual rows, for committees that choose them, go one level finer: one staff member's rounds in
 * one atom. Staff privacy is then the committee's choice, but customers' is not: a unit's people are
 * shown only when its atom passes and every staff member in it had at least N different customers
 * there. Then the rows add up to the unit's row exactly, so subtracting leaves nothing small, and each
 * row's customer scores come from N or more customers.
 */

export function atomPasses(atom: Pick<Atom, 'staff' | 'customers'>, minGroupSize: number): boolean {
  return atom.staff >= minGroupSize && atom.customers >= minGroupSize;
}

/** The atoms a committee with this minimum may publish, and how many rounds the others held. */
export function passingAtoms<T extends Atom>(
  atoms: T[],
  minGroupSize: number,
): { passing: T[]; roundsLeftOut: number } {
  const passing = atoms.filter((atom) => atomPasses(atom, minGroupSize));
  const roundsLeftOut = atoms
    .filter((atom) => !atomPasses(atom, minGroupSize))
    .reduce((sum, atom) => sum + atom.rounds, 0);
  return { passing, roundsLeftOut };
}

/**
 * The individual rows a committee may show: for each unit whose atom passes, all of its staff
 * members' rows when each had at least `minGroupSize` different customers there, else none.
 */
export function publishablePeople(
  people: PersonAtom[],
  passingUnitKeys: ReadonlySet<string>,
  minGroupSize: number,
): PersonAtom[] {
  const byUnit = new Map<string, PersonAtom[]>();
  for (const person of people) {
    if (!passingUnitKeys.has(person.unitKey)) continue;
    byUnit.set(person.unitKey, [...(byUnit.get(person.unitKey) ?? []), person]);
  }
  return [...byUnit.values()]
    .filter((unit) => unit.every((person) => person.customers >= minGroupSize))
    .flat();
}
