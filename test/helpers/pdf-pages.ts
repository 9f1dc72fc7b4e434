import { createRequire } from 'node:module';
import { createCanvas, DOMMatrix, ImageData, Path2D } from '@napi-rs/canvas';
import jsqr from 'jsqr';

/**
 * Reads a PDF as a person would: pdf.js parses and draws each page on a Skia canvas, its text is
 * what pdf.js extracts, and a QR code on it is what jsQR decodes from the drawn pixels.
 */

// jsqr is CommonJS whose exports are the function, with itself as `default` too.
const jsQR = jsqr.default;

const require = createRequire(import.meta.url);
/** pdf.js's own fonts, for the 14 standard fonts a PDF may name without embedding. */
const STANDARD_FONTS = `${require.resolve('pdfjs-dist/package.json').replace(/package\.json$/, '')}standard_fonts/`;

export interface PdfPage {
  /** In PDF points. */
  width: number;
  height: number;
  text: string;
  /** The QR code drawn on the page, decoded; null when none could be read. */
  qr: string | null;
}

/**
 * pdf.js fills in the canvas classes it needs from its own copy of @napi-rs/canvas when they are
 * missing; under vitest that copy is a second module instance whose Path2D the canvas made here
 * does not accept. So the classes are this copy's, set before pdf.js is loaded.
 */
async function pdfjs() {
  const globals = globalThis as Record<string, unknown>;
  globals.Path2D ??= Path2D;
  globals.DOMMatrix ??= DOMMatrix;
  globals.ImageData ??= ImageData;
  return import('pdfjs-dist/legacy/build/pdf.mjs');
}

export async function readPdf(bytes: Buffer, scale = 2): Promise<PdfPage[]> {
  const { getDocument } = await pdfjs();
  const pdf = await getDocument({
    data: new Uint8Array(bytes),
    standardFontDataUrl: STANDARD_FONTS,
    useSystemFonts: false,
    isEvalSupported: false,
  }).promise;
  const pages: PdfPage[] = [];
  try {
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number);
      const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] = page.view;
      const content = await page.getTextContent();
      const text = content.items.map((item) => ('str' in item ? item.str : '')).join(' ');
      const viewport = page.getViewport({ scale });
      const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
      const context = canvas.getContext('2d');
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      // pdf.js draws on any 2D context shaped like the browser's; Skia's is one.
      await page.render({
        canvas,
        canvasContext: context,
        viewport,
      } as unknown as Parameters<typeof page.render>[0]).promise;
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const qr = jsQR(new Uint8ClampedArray(image.data.buffer), image.width, image.height);
      pages.push({ width: x1 - x0, height: y1 - y0, text, qr: qr?.data ?? null });
      page.cleanup();
    }
  } finally {
    await pdf.destroy();
  }
  return pages;
}
