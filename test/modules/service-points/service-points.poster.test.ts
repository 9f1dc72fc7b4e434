import { describe, expect, it } from 'vitest';
import {
  POSTER_SIZE_ORDER,
  POSTER_SIZES,
  renderPoster,
} from '../../../src/modules/service-points/service-points.poster.js';
import { POSTER_WORDS } from '../../../src/modules/service-points/service-points.words.js';
import { readPdf } from '../../helpers/pdf-pages.js';

const NOW = new Date('2026-03-02T10:00:00Z');
const CONTENT = {
  libraryName: 'Riverside Public Library',
  pointName: 'Reference desk',
  url: 'https://radar.example.org/s/AbCdEfGhIjKlMnOpQrStUv_-',
};

/** pdf.js may split a line into runs; compare text with its spaces folded away. */
const squeezed = (text: string) => text.replace(/\s+/g, '');

describe('service point poster', () => {
  it.each(POSTER_SIZE_ORDER)('is one %s page whose QR code decodes to the link', async (size) => {
    const pdf = await renderPoster(CONTENT, size, NOW);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pages = await readPdf(pdf);
    expect(pages).toHaveLength(1);
    const [page] = pages;
    expect(page?.width).toBeCloseTo(POSTER_SIZES[size].width, 1);
    expect(page?.height).toBeCloseTo(POSTER_SIZES[size].height, 1);
    expect(page?.qr).toBe(CONTENT.url);
    const text = squeezed(page?.text ?? '');
    expect(text).toContain(squeezed(CONTENT.libraryName));
    expect(text).toContain(squeezed(CONTENT.pointName));
    expect(text).toContain(squeezed(POSTER_WORDS.invitation));
    expect(text).toContain(squeezed(CONTENT.url));
  });

  it('prints names in other scripts with the embedded font, and the long ones still leave room for the code', async () => {
    const content = {
      libraryName: 'Bibliothèque municipale de Saint-Étienne-du-Rouvray et des communes voisines',
      pointName: 'Справочная служба · Βιβλιοθήκη · Żółć — Information and reference desk, floor 2 ',
      url: CONTENT.url,
    };
    content.pointName += 'x'.repeat(80 - Array.from(content.pointName).length);
    const pdf = await renderPoster(content, 'letter', NOW);
    expect(pdf.toString('latin1')).toMatch(/\/FontFile2/);
    expect(pdf.toString('latin1')).toContain('DejaVuSans');
    const [page] = await readPdf(pdf);
    expect(page?.qr).toBe(CONTENT.url);
    // All of it: a long name is set smaller, never cut.
    expect(squeezed(page?.text ?? '')).toContain(squeezed(content.pointName));
    expect(squeezed(page?.text ?? '')).toContain(squeezed(content.libraryName));
  });

  it('gives the same bytes for the same point and date, and other bytes for another link', async () => {
    const first = await renderPoster(CONTENT, 'a4', NOW);
    expect((await renderPoster(CONTENT, 'a4', NOW)).equals(first)).toBe(true);
    const other = await renderPoster({ ...CONTENT, url: `${CONTENT.url.slice(0, -1)}A` }, 'a4', NOW);
    expect(other.equals(first)).toBe(false);
    expect((await readPdf(other))[0]?.qr).toBe(`${CONTENT.url.slice(0, -1)}A`);
  });
});
