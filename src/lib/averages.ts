/**
 * An average as the app prints it: one decimal, half away from zero (so -0.25 prints -0.3 as 0.25
 * prints 0.3). The small epsilon keeps 0.15, stored as 0.1499999..., from rounding down.
 */
export function round1(value: number): number {
  const rounded = Math.round(Math.abs(value) * 10 + 1e-9) / 10;
  return value < 0 ? -rounded : rounded;
}
