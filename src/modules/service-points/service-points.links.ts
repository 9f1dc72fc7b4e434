import { derivedToken } from '../../lib/tokens.js';

/**
 * A service point's stable link. The token is derived from LINK_SECRET and the point's own salt,
 * so the same poster keeps working after a restart and the database needs to keep only the
 * token's hash; a new secret changes every point's link at once.
 */
export function servicePointToken(secret: string, salt: string): string {
  return derivedToken(secret, `service-point:${salt}`);
}

/** The walk-up page of a service point, under the app's public address (no trailing slash). */
export function servicePointUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/s/${token}`;
}
