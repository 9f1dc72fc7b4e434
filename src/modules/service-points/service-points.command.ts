import { charLength } from '../../lib/text.js';

/**
 * What an admin typed after `/service-point`, read into a plain value: no Slack, no database, so
 * every way of typing it can be tested as data. The manifest has Slack escape the text
 * (should_escape), so a mention arrives as `<@U123|name>` or `<@U123>`, and `&`, `<`, `>` typed by
 * hand arrive as `&amp;`, `&lt;`, `&gt;`.
 */

/** A service point's name is printed on its poster: one line or two, not a paragraph. */
export const NAME_LIMIT = 80;
/** The same limit as a unit typed on the round form (rounds.content.ts LIMITS.unit). */
export const UNIT_LIMIT = 60;

export type ServicePointAction = 'add' | 'list' | 'poster' | 'retire';

/** Why what was typed cannot be acted on; the sentences are in service-points.words.ts. */
export type ServicePointParseCode =
  | 'name_missing'
  | 'name_unclosed'
  | 'name_too_long'
  | 'name_not_text'
  | 'name_markup'
  | 'unit_missing'
  | 'unit_too_long'
  | 'unit_not_text'
  | 'unit_markup'
  | 'owner_not_mention'
  | 'option_repeated'
  | 'unexpected_text';

export type ServicePointCommand =
  | { action: 'help' }
  | { action: 'unknown'; typed: string }
  | { action: 'add'; name: string; unit: string; ownerUserId: string | null }
  | { action: 'list' }
  | { action: 'poster' | 'retire'; name: string }
  | { action: 'add' | 'poster' | 'retire'; invalid: ServicePointParseCode };

/** Opening quotes: straight, and the curly ones phones and Macs put in instead (“ ” „). */
const OPENING = new Set(['"', '\u201c', '\u201d', '\u201e']);
const CLOSING = new Set(['"', '\u201c', '\u201d']);

