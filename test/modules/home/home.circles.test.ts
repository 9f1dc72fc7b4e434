import { createCanvas, GlobalFonts, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import {
  BAND_COLOURS,
  CIRCLES,
  CIRCLES_FONT,
  type Customer,
  circlesHash,
  circlesInWords,
  circlesLayout,
  customersFrom,
  drawCircles,
  ringCapacity,
  SEGMENTS,
  type Segment,
} from '../../../src/modules/home/home.circles.js';
import type { CustomerRound } from '../../../src/modules/home/home.customers.repository.js';

const at = (day: number) => new Date(Date.UTC(2026, 10, day));

const round = (fields: Partial<CustomerRound> & { customerKey: string; createdAt: Date }): CustomerRound => ({
  id: 1,
  customerUserId: null,
  customerName: fields.customerKey,
  cachedName: null,
  service: 'Loans',
  serviceKey: 'loans',
  segment: 'core',
  customerScore: null,
  ...fields,
});

const customer = (i: number, segment: Segment, score: number | null): Customer => ({
  key: `name:c${i}`,
  userId: null,
  label: `Customer ${i}`,
  segment,
  score,
  lastRoundAt: at(1 + (i % 28)),
});

const distance = (layout: ReturnType<typeof circlesLayout>, x: number, y: number) =>
  Math.hypot(x - layout.cx, y - layout.cy);

async function pixel(png: Buffer, x: number, y: number): Promise<string> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const [r, g, b] = ctx.getImageData(x, y, 1, 1).data;
  return `#${[r, g, b].map((v) => (v ?? 0).toString(16).padStart(2, '0')).join('')}`;
}

describe('customers from rounds', () => {
  it("takes each customer's latest round's segment and latest score, and names them", () => {
    // Newest first, as the repository reads them.
    const customers = customersFrom(
      [
        round({ customerKey: 'slack:U1', customerUserId: 'U1', segment: 'regular', createdAt: at(20) }),
        round({
          customerKey: 'name:pat',
          customerName: 'Pat <Patron>',
          segment: 'should_be',
          createdAt: at(19),
        }),
        round({
          customerKey: 'slack:U1',
          customerUserId: 'U1',
          segment: 'core',
          customerScore: 4,
          createdAt: at(10),
        }),
        round({
          customerKey: 'slack:U1',
          customerUserId: 'U1',
          segment: 'core',
          customerScore: 9,
          createdAt: at(5),
        }),
        round({ customerKey: 'slack:U2', customerUserId: 'U2', cachedName: 'Casey', createdAt: at(3) }),
        round({ customerKey: 'slack:U3', customerUserId: 'U3', createdAt: at(2) }),
      ],
      new Map([['U1', 'Robin Reader']]),
    );
    expect(customers.map((c) => [c.label, c.segment, c.score])).toEqual([
      // Core first, then regular, then should-be.
      ['Casey', 'core', null],
      ['Colleague 1', 'core', null],
      ['Robin Reader', 'regular', 4],
      ['Pat <Patron>', 'should_be', null],
    ]);
  });
});

