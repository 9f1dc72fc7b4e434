import { createRequire } from 'node:module';

/**
 * Libraries that take tens of MiB once loaded (a native canvas, a PDF writer, a chart renderer, a
 * QR encoder), loaded the first time something is drawn rather than at start-up: an app that has
 * not drawn a chart or a poster yet does not hold them. Loaded synchronously (their CommonJS
 * builds), so the drawing functions keep their signatures; types come from type-only imports.
 */
const require = createRequire(import.meta.url);

function once<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}

export const canvasModule = once(() => require('@napi-rs/canvas') as typeof import('@napi-rs/canvas'));
export const chartModule = once(() => require('chart.js') as typeof import('chart.js'));
export const pdfkitModule = once(() => require('pdfkit') as typeof import('pdfkit'));
export const qrcodeModule = once(() => require('qrcode') as typeof import('qrcode'));

/** The family the charts and pictures draw their text in: DejaVu Sans, shipped from npm. */
export const RADAR_FONT = 'Radar Sans';

/**
 * The canvas, with DejaVu Sans (regular and bold, from @fontsource/dejavu-sans) registered as
 * RADAR_FONT, so text renders the same where the system has no fonts.
 */
export const radarCanvas = once(() => {
  const canvas = canvasModule();
  for (const weight of ['400', '700']) {
    const path = require.resolve(`@fontsource/dejavu-sans/files/dejavu-sans-latin-${weight}-normal.woff2`);
    if (!canvas.GlobalFonts.registerFromPath(path, RADAR_FONT))
      throw new Error(`could not load the drawing font from ${path}`);
  }
  return canvas;
});
