import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/**
 * Where Debian's Chromium is, for the patron pages' browser tests: CHROMIUM_PATH, or the usual
 * places. Undefined when none is found (test/global-setup.ts then warns, or fails in CI).
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((path): path is string => Boolean(path) && existsSync(path as string));
}

/** Whether a missing Chromium fails the run instead of leaving the browser tests out (CI). */
export function browserRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.CI) || env.REQUIRE_BROWSER === '1';
}

/** A port free right now, so PUBLIC_URL can name the very origin the browser will post from. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The two screens every page is tried on. A phone: 375 x 667 CSS pixels. 200% zoom: a 1280 x 720
 * window zoomed to 200% lays pages out in 640 x 360 CSS pixels, which is what this viewport gives
 * (deviceScaleFactor only sharpens pixels; it does not change the layout width).
 */
export const SCREENS = [
  { name: 'phone', viewport: { width: 375, height: 667 } },
  { name: '200% zoom', viewport: { width: 640, height: 360 } },
] as const;

/** WCAG 2.1 A and AA violations axe-core finds on the page, as `rule: target` lines. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return results.violations.flatMap((violation) =>
    violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`),
  );
}

/** Presses Tab until the focused element matches `selector` (keyboard only, as a patron would). */
export async function tabTo(page: Page, selector: string, maxPresses = 40): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    if (
      await page.evaluate(
        (s) => (globalThis as unknown as PageGlobals).document.activeElement?.matches(s) ?? false,
        selector,
      )
    )
      return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Whether the page fits its viewport's width (no sideways scrolling, WCAG 1.4.10). */
export async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth <=
      (globalThis as unknown as PageGlobals).innerWidth,
  );
}

/**
 * The little of the browser's DOM these helpers read inside page.evaluate, typed here so the
 * project keeps Node's types only.
 */
export interface PageGlobals {
  document: {
    activeElement: { matches(selector: string): boolean } | null;
    documentElement: { scrollWidth: number };
  };
  innerWidth: number;
  location: { hash: string };
}