describe('the circles layout', () => {
  const customers = [
    customer(1, 'core', 9),
    customer(2, 'core', 3),
    customer(3, 'regular', 6),
    customer(4, 'regular', null),
    customer(5, 'occasional', 8),
    customer(6, 'should_be', 2),
    customer(7, 'should_be', null),
  ];

  it("puts each customer's dot, whole, inside their segment's ring", () => {
    const layout = circlesLayout(customers);
    expect(layout.rings.map((ring) => ring.segment)).toEqual(SEGMENTS);
    for (const ring of layout.rings) {
      const expected = customers.filter((c) => c.segment === ring.segment).map((c) => c.key);
      expect(ring.dots.map((dot) => dot.key)).toEqual(expected);
      for (const dot of ring.dots) {
        const d = distance(layout, dot.x, dot.y);
        expect(d, `${dot.label} in ${ring.segment}`).toBeGreaterThanOrEqual(ring.inner + layout.dotRadius);
        expect(d, `${dot.label} in ${ring.segment}`).toBeLessThanOrEqual(ring.outer - layout.dotRadius);
      }
      expect(ring.more).toBe(0);
    }
  });

  it('labels as many as fit, keeps labels apart, and counts the rest as "+N more"', () => {
    const crowd = Array.from({ length: 60 }, (_, i) => customer(i, i < 30 ? 'core' : 'occasional', 5));
    const layout = circlesLayout(crowd);
    const core = layout.rings[0];
    const occasional = layout.rings[2];
    expect(core?.dots).toHaveLength(ringCapacity('core'));
    expect(core?.more).toBe(30 - ringCapacity('core'));
    expect(core?.moreAt).not.toBeNull();
    expect(occasional?.dots).toHaveLength(ringCapacity('occasional'));
    expect(occasional?.more).toBe(30 - ringCapacity('occasional'));
    // Any two labelled dots are far enough apart for their labels (drawn below each) not to meet.
    const dots = layout.rings.flatMap((ring) => ring.dots);
    for (const [i, a] of dots.entries())
      for (const b of dots.slice(i + 1)) {
        const apart = Math.abs(a.x - b.x) >= CIRCLES.spacing - 12 || Math.abs(a.y - b.y) >= 40;
        expect(apart, `${a.label} and ${b.label}`).toBe(true);
      }
    expect(dots.every((dot) => Array.from(dot.label).length <= CIRCLES.labelChars)).toBe(true);
  });

  it('says in words who is in which ring, with their score', () => {
    const words = circlesInWords(circlesLayout(customers));
    expect(words).toContain('Core (2): Customer 1 (9/10), Customer 2 (3/10).');
    expect(words).toContain('Regular (2): Customer 3 (6/10), Customer 4 (not rated yet).');
    expect(words).toContain("Should be, but aren't (2): Customer 6 (2/10), Customer 7 (not rated yet).");
  });

  it('hashes the same for the same picture, differently when a score changes', () => {
    expect(circlesHash(circlesLayout(customers))).toBe(circlesHash(circlesLayout([...customers])));
    const changed = customers.map((c) => (c.key === 'name:c3' ? { ...c, score: 7 } : c));
    expect(circlesHash(circlesLayout(changed))).not.toBe(circlesHash(circlesLayout(customers)));
  });
});

describe('the circles picture', () => {
  const customers = [
    customer(1, 'core', 9),
    customer(2, 'regular', 6),
    customer(3, 'occasional', 2),
    customer(4, 'should_be', null),
  ];

  it("draws each dot in its score's colour, in its ring", async () => {
    const layout = circlesLayout(customers);
    const png = drawCircles(layout);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const image = await loadImage(png);
    expect([image.width, image.height]).toEqual([CIRCLES.width, CIRCLES.height]);
    const expected = { 'name:c1': 'high', 'name:c2': 'middle', 'name:c3': 'low', 'name:c4': 'none' } as const;
    for (const ring of layout.rings)
      for (const dot of ring.dots) {
        // Just inside the dot's top edge: clear of the score written in its middle.
        const colour = await pixel(png, dot.x, dot.y - layout.dotRadius + 4);
        expect(colour, dot.label).toBe(BAND_COLOURS[expected[dot.key as keyof typeof expected]]);
      }
    // Between the rings' dots, no dot colour: the ring's own fill.
    const core = layout.rings[0];
    expect(Object.values(BAND_COLOURS)).not.toContain(await pixel(png, layout.cx, layout.cy - 40));
    expect(core?.dots[0]?.band).toBe('high');
  });

  it('writes its labels in the shipped font', async () => {
    const layout = circlesLayout(customers);
    const withText = drawCircles(layout);
    expect(GlobalFonts.has(CIRCLES_FONT)).toBe(true);
    const withoutText = drawCircles(layout, { withText: false });
    expect(withText.equals(withoutText)).toBe(false);
    // The font measures as DejaVu Sans does: wider than a fallback's missing glyphs would be zero.
    const ctx = createCanvas(10, 10).getContext('2d');
    ctx.font = `14px "${CIRCLES_FONT}"`;
    const width = ctx.measureText('Customer 1').width;
    expect(width).toBeGreaterThan(60);
    expect(width).toBeLessThan(CIRCLES.spacing - 10);
  });
});