// biome-ignore lint/suspicious/noControlCharactersInRegex: this pattern exists to find control characters.
const NOT_TEXT = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
/** Slack's markup for a mention, a channel, a special mention (`<!here>`) or a link. */
const MARKUP = /<[@#!]|<[a-z][a-z0-9+.-]*:/i;
const MENTION = /^<@([UW][A-Z0-9]{2,})(?:\|[^<>]*)?>$/;
/** An option: a key, a colon, a value up to the next option; at the start or after a space. */
const OPTION_KEY = /(^|\s)(unit|owner):/gi;

/** Undoes Slack's escaping of `&`, `<`, `>` (and only that, as Slack does only that). */
const unescapeSlack = (value: string) =>
  value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const collapse = (value: string) => value.replace(/\s+/g, ' ').trim();

/** A value without the quotes it may have been typed in. */
function unquote(value: string): string {
  const trimmed = value.trim();
  const first = trimmed[0];
  const last = trimmed[trimmed.length - 1];
  if (trimmed.length >= 2 && first && last && OPENING.has(first) && CLOSING.has(last))
    return trimmed.slice(1, -1);
  return trimmed;
}

/**
 * A name at the start of `rest`: in quotes (straight or curly), or everything up to the first
 * option. Returns what follows it.
 */
function leadingName(rest: string): { name: string; after: string } | { invalid: 'name_unclosed' } {
  const first = rest[0];
  if (first && OPENING.has(first)) {
    for (let i = 1; i < rest.length; i++) {
      if (CLOSING.has(rest[i] as string)) return { name: rest.slice(1, i), after: rest.slice(i + 1) };
    }
    return { invalid: 'name_unclosed' };
  }
  OPTION_KEY.lastIndex = 0;
  const option = OPTION_KEY.exec(rest);
  const end = option ? option.index : rest.length;
  return { name: rest.slice(0, end), after: rest.slice(end) };
}

type Checked = { ok: true; value: string } | { ok: false; code: ServicePointParseCode };

/** A name or unit as it is stored: unescaped, one line, spaces collapsed, plain text. */
function checkWords(raw: string, what: 'name' | 'unit', limit: number): Checked {
  if (MARKUP.test(raw)) return { ok: false, code: `${what}_markup` };
  const value = unescapeSlack(raw);
  if (NOT_TEXT.test(value.replace(/[\t\n]/g, ' '))) return { ok: false, code: `${what}_not_text` };
  const words = collapse(value);
  if (words === '') return { ok: false, code: `${what}_missing` };
  if (charLength(words) > limit) return { ok: false, code: `${what}_too_long` };
  return { ok: true, value: words };
}

/** The options after a name: `unit:` and `owner:`, each at most once, in either order. */
function options(
  text: string,
): { ok: true; unit?: string; owner?: string } | { ok: false; code: ServicePointParseCode } {
  const found: { key: 'unit' | 'owner'; start: number; valueStart: number }[] = [];
  OPTION_KEY.lastIndex = 0;
  for (let match = OPTION_KEY.exec(text); match; match = OPTION_KEY.exec(text)) {
    const start = match.index + (match[1]?.length ?? 0);
    found.push({
      key: (match[2] ?? '').toLowerCase() as 'unit' | 'owner',
      start,
      valueStart: match.index + match[0].length,
    });
  }
  const before = found.length > 0 ? text.slice(0, found[0]?.start) : text;
  if (before.trim() !== '') return { ok: false, code: 'unexpected_text' };
  const values: { unit?: string; owner?: string } = {};
  for (const [index, option] of found.entries()) {
    if (values[option.key] !== undefined) return { ok: false, code: 'option_repeated' };
    values[option.key] = text.slice(option.valueStart, found[index + 1]?.start ?? text.length);
  }
  return { ok: true, ...values };
}

function parseAdd(rest: string): ServicePointCommand {
  const invalid = (code: ServicePointParseCode) => ({ action: 'add' as const, invalid: code });
  const lead = leadingName(rest);
  if ('invalid' in lead) return invalid(lead.invalid);
  const name = checkWords(lead.name, 'name', NAME_LIMIT);
  if (!name.ok) return invalid(name.code);
  const parsed = options(lead.after);
  if (!parsed.ok) return invalid(parsed.code);
  if (parsed.unit === undefined) return invalid('unit_missing');
  const unit = checkWords(unquote(parsed.unit), 'unit', UNIT_LIMIT);
  if (!unit.ok) return invalid(unit.code);
  let ownerUserId: string | null = null;
  if (parsed.owner !== undefined) {
    const mention = MENTION.exec(parsed.owner.trim());
    if (!mention?.[1]) return invalid('owner_not_mention');
    ownerUserId = mention[1];
  }
  return { action: 'add', name: name.value, unit: unit.value, ownerUserId };
}

/** `poster` and `retire` take a name, quoted or not, and nothing else. */
function parseNamed(action: 'poster' | 'retire', rest: string): ServicePointCommand {
  const first = rest[0];
  let raw = rest;
  if (first && OPENING.has(first)) {
    const lead = leadingName(rest);
    if ('invalid' in lead) return { action, invalid: lead.invalid };
    if (lead.after.trim() !== '') return { action, invalid: 'unexpected_text' };
    raw = lead.name;
  }
  const name = checkWords(raw, 'name', NAME_LIMIT);
  if (!name.ok) return { action, invalid: name.code };
  return { action, name: name.value };
}

/** Reads the text after `/service-point`. */
export function parseServicePointCommand(typed: string): ServicePointCommand {
  const text = typed.trim();
  const space = text.search(/\s/);
  const word = (space === -1 ? text : text.slice(0, space)).toLowerCase();
  const rest = space === -1 ? '' : text.slice(space).trim();
  switch (word) {
    case '':
    case 'help':
      return { action: 'help' };
    case 'add':
      return parseAdd(rest);
    case 'list':
      return rest === '' ? { action: 'list' } : { action: 'unknown', typed: text };
    case 'poster':
    case 'retire':
      return parseNamed(word, rest);
    default:
      return { action: 'unknown', typed: text };
  }
}
