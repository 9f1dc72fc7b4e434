import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import {
  accessibilityViolations,
  fitsWidth,
  freePort,
  type PageGlobals,
  SCREENS,
  tabTo,
} from '../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { addServicePoint, walkUpRows, webEnv } from '../helpers/patron-pages.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * The walk-up page in a real Chromium, by keyboard alone, on a phone and at 200% zoom, in English
 * and Spanish; axe-core checks every state. Without Chromium these do not run, and
 * test/global-setup.ts says so (in CI it fails instead).
 */
const chromiumPath = inject('chromiumPath');

const WORDS = {
  en: {
    submit: 'Send my answers',
    errors: 'There is a problem',
    thanks: 'Thank you',
    already: 'already answered',
  },
  es: {
    submit: 'Enviar mis respuestas',
    errors: 'Hay un problema',
    thanks: 'Gracias',
    already: 'Ya ha respondido',
  },
} as const;

if (chromiumPath)
  describe('walk-up page in a browser', () => {
    let standIn: SlackStandIn;
    let database: TestDatabase;
    let app: TestApp;
    let browser: Browser;
    beforeAll(async () => {
      standIn = await startSlackStandIn();
      database = await createTestDatabase('pglite');
      const port = await freePort();
      app = await startTestApp({
        database,
        standIn,
        env: { ...webEnv(`http://127.0.0.1:${port}`), PORT: String(port) },
      });
      browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    });
    afterAll(async () => {
      await browser?.close();
      await app?.stop();
      await database?.close();
      await standIn?.close();
    });

    for (const screen of SCREENS)
      for (const lang of ['en', 'es'] as const)
        it(`is answered by keyboard alone on a ${screen.name} screen in ${lang}`, async () => {
          const point = await addServicePoint(database.handle.db, `Desk ${screen.name} ${lang}`);
          const context = await browser.newContext({ viewport: screen.viewport, locale: lang });
          const page = await context.newPage();
          try {
            await page.goto(`${app.baseUrl}${point.path}`);
            expect(await page.getAttribute('html', 'lang')).toBe(lang);
            expect(await accessibilityViolations(page), 'empty form').toEqual([]);
            expect(await fitsWidth(page)).toBe(true);

            // Sent empty: the errors, linked from the summary.
            await tabTo(page, 'button[type=submit]');
            await page.keyboard.press('Enter');
            await page.waitForSelector('.error-summary', { timeout: 5000 }).catch(async (error) => {
              throw new Error(`no error summary: ${await page.content()}`, { cause: error });
            });
            expect(await page.textContent('.error-summary')).toContain(WORDS[lang].errors);
            expect(await accessibilityViolations(page), 'with errors').toEqual([]);
            expect(await fitsWidth(page)).toBe(true);
            // The summary's link takes the keyboard to the field.
            await tabTo(page, '.error-summary a[href="#experience-1"]');
            await page.keyboard.press('Enter');
            expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).location.hash)).toBe(
              '#experience-1',
            );

            // Experience 7, expectation 8: Space picks 1, each arrow moves one up.
            await tabTo(page, 'input[name=experience]');
            await page.keyboard.press('Space');
            for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
            await tabTo(page, 'input[name=expectation]');
            await page.keyboard.press('Space');
            for (let i = 0; i < 7; i++) await page.keyboard.press('ArrowRight');
            await tabTo(page, '#doBetter');
            await page.keyboard.type('Más sillas, more chairs');
            await tabTo(page, 'button[type=submit]');
            await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
            await page.waitForSelector(`h1:has-text("${WORDS[lang].thanks}")`);
            expect(await accessibilityViolations(page), 'thanks').toEqual([]);

            const rows = (await walkUpRows(database.handle.db)).filter(
              (row) => row.servicePointId === point.id,
            );
            expect(rows).toMatchObject([
              {
                experience: 7,
                expectation: 8,
                doBetter: 'Más sillas, more chairs',
                language: lang,
                suspectedSpam: false,
              },
            ]);

            // Back the same day: the kind page, no form.
            await page.goto(`${app.baseUrl}${point.path}`);
            expect(await page.textContent('h1')).toContain(WORDS[lang].already);
            expect(await page.$('form')).toBeNull();
            expect(await accessibilityViolations(page), 'already answered').toEqual([]);
          } finally {
            await context.close();
          }
        });

    it('shows a retired point and an unknown link accessibly, with a language switch that works by keyboard', async () => {
      const context = await browser.newContext({ viewport: SCREENS[0].viewport, locale: 'en' });
      const page = await context.newPage();
      try {
        const response = await page.goto(`${app.baseUrl}/s/AAAAAAAAAAAAAAAAAAAAAAAA`);
        expect(response?.status()).toBe(404);
        expect(await accessibilityViolations(page), 'unknown link').toEqual([]);
        await tabTo(page, 'a[hreflang=es]');
        await Promise.all([page.waitForURL('**?lang=es'), page.keyboard.press('Enter')]);
        expect(await page.getAttribute('html', 'lang')).toBe('es');
        expect(await page.textContent('h1')).toContain('Este enlace no funciona');
        expect(await accessibilityViolations(page), 'unknown link, es').toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
