import type { Database } from '../../src/db/client.js';
import { walkUpAnswers } from '../../src/db/schema.js';
import { hashToken, newSalt, newToken } from '../../src/lib/tokens.js';
import { createServicePointsRepository } from '../../src/modules/service-points/service-points.repository.js';

/** The settings that turn the patron pages on. */
export const LINK_SECRET = 'patron-pages-test-secret-0123456789abcdef';
export const webEnv = (publicUrl = 'http://radar.test'): Record<string, string> => ({
  PUBLIC_URL: publicUrl,
  LINK_SECRET,
  LIBRARY_NAME: 'Riverside Public Library',
});

/** Adds an active service point; returns it with the token of its link. */
export async function addServicePoint(db: Database, name = 'Reference desk') {
  const token = newToken();
  const point = await createServicePointsRepository({ db }).add({
    name,
    unit: 'Reference',
    ownerUserId: 'UOWNER',
    createdByUserId: 'UOWNER',
    linkSalt: newSalt(),
    tokenHash: hashToken(token),
    createdAt: new Date(),
  });
  if (!point) throw new Error('service point not added');
  return { ...point, token, path: `/s/${token}` };
}

export async function walkUpRows(db: Database) {
  return db.select().from(walkUpAnswers).orderBy(walkUpAnswers.id);
}

/** A browser's cookies, as far as these pages need: name, value and path. */
export class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const path =
        attributes
          .map((a) => a.trim())
          .find((a) => /^path=/i.test(a))
          ?.slice(5) ?? '/';
      const name = pair.slice(0, eq).trim();
      this.cookies.set(`${name} ${path}`, { name, value: pair.slice(eq + 1).trim(), path });
    }
  }
  /** The value of a cookie by name (any path). */
  get(name: string): string | undefined {
    return [...this.cookies.values()].find((cookie) => cookie.name === name)?.value;
  }
  /** The Cookie header a browser sends to `path`. */
  header(path = '/'): string {
    return [...this.cookies.values()]
      .filter(
        (cookie) =>
          path === cookie.path ||
          path.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`) ||
          cookie.path === '/',
      )
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }
}

export interface Page {
  status: number;
  html: string;
  headers: Headers;
  /** The form token on the page, if it has a form. */
  csrf?: string;
}

async function pageOf(response: Response, jar?: CookieJar): Promise<Page> {
  jar?.take(response);
  const html = await response.text();
  const csrf = /name="csrf" value="([^"]*)"/.exec(html)?.[1];
  return { status: response.status, html, headers: response.headers, csrf };
}

export async function getPage(
  baseUrl: string,
  path: string,
  jar?: CookieJar,
  headers: Record<string, string> = {},
): Promise<Page> {
  const response = await fetch(`${baseUrl}${path}`, {
    headers: { ...(jar ? { cookie: jar.header(path.split('?')[0]) } : {}), ...headers },
    redirect: 'manual',
  });
  return pageOf(response, jar);
}

export async function postPage(
  baseUrl: string,
  path: string,
  fields: Record<string, string>,
  jar?: CookieJar,
  headers: Record<string, string> = {},
): Promise<Page> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(jar ? { cookie: jar.header(path.split('?')[0]) } : {}),
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  return pageOf(response, jar);
}

/** The headers every patron page and asset carries. */
export const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};
