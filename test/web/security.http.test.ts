import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import {
  addServicePoint,
  CookieJar,
  getPage,
  postPage,
  SECURITY_HEADERS,
  walkUpRows,
  webEnv,
} from '../helpers/patron-pages.js';
import { rawRequest } from '../helpers/raw-http.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

const WORDS = 'PATRON-WORDS-c93e';

describeEachDatabase('patron pages refuse what a form did not send', (getDb) => {
  let app: TestApp;
  let point: Awaited<ReturnType<typeof addServicePoint>>;
  beforeAll(async () => {
    app = await startTestApp({ database: getDb(), standIn, env: webEnv('https://radar.example.org') });
  });
  afterAll(() => app.stop());
  let jar: CookieJar;
  let csrf: string;
  const valid = () => ({ csrf, lang: 'en', experience: '4', expectation: '9', doBetter: WORDS });
  const port = () => app.radar.port;
  afterEach(async () => {
    // Whatever was refused, the app still serves, and nothing was written by a refused request.
    expect((await getPage(app.baseUrl, '/healthz')).status).toBe(200);
  });
  const fresh = async () => {
    point = await addServicePoint(getDb().handle.db);
    jar = new CookieJar();
    csrf = (await getPage(app.baseUrl, point.path, jar)).csrf ?? '';
    expect(csrf).not.toBe('');
  };

  it('sets the form cookie HttpOnly, SameSite=Strict and Secure under an https PUBLIC_URL', async () => {
    point = await addServicePoint(getDb().handle.db);
    const response = await fetch(`${app.baseUrl}${point.path}`);
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('radar_form='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Secure/);
  });

  it('refuses a missing or wrong form token, or one made for another page, with 403', async () => {
    await fresh();
    const other = await addServicePoint(getDb().handle.db, 'Circulation');
    const { csrf: _, ...withoutToken } = valid();
    for (const fields of [
      withoutToken,
      { ...valid(), csrf: `${csrf.slice(0, -2)}AA` },
      { ...valid(), csrf: '' },
    ]) {
      const refused = await postPage(app.baseUrl, point.path, fields, jar);
      expect(refused.status).toBe(403);
      expect(refused.html).toContain('Nothing was saved');
    }
    // The right field without the cookie it goes with.
    expect((await postPage(app.baseUrl, point.path, valid())).status).toBe(403);
    // A field made for one service point's page does not post to another's.
    expect((await postPage(app.baseUrl, other.path, valid(), jar)).status).toBe(403);
    expect(await walkUpRows(getDb().handle.db)).toEqual([]);
    // And the real form still works afterwards.
    expect((await postPage(app.baseUrl, point.path, valid(), jar)).status).toBe(200);
    expect(await walkUpRows(getDb().handle.db)).toHaveLength(1);
  });

  it('refuses a POST from another origin with 403, and accepts PUBLIC_URL`s', async () => {
    await fresh();
    for (const origin of [
      'https://evil.example',
      'http://radar.example.org',
      'https://radar.example.org.evil.example',
    ]) {
      const refused = await postPage(app.baseUrl, point.path, valid(), jar, { origin });
      expect(refused.status, origin).toBe(403);
    }
    expect(await walkUpRows(getDb().handle.db)).toEqual([]);
    expect(
      (await postPage(app.baseUrl, point.path, valid(), jar, { origin: 'https://radar.example.org' })).status,
    ).toBe(200);
  });

  it('refuses an oversized body with 413 and another content type with 415', async () => {
    await fresh();
    const big = await postPage(app.baseUrl, point.path, { ...valid(), doBetter: 'x'.repeat(40 * 1024) }, jar);
    expect(big.status).toBe(413);
    expect(big.html).toContain('too long');
    for (const type of ['application/json', 'multipart/form-data; boundary=x', 'text/plain']) {
      const response = await fetch(`${app.baseUrl}${point.path}`, {
        method: 'POST',
        headers: { 'content-type': type, cookie: jar.header(point.path) },
        body: new URLSearchParams(valid()).toString(),
      });
      expect(response.status, type).toBe(415);
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        expect(response.headers.get(name)).toBe(value);
    }
    // A body that says it is small but is not: cut off at the limit, over a raw socket.
    const body = `csrf=${csrf}&experience=4&expectation=4&doBetter=${'y'.repeat(40 * 1024)}`;
    const chunked = await rawRequest(
      port(),
      `POST ${point.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nCookie: ${jar.header(point.path)}\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    );
    expect(chunked.status).toBe(413);
    expect(await walkUpRows(getDb().handle.db)).toEqual([]);
  });

  it('answers other methods with 405, and malformed requests to /r/ and /s/ with 400s, never 5xx', async () => {
    await fresh();
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const response = await fetch(`${app.baseUrl}${point.path}`, { method });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
      // Refused by the server before any page handler: still not framable, sniffable or referred.
      expect(response.headers.get('x-frame-options'), method).toBe('DENY');
      expect(response.headers.get('x-content-type-options'), method).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), method).toBe('no-referrer');
      expect(response.headers.get('content-security-policy'), method).toContain("frame-ancestors 'none'");
    }
    const nowhere = await fetch(`${app.baseUrl}/patron`);
    expect(nowhere.status).toBe(404);
    expect(nowhere.headers.get('x-frame-options')).toBe('DENY');
    expect(nowhere.headers.get('content-security-policy')).toContain("default-src 'none'");
    const head = await rawRequest(port(), `HEAD ${point.path} HTTP/1.1\r\nHost: x\r\n\r\n`, { head: true });
    expect(head.status).toBe(200);
    expect(head.headers['content-security-policy']).toBe(SECURITY_HEADERS['content-security-policy']);
    const cases = [
      `GET /s/${point.token}/extra HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /r/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /s/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n`,
      `POST ${point.path} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello`,
      `POST ${point.path} HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n`,
      `POST ${point.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1073741824\r\n\r\n`,
      `post ${point.path} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /s/${point.token}\u0000 HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /r/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ];
    for (const request of cases) {
      const answer = await rawRequest(port(), request);
      expect(answer.status ?? 0, JSON.stringify(request.slice(0, 60))).toBeLessThan(500);
      expect(answer.status ?? 400, JSON.stringify(request.slice(0, 60))).toBeGreaterThanOrEqual(400);
    }
    expect(await walkUpRows(getDb().handle.db)).toEqual([]);
  });

  it('serves its stylesheet with the same headers, and no other file', async () => {
    const css = await fetch(`${app.baseUrl}/assets/patron.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(css.headers.get(name)).toBe(value);
    for (const path of ['/assets/missing.css', '/assets/..%2Fviews.ts', '/assets/%2E%2E%2Froutes.ts'])
      expect((await fetch(`${app.baseUrl}${path}`)).status, path).toBe(404);
  });

  it('logs the kind of page and the status, never a token or the words typed', async () => {
    await fresh();
    await postPage(app.baseUrl, point.path, { ...valid(), experience: '' }, jar);
    await postPage(app.baseUrl, point.path, valid(), jar);
    await postPage(app.baseUrl, point.path, { ...valid(), csrf: 'wrong' }, jar);
    await getPage(app.baseUrl, `/r/${point.token}`);
    await rawRequest(port(), `PUT ${point.path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(app.logs.text).toContain('"route":"walk_up"');
    expect(app.logs.text).not.toContain(point.token);
    expect(app.logs.text).not.toContain(csrf);
    expect(app.logs.text).not.toContain(WORDS);
  });
});
