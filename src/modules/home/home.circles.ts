import { createHash } from 'node:crypto';
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { Round } from '../../db/schema.js';
import { RADAR_FONT, radarCanvas } from '../../lib/heavy-modules.js';
import { truncate } from '../../lib/text.js';
import type { CustomerRound } from './home.customers.repository.js';

/**
 * "Your customers", the handbook's first follow-up step: a staff member's customers in concentric
 * circles, core at the centre, then regular, occasional, and those who should be customers but
 * aren't outermost. Each customer is a dot in the ring of their latest round's segment, coloured by
 * their latest score, with the score written in the dot so colour is never the only carrier.
 *
 * First the layout, as plain data (tested on its own), then the drawing, on the same Skia canvas and
 * with the same shipped font (DejaVu Sans from npm) as the digest's chart.
 */

export type Segment = Round['segment'];

/** From the centre out. */
export const SEGMENTS: readonly Segment[] = ['core', 'regular', 'occasional', 'should_be'];

export const SEGMENT_NAMES: Record<Segment, string> = {
  core: 'Core',
  regular: 'Regular',
  occasional: 'Occasional',
  should_be: "Should be, but aren't",
};

/** A customer as the circles and the services' grid see them. */
export interface Customer {
  /** The round's customer key: `slack:U123` or `name:<lower-cased name>`. */
  key: string;
  userId: string | null;
  label: string;
  /** Their latest round's segment. */
  segment: Segment;
  /** Their latest answered round's score; null when they never answered. */
  score: number | null;
  lastRoundAt: Date;
}

/** A Slack customer whose name neither the cache nor Slack gave in time: a neutral label. */
export const neutralLabel = (n: number) => `Colleague ${n}`;

/**
 * Each customer once, from a staff member's rounds (newest first): their latest round's segment,
 * their latest score. Slack customers take the people directory's name from `names`, or the cache's,
 * or a neutral label; outside customers their typed name. Ordered by ring, then latest round first.
 */
export function customersFrom(
  rounds: readonly CustomerRound[],
  names: ReadonlyMap<string, string> = new Map(),
): Customer[] {
  const byKey = new Map<string, Customer>();
  let unnamed = 0;
  for (const round of rounds) {
    const known = byKey.get(round.customerKey);
    if (known) {
      if (known.score === null && round.customerScore !== null) known.score = round.customerScore;
      continue;
    }
    const label = round.customerUserId
      ? (names.get(round.customerUserId) ?? round.cachedName ?? neutralLabel(++unnamed))
      : round.customerName;
    byKey.set(round.customerKey, {
      key: round.customerKey,
      userId: round.customerUserId,
      label,
      segment: round.segment,
      score: round.customerScore,
      lastRoundAt: round.createdAt,
    });
  }
  return [...byKey.values()].sort(
    (a, b) =>
      SEGMENTS.indexOf(a.segment) - SEGMENTS.indexOf(b.segment) ||
      b.lastRoundAt.getTime() - a.lastRoundAt.getTime(),
  );
}

// ---------------------------------------------------------------------------------------------
// Colours, and the words beside them

export type ScoreBand = 'high' | 'middle' | 'low' | 'none';

export function scoreBand(score: number | null): ScoreBand {
  if (score === null) return 'none';
  if (score >= 8) return 'high';
  if (score >= 5) return 'middle';
  return 'low';
}

export const BAND_COLOURS: Record<ScoreBand, string> = {
  high: '#1e7b45',
  middle: '#b8650f',
  low: '#b3261e',
  none: '#6b7280',
};

export const BAND_WORDS: Record<ScoreBand, string> = {
  high: '8-10: green',
  middle: '5-7: amber',
  low: '1-4: red',
  none: 'not rated yet: grey',
};

// ---------------------------------------------------------------------------------------------
// The layout

export const CIRCLES = {
  width: 1400,
  height: 1200,
  cx: 600,
  cy: 600,
  /** Each ring's outer radius, from the centre out (core is a disc). */
  radii: [150, 300, 450, 590] as const,
  /** The core's dots sit on this radius; every other ring's on its middle. */
  coreDotRadius: 80,
  dotRadius: 17,
  /** Arc length kept between two dots' centres, so their labels (below each dot) never meet. */
  spacing: 120,
  labelFontSize: 14,
  /** What fits in `spacing` at that size, in DejaVu Sans; the drawing trims further by measuring. */
  labelChars: 13,
} as const;

