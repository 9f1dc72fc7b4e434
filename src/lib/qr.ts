import { qrcodeModule } from './heavy-modules.js';

/**
 * QR codes of patrons' links, drawn by the `qrcode` package. Error correction M (15%) survives a
 * smudged poster or a phone held at an angle; the quiet zone is the standard four modules.
 */
const OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

/** A PNG of the QR code, `width` pixels square (for Slack and PDF posters). */
export async function qrPng(text: string, width = 512): Promise<Buffer> {
  return qrcodeModule().toBuffer(text, { ...OPTIONS, type: 'png', width });
}
