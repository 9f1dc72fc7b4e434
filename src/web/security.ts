import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseCookie, stringifySetCookie } from 'cookie';
import { sameSecret } from '../lib/tokens.js';

/**
 * What keeps the patron pages safe to put on a poster: strict headers on every answer, a form
 * token on every form, an Origin check, and limits on what a form may send.
 */

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Headers on every page and asset. */
export function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

/** The largest form body accepted: a whole named-patron answer (6 x 1,500 characters, encoded) fits. */
export const MAX_FORM_BYTES = 32 * 1024;
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** The form-token cookie: a random nonce the browser keeps for this site only. */
export const CSRF_COOKIE = 'radar_form';

export function cookiesOf(req: IncomingMessage): Record<string, string | undefined> {
  try {
    return parseCookie(req.headers.cookie ?? '');
  } catch {
    return {};
  }
}

export interface FormTokens {
  /** The nonce to keep (and a Set-Cookie to send when it is new). */
  nonce(req: IncomingMessage): { nonce: string; setCookie?: string };
  /** The hidden field's value for a form posting to `path`. */
  fieldFor(nonce: string, path: string): string;
  /** Whether a posted form carries the field that goes with the cookie's nonce and this path. */
  check(req: IncomingMessage, path: string, field: string | undefined): boolean;
}

const NONCE_SHAPE = /^[A-Za-z0-9_-]{22,64}$/;

/**
 * Double-submit form tokens: an HttpOnly, SameSite=Strict cookie holds a random nonce, and each form
 * carries HMAC(LINK_SECRET, nonce + path). Another site can neither read the cookie nor compute the
 * field, and a field made for one page does not post to another.
 */
export function createFormTokens({ secret, secure }: { secret: string; secure: boolean }): FormTokens {
  const fieldFor = (nonce: string, path: string) =>
    createHmac('sha256', secret).update(`${nonce}\n${path}`).digest('base64url');
  const cookieNonce = (req: IncomingMessage) => {
    const value = cookiesOf(req)[CSRF_COOKIE];
    return value && NONCE_SHAPE.test(value) ? value : undefined;
  };
  return {
    nonce(req) {
      const kept = cookieNonce(req);
      if (kept) return { nonce: kept };
      const nonce = randomBytes(18).toString('base64url');
      return {
        nonce,
        setCookie: stringifySetCookie(CSRF_COOKIE, nonce, {
          httpOnly: true,
          sameSite: 'strict',
          secure,
          path: '/',
        }),
      };
    },
    fieldFor,
    check(req, path, field) {
      const nonce = cookieNonce(req);
      if (!nonce || !field) return false;
      return sameSecret(fieldFor(nonce, path), field);
    },
  };
}

/**
 * A POST whose Origin header names another site is refused. `Origin: null` is what browsers send
 * for the pages' own forms under `Referrer-Policy: no-referrer`, so it counts as no Origin: the
 * form token is what proves the form came from this page.
 */
export function originAllowed(req: IncomingMessage, publicOrigin: string): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return true;
  return origin === publicOrigin;
}

export type FormBody = { ok: true; fields: URLSearchParams } | { ok: false; status: 413 | 415 | 400 };

/** Whether a content-type header names a URL-encoded form (parameters such as charset allowed). */
export function isFormContentType(value: string | undefined): boolean {
  return (value ?? '').split(';')[0]?.trim().toLowerCase() === FORM_CONTENT_TYPE;
}

/** Reads a URL-encoded form body, refusing a wrong type (415) or more than `maxBytes` (413). */
export async function readForm(req: IncomingMessage, maxBytes = MAX_FORM_BYTES): Promise<FormBody> {
  if (!isFormContentType(req.headers['content-type'])) return { ok: false, status: 415 };
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) return { ok: false, status: 413 };
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) return { ok: false, status: 413 };
      chunks.push(chunk);
    }
  } catch {
    return { ok: false, status: 400 };
  }
  return { ok: true, fields: new URLSearchParams(Buffer.concat(chunks).toString('utf8')) };
}

/**
 * The patron's address for the rate limit: the socket's peer, or, behind a trusted proxy, the
 * address that proxy appended last to X-Forwarded-For (earlier entries are the client's own claim).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const value = Array.isArray(header) ? header.join(',') : header;
    const last = value
      ?.split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .pop();
    if (last) return last.slice(0, 64);
  }
  return req.socket.remoteAddress ?? 'unknown';
}
