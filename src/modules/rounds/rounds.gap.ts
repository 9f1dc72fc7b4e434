/**
 * Gap = customer score - self score. Negative means the staff member sees their service as better
 * than the customer does. A third of the scale (3 points) either way is worth a name.
 */
export type GapKind = 'blind_spot' | 'hidden_strength' | 'aligned';

export const BLIND_SPOT_AT = -3;
export const HIDDEN_STRENGTH_AT = 3;

export function gapOf(selfScore: number, customerScore: number): number {
  return customerScore - selfScore;
}

export function classifyGap(gap: number): GapKind {
  if (gap <= BLIND_SPOT_AT) return 'blind_spot';
  if (gap >= HIDDEN_STRENGTH_AT) return 'hidden_strength';
  return 'aligned';
}

export function formatGap(gap: number): string {
  return gap > 0 ? `+${gap}` : String(gap);
}

export function describeGap(gap: number): string {
  switch (classifyGap(gap)) {
    case 'blind_spot':
      return 'Blind spot: your customer rates your service well below how you rate it.';
    case 'hidden_strength':
      return 'Hidden strength: your customer rates your service well above how you rate it.';
    default:
      return gap === 0
        ? 'You and your customer see your service the same way.'
        : 'You and your customer see your service in much the same way.';
  }
}
