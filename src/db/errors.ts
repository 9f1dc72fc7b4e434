/**
 * postgres.js and PGlite both report PostgreSQL's SQLSTATE as `code`; drizzle may wrap the driver's
 * error in its own (`cause`). These helpers look through the wrapping.
 */
interface PgErrorLike {
  code?: unknown;
  constraint?: unknown;
  constraint_name?: unknown;
  cause?: unknown;
}

function findPgError(error: unknown): PgErrorLike | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const candidate = current as PgErrorLike;
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate;
    current = candidate.cause;
  }
  return undefined;
}

/** The constraint a unique violation (23505) hit, or undefined if the error is something else. */
export function uniqueViolation(error: unknown): string | undefined {
  const pgError = findPgError(error);
  if (pgError?.code !== '23505') return undefined;
  const name = pgError.constraint_name ?? pgError.constraint;
  return typeof name === 'string' ? name : '';
}