export interface PlacedDot {
  key: string;
  /** As drawn: cut to fit. */
  label: string;
  fullLabel: string;
  segment: Segment;
  score: number | null;
  band: ScoreBand;
  x: number;
  y: number;
}

export interface RingLayout {
  segment: Segment;
  inner: number;
  outer: number;
  /** Where the ring's name is written (top of the ring). */
  title: { text: string; x: number; y: number };
  dots: PlacedDot[];
  /** Customers of this ring not drawn, said as "+N more" in the ring. */
  more: number;
  moreAt: { x: number; y: number } | null;
}

export interface CirclesLayout {
  width: number;
  height: number;
  cx: number;
  cy: number;
  dotRadius: number;
  rings: RingLayout[];
}

/** How many labelled dots a ring holds, keeping `spacing` between their centres. */
export function ringCapacity(segment: Segment): number {
  return Math.max(1, Math.floor((2 * Math.PI * dotOrbit(segment)) / CIRCLES.spacing));
}

function dotOrbit(segment: Segment): number {
  const i = SEGMENTS.indexOf(segment);
  if (i === 0) return CIRCLES.coreDotRadius;
  return ((CIRCLES.radii[i - 1] ?? 0) + (CIRCLES.radii[i] ?? 0)) / 2;
}

/**
 * Where each customer is drawn: on their ring's middle, evenly spaced, the most recent first; a ring
 * with more customers than it can label shows as many as fit and says "+N more".
 */
export function circlesLayout(customers: readonly Customer[]): CirclesLayout {
  const { cx, cy } = CIRCLES;
  const rings = SEGMENTS.map((segment, i): RingLayout => {
    const inner = i === 0 ? 0 : (CIRCLES.radii[i - 1] ?? 0);
    const outer = CIRCLES.radii[i] ?? 0;
    const mine = customers.filter((customer) => customer.segment === segment);
    const capacity = ringCapacity(segment);
    const shown = mine.slice(0, capacity);
    const orbit = dotOrbit(segment);
    const dots = shown.map((customer, k): PlacedDot => {
      // Starting just right of the top, so the ring's name (at the top) stays clear.
      const angle = -Math.PI / 2 + (2 * Math.PI * (k + 0.5)) / Math.max(shown.length, 2);
      return {
        key: customer.key,
        label: truncate(customer.label, CIRCLES.labelChars),
        fullLabel: customer.label,
        segment,
        score: customer.score,
        band: scoreBand(customer.score),
        x: Math.round(cx + orbit * Math.cos(angle)),
        y: Math.round(cy + orbit * Math.sin(angle)),
      };
    });
    const more = mine.length - shown.length;
    return {
      segment,
      inner,
      outer,
      title: { text: SEGMENT_NAMES[segment], x: cx, y: cy - outer + 22 },
      dots,
      more,
      // The core's "+N more" goes at the very centre, the other rings' just inside their inner edge.
      moreAt: more > 0 ? { x: cx, y: i === 0 ? cy : cy + inner + 22 } : null,
    };
  });
  return { width: CIRCLES.width, height: CIRCLES.height, cx, cy, dotRadius: CIRCLES.dotRadius, rings };
}

/** Changes exactly when the picture would: what a republish compares before uploading again. */
export function circlesHash(layout: CirclesLayout): string {
  return createHash('sha256')
    .update(JSON.stringify({ drawing: DRAWING_VERSION, layout }))
    .digest('hex');
}

/** Raise when the drawing changes, so every picture is drawn and uploaded again once. */
const DRAWING_VERSION = 1;

/** The picture in words, for the image's alt text: who is in which ring, with their score. */
export function circlesInWords(layout: CirclesLayout, max = 2000): string {
  const parts = layout.rings.map((ring) => {
    const count = ring.dots.length + ring.more;
    if (count === 0) return `${SEGMENT_NAMES[ring.segment]}: nobody.`;
    const names = ring.dots
      .map((dot) => `${dot.fullLabel} (${dot.score === null ? 'not rated yet' : `${dot.score}/10`})`)
      .join(', ');
    return `${SEGMENT_NAMES[ring.segment]} (${count}): ${names}${ring.more > 0 ? `, and ${ring.more} more` : ''}.`;
  });
  return truncate(`Your customers in circles, from the centre out. ${parts.join(' ')}`, max);
}

