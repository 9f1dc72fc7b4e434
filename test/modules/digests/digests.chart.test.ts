import { createCanvas, GlobalFonts, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import {
  CHART_FONT,
  CHART_HEIGHT,
  CHART_WIDTH,
  chartConfiguration,
  renderDigestChart,
} from '../../../src/modules/digests/digests.chart.js';
import { sampleDigest } from './digest-data.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Share of pixels in a box that are dark (text), not white background nor the coloured lines. */
async function inkIn(png: Buffer, box: { x: number; y: number; width: number; height: number }) {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const { data } = context.getImageData(box.x, box.y, box.width, box.height);
  let dark = 0;
  for (let i = 0; i < data.length; i += 4)
    if ((data[i] ?? 255) < 120 && (data[i + 1] ?? 255) < 120 && (data[i + 2] ?? 255) < 120) dark++;
  return dark / (box.width * box.height);
}

describe('digest chart', () => {
  it('is a PNG of sensible size with its title drawn in text', async () => {
    const png = await renderDigestChart(sampleDigest());
    expect(png).not.toBeNull();
    if (!png) return;
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    // IHDR: width and height, big-endian, right after the signature and chunk header.
    expect(png.readUInt32BE(16)).toBe(CHART_WIDTH);
    expect(png.readUInt32BE(20)).toBe(CHART_HEIGHT);
    expect(png.length).toBeGreaterThan(10_000);
    expect(png.length).toBeLessThan(1_000_000);
    // The app's own font is loaded (not left to whatever the system has), the title band has text in
    // it, and the background is painted white.
    expect(GlobalFonts.has(CHART_FONT)).toBe(true);
    expect(await inkIn(png, { x: 200, y: 20, width: 800, height: 40 })).toBeGreaterThan(0.02);
    expect(await inkIn(png, { x: 0, y: 0, width: 20, height: 20 })).toBe(0);
    const corner = await loadImage(png);
    const canvas = createCanvas(corner.width, corner.height);
    canvas.getContext('2d').drawImage(corner, 0, 0);
    expect([...canvas.getContext('2d').getImageData(2, 2, 1, 1).data]).toEqual([255, 255, 255, 255]);
  });

  it('draws the trend’s published figures and nothing else, with gaps for weeks not shown', () => {
    const data = sampleDigest();
    const config = chartConfiguration(data);
    const [self, customer] = config.data.datasets;
    expect(self?.data).toEqual(data.trend.map((point) => point.figures?.self ?? null));
    expect(customer?.data).toEqual(data.trend.map((point) => point.figures?.customer ?? null));
    expect(self?.data[3]).toBeNull();
    expect(JSON.stringify(config.options?.plugins?.subtitle)).toContain(
      'only units with 3 or more staff members and 3 or more customers',
    );
  });

  it('has nothing to draw when no week reaches the minimum', async () => {
    const data = sampleDigest();
    data.trend = data.trend.map((point) => ({ ...point, figures: null }));
    expect(await renderDigestChart(data)).toBeNull();
  });
});
