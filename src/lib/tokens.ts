import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The tokens in patrons' links: 144 random bits (or, for a service point's stable link, 144 bits of
 * an HMAC under LINK_SECRET), written as 24 URL-safe characters. The database keeps only their
 * SHA-256, so a copy of it opens no page.
 */
export const TOKEN_LENGTH = 24;
const TOKEN_BYTES = 18;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{24}$/;

/** A new random token. */
export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** The same token every time for the same secret and label: a service point's link, from its salt. */
export function derivedToken(secret: string, label: string): string {
  return createHmac('sha256', secret).update(label).digest().subarray(0, TOKEN_BYTES).toString('base64url');
}

/** A random salt, stored beside a derived token's hash so the token can be derived again. */
export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

/** What the database keeps of a token: its SHA-256, in hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether a string could be a token at all; anything else is refused before the database is asked. */
export function isTokenShape(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}

/** Compares two strings in constant time (for form tokens). */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
