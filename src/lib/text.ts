import { removeControlCharacters } from './control-characters.js';

/** Escapes the three characters Slack's mrkdwn treats as control characters, so typed text cannot
 * mention @channel, link, or break formatting. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to at most `max` characters (by code point, so emoji are not split), marking the cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Trims and collapses inner whitespace, without control characters; empty becomes null. */
export function cleanText(value: string | null | undefined): string | null {
  if (value == null) return null;
  const cleaned = removeControlCharacters(value).replace(/\s+/g, ' ').trim();
  return cleaned === '' ? null : cleaned;
}

/** Trims a multi-line answer but keeps its line breaks, without control characters; empty becomes null. */
export function cleanParagraphs(value: string | null | undefined): string | null {
  if (value == null) return null;
  const cleaned = removeControlCharacters(value)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return cleaned === '' ? null : cleaned;
}

/** A mrkdwn quote of multi-line text. */
export function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
}

/** Code-point length, which is what Slack counts. */
export function charLength(text: string): number {
  return Array.from(text).length;
}
