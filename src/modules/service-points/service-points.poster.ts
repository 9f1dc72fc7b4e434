import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pdfkitModule, qrcodeModule } from '../../lib/heavy-modules.js';
import { woffToSfnt } from '../../lib/woff.js';
import { POSTER_WORDS } from './service-points.words.js';

/**
 * A service point's poster, for the desk: the library's name, the point's name, one line of
 * invitation, the QR code of the point's link (large, drawn as vector squares so it prints sharp
 * at any size) and the link itself under it, for people who type it in.
 *
 * The font ships with the app (DejaVu Sans from npm, unpacked once from its WOFF into the TrueType
 * file it wraps, then embedded and subset by pdfkit), so names in
 * Latin, Greek or Cyrillic script print as typed. pdfkit lays text out left to right only: a name in
 * Hebrew or Arabic prints its letters, but not in right-to-left order.
 *
 * The same point, link and date give the same bytes: pdfkit derives the file's id from its info
 * dictionary, whose dates are the `now` it is given.
 */

/** A4 and US Letter, in PDF points (1/72 inch). */
export const POSTER_SIZES = {
  a4: { label: 'A4', width: 595.28, height: 841.89 },
  letter: { label: 'US Letter', width: 612, height: 792 },
} as const;
export type PosterSize = keyof typeof POSTER_SIZES;
export const POSTER_SIZE_ORDER: readonly PosterSize[] = ['a4', 'letter'];

export interface PosterContent {
  libraryName: string;
  pointName: string;
  /** The point's walk-up link, which the QR code holds. */
  url: string;
}

const MARGIN = 56;
/** The QR code's side: large enough to scan from a step or two away. */
const QR_SIDE = 420;
/** The standard quiet zone: four modules of white around the code. */
const QUIET_MODULES = 4;
/** The name's sizes, largest first, and the height it may take (three lines at the largest). */
const NAME_SIZES = [34, 30, 26, 22] as const;
const SMALLEST_NAME_SIZE = 18;
const NAME_ROOM = 130;
const INK = '#1a1a1a';
const MUTED = '#4a4a4a';

let fonts: { regular: Buffer; bold: Buffer } | undefined;
function posterFonts(): { regular: Buffer; bold: Buffer } {
  if (fonts) return fonts;
  const require = createRequire(import.meta.url);
  const file = (weight: string) =>
    woffToSfnt(
      readFileSync(require.resolve(`@fontsource/dejavu-sans/files/dejavu-sans-latin-${weight}-normal.woff`)),
    );
  fonts = { regular: file('400'), bold: file('700') };
  return fonts;
}

/** Draws the QR code's dark modules as squares, with its quiet zone, in a square of `side` points. */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, side: number): void {
  const qr = qrcodeModule().create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const module = side / (size + 2 * QUIET_MODULES);
  doc.rect(x, y, side, side).fill('#ffffff');
  for (let row = 0; row < size; row++)
    for (let col = 0; col < size; col++)
      if (qr.modules.get(row, col))
        doc.rect(x + (col + QUIET_MODULES) * module, y + (row + QUIET_MODULES) * module, module, module);
  doc.fill('#000000');
}

/** One poster, one page, as PDF bytes. */
export function renderPoster(content: PosterContent, size: PosterSize, now: Date): Promise<Buffer> {
  const { width, height } = POSTER_SIZES[size];
  const { regular, bold } = posterFonts();
  const PDFDocument = pdfkitModule();
  const doc = new PDFDocument({
    size: [width, height],
    margin: MARGIN,
    autoFirstPage: true,
    info: {
      Title: POSTER_WORDS.title(content.pointName),
      Author: content.libraryName,
      Subject: POSTER_WORDS.invitation,
      Creator: 'Service Radar',
      Producer: 'Service Radar',
      CreationDate: now,
      ModDate: now,
    },
    lang: 'en',
  });
  doc.registerFont('regular', regular);
  doc.registerFont('bold', bold);

  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const textWidth = width - 2 * MARGIN;
  const centred = { width: textWidth, align: 'center' as const };
  let y = MARGIN;
  doc.font('regular').fontSize(18).fillColor(MUTED);
  doc.text(content.libraryName, MARGIN, y, centred);
  y = doc.y + 18;
  // The point's name in full: the largest size at which it fits in three lines' room.
  doc.font('bold').fillColor(INK);
  const nameSize =
    NAME_SIZES.find((size) => doc.fontSize(size).heightOfString(content.pointName, centred) <= NAME_ROOM) ??
    SMALLEST_NAME_SIZE;
  doc.fontSize(nameSize);
  doc.text(content.pointName, MARGIN, y, centred);
  y = doc.y + 16;
  doc.font('regular').fontSize(17).fillColor(INK);
  doc.text(POSTER_WORDS.invitation, MARGIN, y, centred);
  y = doc.y + 14;

  // The code gets what room is left above the link, and never more than QR_SIDE.
  const linkBlock = 60;
  const side = Math.max(160, Math.min(QR_SIDE, textWidth, height - MARGIN - linkBlock - y));
  drawQr(doc, content.url, (width - side) / 2, y, side);
  y += side + 8;
  doc.font('regular').fontSize(11).fillColor(MUTED);
  doc.text(POSTER_WORDS.scan, MARGIN, y, centred);
  doc.font('regular').fontSize(12).fillColor(INK);
  doc.text(content.url, MARGIN, doc.y + 4, centred);

  doc.end();
  return done;
}