// ---------------------------------------------------------------------------------------------
// The drawing

export const CIRCLES_FONT = RADAR_FONT;

const RING_FILLS = ['#dde7f2', '#e9eff6', '#f2f5f9', '#fafafa'];
const INK = '#2b2b2b';
const font = (size: number, bold = false) => `${bold ? 'bold ' : ''}${size}px "${CIRCLES_FONT}"`;

/** Cuts a label until it fits `width` as drawn (the layout's cut counts characters, not pixels). */
function fitted(ctx: SKRSContext2D, label: string, width: number): string {
  let fit = label;
  while (fit.length > 1 && ctx.measureText(fit).width > width)
    fit = truncate(fit, Array.from(fit).length - 1);
  return fit;
}

/**
 * Draws the layout to a PNG. `withText: false` leaves every word and number out (tests compare the
 * two to see that the text was drawn).
 */
export function drawCircles(layout: CirclesLayout, options: { withText?: boolean } = {}): Buffer {
  const withText = options.withText ?? true;
  const canvas = radarCanvas().createCanvas(layout.width, layout.height);
  const ctx = canvas.getContext('2d');
  // Slack shows images on dark themes too: paint the background rather than leave it transparent.
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, layout.width, layout.height);

  // Rings, outermost first so each inner one paints over it.
  for (const ring of [...layout.rings].reverse()) {
    const i = SEGMENTS.indexOf(ring.segment);
    ctx.beginPath();
    ctx.arc(layout.cx, layout.cy, ring.outer, 0, 2 * Math.PI);
    ctx.fillStyle = RING_FILLS[i] ?? '#ffffff';
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#8a9bb0';
    // The outer circle is dashed: they are not customers yet.
    ctx.setLineDash(ring.segment === 'should_be' ? [10, 8] : []);
    ctx.stroke();
  }
  ctx.setLineDash([]);

  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const ring of layout.rings) {
    if (withText) {
      ctx.font = font(18, true);
      ctx.fillStyle = INK;
      ctx.fillText(ring.title.text, ring.title.x, ring.title.y);
      if (ring.moreAt) {
        ctx.font = font(15, true);
        ctx.fillText(`+${ring.more} more`, ring.moreAt.x, ring.moreAt.y);
      }
    }
    for (const dot of ring.dots) {
      ctx.beginPath();
      ctx.arc(dot.x, dot.y, layout.dotRadius, 0, 2 * Math.PI);
      ctx.fillStyle = BAND_COLOURS[dot.band];
      ctx.fill();
      if (!withText) continue;
      ctx.font = font(15, true);
      ctx.fillStyle = '#ffffff';
      ctx.fillText(dot.score === null ? '–' : String(dot.score), dot.x, dot.y + 1);
      ctx.font = font(CIRCLES.labelFontSize);
      ctx.fillStyle = INK;
      ctx.fillText(
        fitted(ctx, dot.label, CIRCLES.spacing - 10),
        dot.x,
        dot.y + layout.dotRadius + CIRCLES.labelFontSize,
      );
    }
  }

  // The legend: every colour with its words, and what the number in a dot is.
  const legendX = 1215;
  let y = 60;
  if (withText) {
    ctx.textAlign = 'left';
    ctx.font = font(18, true);
    ctx.fillStyle = INK;
    ctx.fillText('Latest score', legendX, y);
  }
  for (const band of ['high', 'middle', 'low', 'none'] as const) {
    y += 40;
    ctx.beginPath();
    ctx.arc(legendX + 12, y, 12, 0, 2 * Math.PI);
    ctx.fillStyle = BAND_COLOURS[band];
    ctx.fill();
    if (withText) {
      ctx.font = font(14);
      ctx.fillStyle = INK;
      ctx.fillText(BAND_WORDS[band], legendX + 32, y);
    }
  }
  if (withText) {
    ctx.font = font(13);
    ctx.fillStyle = INK;
    ctx.fillText('The number in a dot', legendX, y + 44);
    ctx.fillText('is that score.', legendX, y + 62);
  }
  return canvas.toBuffer('image/png');
}
