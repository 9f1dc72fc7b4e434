import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { servicePoints } from '../../src/db/schema.js';
import { newToken } from '../../src/lib/tokens.js';
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
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

const HOSTILE = '<script>alert(1)</script> <img src=x onerror=alert(2)> <!channel> *bold* \u202Eevil';

describeEachDatabase('walk-up page over HTTP', (getDb) => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });
  const start = async (env: Record<string, string> = {}) => {
    app = await startTestApp({ database: getDb(), standIn, env: { ...webEnv(), ...env } });
    return app;
  };

  /** Opens the page in a fresh browser: its cookies and the form token. */
  const open = async (baseUrl: string, path: string, headers: Record<string, string> = {}) => {
    const jar = new CookieJar();
    const page = await getPage(baseUrl, path, jar, headers);
    return { jar, page };
  };

  it('shows the four questions in the library name, stores an answer and thanks the patron', async () => {
    const { baseUrl } = await start();
    const point = await addServicePoint(getDb().handle.db);
    const { jar, page } = await open(baseUrl, point.path);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Riverside Public Library');
    expect(page.html).toContain('How was the service you got today?');
    expect(page.html).toContain('What level of service did you expect?');
    expect(page.html).toContain('We do not ask for your name or any contact details');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(page.headers.get(name)).toBe(value);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('permissions-policy')).toBeTruthy();
    const thanks = await postPage(
      baseUrl,
      point.path,
      {
        csrf: page.csrf ?? '',
        lang: 'en',
        experience: '6',
        expectation: '8',
        doBetter: 'More chairs',
        noLongerNeed: '',
        website: '',
      },
      jar,
    );
    expect(thanks.status).toBe(200);
    expect(thanks.html).toContain('Thank you');
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      expect(thanks.headers.get(name)).toBe(value);
    const rows = await walkUpRows(getDb().handle.db);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      servicePointId: point.id,
      experience: 6,
      expectation: 8,
      doBetter: 'More chairs',
      noLongerNeed: null,
      language: 'en',
      suspectedSpam: false,
    });
  });

  it('re-renders with 422, an error summary linked to each field, and everything typed kept, inert', async () => {
    const { baseUrl } = await start();
    const point = await addServicePoint(getDb().handle.db);
    const { jar, page } = await open(baseUrl, point.path);
    const again = await postPage(
      baseUrl,
      point.path,
      {
        csrf: page.csrf ?? '',
        lang: 'en',
        experience: '',
        expectation: '7',
        doBetter: HOSTILE,
        noLongerNeed: 'x'.repeat(1001),
      },
      jar,
    );
    expect(again.status).toBe(422);
    expect(again.html).toContain('role="alert"');
    expect(again.html).toContain('href="#experience-1"');
    expect(again.html).toContain('href="#noLongerNeed"');
    expect(again.html).not.toContain('href="#expectation-1"');
    expect(again.html).toMatch(/id="experience"[^>]*aria-describedby="experience-hint experience-error"/);
    expect(again.html).toMatch(
      /id="noLongerNeed"[^>]*aria-describedby="noLongerNeed-hint noLongerNeed-error"[^>]*aria-invalid="true"/,
    );
    expect(again.html).toContain('id="expectation-7" value="7" checked');
    expect(again.html).toContain('x'.repeat(1001));
    // Typed text is shown as text: no tag, no attribute, no mention, and the override closed in its field.
    expect(again.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(again.html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(again.html).toContain('&lt;!channel&gt; *bold*');
    expect(again.html).not.toContain('<script');
    expect(again.html).not.toContain('<img');
    expect(again.html).toContain('\u202Eevil\u202C</textarea>');
    expect(await walkUpRows(getDb().handle.db)).toEqual([]);
  });

  it('takes one answer per browser per service point per library day', async () => {
    const { baseUrl } = await start();
    const point = await addServicePoint(getDb().handle.db);
    const other = await addServicePoint(getDb().handle.db, 'Circulation');
    const { jar, page } = await open(baseUrl, point.path);
    const answer = { csrf: page.csrf ?? '', lang: 'en', experience: '9', expectation: '8' };
    expect((await postPage(baseUrl, point.path, answer, jar)).status).toBe(200);
    const second = await postPage(baseUrl, point.path, answer, jar);
    expect(second.html).toContain('You have already answered today');
    const reopened = await getPage(baseUrl, point.path, jar);
    expect(reopened.html).toContain('You have already answered today');
    expect(reopened.html).not.toContain('<form');
    // Another service point, the same browser: a form, and an answer.
    const otherPage = await getPage(baseUrl, other.path, jar);
    expect(otherPage.html).toContain('<form');
    expect(
      (await postPage(baseUrl, other.path, { ...answer, csrf: otherPage.csrf ?? '' }, jar)).html,
    ).toContain('Thank you');
    expect((await walkUpRows(getDb().handle.db)).map((row) => row.servicePointId)).toEqual([
      point.id,
      other.id,
    ]);
  });

  it('stores a filled-in honeypot flagged as suspected spam, with the same thanks', async () => {
    const { baseUrl } = await start();
    const point = await addServicePoint(getDb().handle.db);
    const { jar, page } = await open(baseUrl, point.path);
    expect(page.html).toMatch(/<div class="contact-field" aria-hidden="true">/);
    expect(page.html).toMatch(/name="website" value="" tabindex="-1" autocomplete="off"/);
    const thanks = await postPage(
      baseUrl,
      point.path,
      {
        csrf: page.csrf ?? '',
        lang: 'en',
        experience: '1',
        expectation: '10',
        website: 'http://spam.example',
      },
      jar,
    );
    expect(thanks.status).toBe(200);
    expect(thanks.html).toContain('Your answer reached');
    expect((await walkUpRows(getDb().handle.db)).map((row) => row.suspectedSpam)).toEqual([true]);
  });

  it('refuses answers past the hourly limit per address with 429, storing nothing more', async () => {
    const { baseUrl } = await start({ WALK_UP_ANSWERS_PER_HOUR: '2', TRUST_PROXY: 'true' });
    const point = await addServicePoint(getDb().handle.db);
    const answerFrom = async (address: string) => {
      const { jar, page } = await open(baseUrl, point.path);
      return postPage(
        baseUrl,
        point.path,
        { csrf: page.csrf ?? '', lang: 'en', experience: '5', expectation: '5' },
        jar,
        { 'x-forwarded-for': `203.0.113.7, ${address}` },
      );
    };
    expect((await answerFrom('198.51.100.1')).status).toBe(200);
    expect((await answerFrom('198.51.100.1')).status).toBe(200);
    const third = await answerFrom('198.51.100.1');
    expect(third.status).toBe(429);
    expect(third.html).toContain('Too many answers');
    expect((await answerFrom('198.51.100.2')).status).toBe(200);
    expect(await walkUpRows(getDb().handle.db)).toHaveLength(3);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY is true', async () => {
    const { baseUrl } = await start({ WALK_UP_ANSWERS_PER_HOUR: '1' });
    const point = await addServicePoint(getDb().handle.db);
    const answerFrom = async (address: string) => {
      const { jar, page } = await open(baseUrl, point.path);
      return postPage(
        baseUrl,
        point.path,
        { csrf: page.csrf ?? '', experience: '5', expectation: '5' },
        jar,
        {
          'x-forwarded-for': address,
        },
      );
    };
    expect((await answerFrom('198.51.100.1')).status).toBe(200);
    expect((await answerFrom('198.51.100.2')).status).toBe(429);
    expect(await walkUpRows(getDb().handle.db)).toHaveLength(1);
  });

  it('answers unknown and malformed links 404 and a retired point 410, writing nothing', async () => {
    const { baseUrl } = await start();
    const point = await addServicePoint(getDb().handle.db);
    const retired = await addServicePoint(getDb().handle.db, 'Old desk');
    await getDb()
      .handle.db.update(servicePoints)
      .set({ retiredAt: new Date() })
      .where(eq(servicePoints.id, retired.id));
    const unknown = await getPage(baseUrl, `/s/${newToken()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain('This link does not work');
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      expect(unknown.headers.get(name)).toBe(value);
    expect((await getPage(baseUrl, '/s/short')).status).toBe(404);
    expect((await getPage(baseUrl, '/s/%E0%A4%A')).status).toBe(404);
    const gone = await getPage(baseUrl, retired.path);
    expect(gone.status).toBe(410);
    expect(gone.html).toContain('no longer takes answers');
    // A form token from a live page does not open a retired one.
    const { jar, page } = await open(baseUrl, point.path);
    const posted = await postPage(
      baseUrl,
      retired.path,
      { csrf: page.csrf ?? '', experience: '5', expectation: '5' },
      jar,
    );
    expect(posted.status).toBe(403);
    expect(await walkUpRows(getDb().handle.db)).toEqual([]);
  });

  it('speaks Spanish from Accept-Language, and the switch sets a cookie that keeps it', async () => {
    const { baseUrl } = await start();
    const point = await addServicePoint(getDb().handle.db);
    const spanish = await getPage(baseUrl, point.path, undefined, {
      'accept-language': 'es-MX,es;q=0.9,en;q=0.5',
    });
    expect(spanish.html).toContain('<html lang="es"');
    expect(spanish.html).toContain('¿Qué tal fue el servicio que recibió hoy?');
    expect(spanish.html).toContain(`href="${point.path}?lang=en"`);
    const jar = new CookieJar();
    const switched = await getPage(baseUrl, `${point.path}?lang=es`, jar, { 'accept-language': 'en' });
    expect(switched.html).toContain('<html lang="es"');
    expect(jar.get('radar_lang')).toBe('es');
    const kept = await getPage(baseUrl, point.path, jar, { 'accept-language': 'en' });
    expect(kept.html).toContain('<html lang="es"');
    const errors = await postPage(
      baseUrl,
      point.path,
      { csrf: kept.csrf ?? '', lang: 'es', experience: '3' },
      jar,
    );
    expect(errors.status).toBe(422);
    expect(errors.html).toContain('Hay un problema con sus respuestas');
    expect(errors.html).toContain('Elija un número del 1 al 10.');
    const thanks = await postPage(
      baseUrl,
      point.path,
      { csrf: kept.csrf ?? '', lang: 'es', experience: '3', expectation: '4' },
      jar,
    );
    expect(thanks.html).toContain('Gracias');
    expect((await walkUpRows(getDb().handle.db))[0]?.language).toBe('es');
  });
});

describe('patron pages without PUBLIC_URL', () => {
  it('are not served: 404', async () => {
    const { createTestDatabase } = await import('../helpers/database.js');
    const database = await createTestDatabase('pglite');
    const app = await startTestApp({ database, standIn });
    try {
      const point = await addServicePoint(database.handle.db);
      expect((await getPage(app.baseUrl, point.path)).status).toBe(404);
      expect((await getPage(app.baseUrl, '/assets/patron.css')).status).toBe(404);
    } finally {
      await app.stop();
      await database.close();
    }
  });
});
