import { removeControlCharacters } from './control-characters.js';

/** Escapes the three characters Slack's mrkdwn treats as control characters, so text cannot mention
 * @channel or form a link. It does nothing for `*`, `_`, `~` or backticks: see inertMrkdwn. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * mrkdwn knows no escape for its formatting marks, so each becomes a character that looks alike
 * and that mrkdwn does not treat as a mark: mrkdwn only reacts to the ASCII ones.
 */
const LOOK_ALIKES: Record<string, string> = {
  '*': '\u2217', // ∗ asterisk operator
  _: '\u02CD', // ˍ modifier letter low macron
  '~': '\u223C', // ∼ tilde operator
  '`': '\u02CB', // ˋ modifier letter grave accent
};

/**
 * Typed words for the one place they must share a string Slack reads as mrkdwn: a message's `text`,
 * the notification and screen-reader fallback beside its blocks, which cannot be rich text. (Blocks
 * never need this: typed words go into plain_text or rich_text there.) They cannot mention, link,
 * quote or restyle: `&`, `<`, `>` become entities and `*`, `_`, `~`, backticks look-alikes.
 */
export function inertMrkdwn(text: string): string {
  return escapeMrkdwn(text).replace(/[*_~`]/g, (mark) => LOOK_ALIKES[mark] ?? mark);
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

/** Code-point length, which is what Slack counts. */
export function charLength(text: string): number {
  return Array.from(text).length;
}
