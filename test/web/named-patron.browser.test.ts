import { eq } from 'drizzle-orm';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { patronLinks, roundResponses } from '../../src/db/schema.js';
import { startRound } from '../../src/modules/rounds/rounds.usecases.js';
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
import { webEnv } from '../helpers/patron-pages.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * A named patron's page in a real Chromium: the six questions and the rating answered by keyboard
 * alone, on a phone and at 200% zoom, in English and Spanish, with axe-core checking the empty
 * form, the form with errors, the thanks page and the used and withdrawn links. Without Chromium
 * these do not run, and test/global-setup.ts says so (in CI it fails instead).
 */
const chromiumPath = inject('chromiumPath');

const WORDS = {
  en: { errors: 'There is a problem', thanks: 'Thank you', used: 'This link has been used' },
  es: { errors: 'Hay un problema', thanks: 'Gracias', used: 'Este enlace ya se ha usado' },
} as const;

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** The five answers the page requires, in page order; the sixth (additionalComments) is optional. */
const REQUIRED = ['needFromMe', 'whyDependOnMe', 'notAdequatelyProviding', 'concentrateOn', 'noLongerNeed'];

if (chromiumPath)
  describe('named patron page in a browser', () => {
    let standIn: SlackStandIn;
    let database: TestDatabase;
    let app: TestApp;
    let browser: Browser;
    beforeAll(async () => {
      standIn = await startSlackStandIn();
      standIn.addUser({ id: 'USTAFF', name: 'sam', real_name: 'Sam Staff', tz: 'UTC' });
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

    const roundWithLink = async (service: string) => {
      const deps = app.radar.dependencies;
      const started = await startRound({
        rounds: deps.repositories.rounds,
        directory: deps.interactive.directory,
        clock: deps.clock,
        links: deps.settings.patronLinks,
        staffUserId: 'USTAFF',
        staffTimeZone: 'UTC',
        sourceViewId: `V-${service}`,
        draft: {
          customerUserId: null,
          customerName: 'Pat Patron',
          previousService: null,
          newService: service,
          segment: 'regular',
          unit: 'Access',
          selfScore: '8',
          selfNote: null,
          interviewOn: inDays(3),
        },
      });
      if (!started.ok || !started.linkToken) throw new Error('no link');
      return { round: started.round, path: `/r/${started.linkToken}` };
    };

    for (const screen of SCREENS)
      for (const lang of ['en', 'es'] as const)
        it(`is answered by keyboard alone on a ${screen.name} screen in ${lang}`, async () => {
          const { round, path } = await roundWithLink(`Rooms ${screen.name} ${lang}`);
          const context = await browser.newContext({ viewport: screen.viewport, locale: lang });
          const page = await context.newPage();
          try {
            await page.goto(`${app.baseUrl}${path}`);
            expect(await page.getAttribute('html', 'lang')).toBe(lang);
            expect(await page.textContent('h1')).toContain('Sam Staff');
            expect(await accessibilityViolations(page), 'empty form').toEqual([]);
            expect(await fitsWidth(page)).toBe(true);

            // One answer typed, then sent: the others are reported, what was typed stays.
            await tabTo(page, '#needFromMe');
            await page.keyboard.type('Quiet rooms');
            await tabTo(page, 'button[type=submit]');
            await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
            await page.waitForSelector('.error-summary', { timeout: 5000 }).catch(async (error) => {
              throw new Error(`no error summary: ${await page.content()}`, { cause: error });
            });
            expect(await page.textContent('.error-summary')).toContain(WORDS[lang].errors);
            expect(await page.inputValue('#needFromMe')).toBe('Quiet rooms');
            expect(await accessibilityViolations(page), 'with errors').toEqual([]);
            expect(await fitsWidth(page)).toBe(true);
            await tabTo(page, '.error-summary a[href="#whyDependOnMe"]');
            await page.keyboard.press('Enter');
            expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).location.hash)).toBe(
              '#whyDependOnMe',
            );

            for (const field of REQUIRED.slice(1)) {
              await tabTo(page, `#${field}`);
              await page.keyboard.type(`${field} answer`);
            }
            // Rating 6: Space picks 1, each arrow moves one up.
            await tabTo(page, 'input[name=customerScore]');
            await page.keyboard.press('Space');
            for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
            await tabTo(page, '#shareWithManager');
            await page.keyboard.press('Space');
            await tabTo(page, 'button[type=submit]');
            await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
            await page.waitForSelector(`h1:has-text("${WORDS[lang].thanks}")`);
            expect(await accessibilityViolations(page), 'thanks').toEqual([]);

            const stored = await database.handle.db
              .select()
              .from(roundResponses)
              .where(eq(roundResponses.roundId, round.id));
            expect(stored).toMatchObject([
              {
                customerScore: 6,
                needFromMe: 'Quiet rooms',
                concentrateOn: 'concentrateOn answer',
                shareWithManager: true,
                recordedOnBehalf: false,
              },
            ]);

            // The link again: it has been used, and says so accessibly, without a form.
            const again = await page.goto(`${app.baseUrl}${path}`);
            expect(again?.status()).toBe(410);
            expect(await page.textContent('h1')).toContain(WORDS[lang].used);
            expect(await page.$('form')).toBeNull();
            expect(await accessibilityViolations(page), 'used link').toEqual([]);
          } finally {
            await context.close();
          }
        });

    it('shows an expired link accessibly', async () => {
      const { round, path } = await roundWithLink('Expired');
      await database.handle.db
        .update(patronLinks)
        .set({ expiresAt: new Date(Date.now() - 60_000) })
        .where(eq(patronLinks.roundId, round.id));
      const context = await browser.newContext({ viewport: SCREENS[1].viewport, locale: 'es' });
      const page = await context.newPage();
      try {
        const response = await page.goto(`${app.baseUrl}${path}`);
        expect(response?.status()).toBe(410);
        expect(await page.textContent('h1')).toContain('Este enlace ha caducado');
        expect(await page.$('form')).toBeNull();
        expect(await accessibilityViolations(page), 'expired link').toEqual([]);
        expect(await fitsWidth(page)).toBe(true);
      } finally {
        await context.close();
      }
    });

    it('shows a withdrawn link accessibly', async () => {
      const { round, path } = await roundWithLink('Withdrawn');
      await app.radar.dependencies.repositories.reminders.cancelRound(round.id, 'USTAFF', new Date());
      const context = await browser.newContext({ viewport: SCREENS[0].viewport, locale: 'en' });
      const page = await context.newPage();
      try {
        const response = await page.goto(`${app.baseUrl}${path}`);
        expect(response?.status()).toBe(410);
        expect(await page.textContent('h1')).toContain('This link was withdrawn');
        expect(await page.$('form')).toBeNull();
        expect(await accessibilityViolations(page), 'withdrawn link').toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
