/**
 * Characters that are not text: control characters (C0, DEL, C1), the terminal escape sequences
 * built from them, and the Unicode bidi controls that reorder the text after them.
 *
 * Typed input keeps its words and loses the rest (removeControlCharacters). Nobody means to type a
 * NUL or an escape: they arrive in pasted text, invisible, so an error asking to take them out
 * could not be acted on. PostgreSQL refuses NUL in text outright. Tab and line breaks stay (a
 * multi-line answer keeps its lines; single-line fields fold them into spaces afterwards).
 *
 * Bidi controls (U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates) are kept: people
 * who write right to left use them to get mixed text to read correctly. What is not legitimate is
 * one that never ends, which reorders whatever the app prints after the field on the same line; so
 * each line of input gets the closers its openers lack (and loses closers that close nothing), and
 * its effect stays inside the field.
 *
 * The operator's terminal is stricter (forTerminal, jsonForTerminal): escape sequences can move the
 * cursor, rewrite the screen or set the window title, and bidi controls can make a table lie about
 * which value is in which column; they are removed from text and escaped in JSON.
 */

// biome-ignore-start lint/suspicious/noControlCharactersInRegex: these patterns exist to find control characters.
/**
 * ECMA-48 escape sequences, 7-bit and 8-bit: a control sequence (CSI, `ESC [` or U+009B, with its
 * parameters and final byte), a command string (OSC, DCS, SOS, PM, APC) up to its terminator, or a
 * two-character escape. A command string's body stops at the next introducer, so an unterminated
 * one costs one scan, not one per character.
 */
const ESCAPE_SEQUENCES =
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d-\u009f])[^\u0007\u001b\u0090\u0098\u009b-\u009f]*(?:\u0007|\u001b\\|\u009c)|\u001b[\u0020-\u002f]*[\u0030-\u007e]/g;

/** Every C0 control but tab and line feed, DEL, and every C1 control. */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** CR LF, a lone CR, vertical tab, form feed, NEL, and the Unicode line and paragraph separators. */
const LINE_BREAKS = /\r\n?|[\u000b\u000c\u0085\u2028\u2029]/g;
// biome-ignore-end lint/suspicious/noControlCharactersInRegex: see above.

const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;
const HAS_BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

const POP_DIRECTIONAL_FORMATTING = '\u202c';
const POP_DIRECTIONAL_ISOLATE = '\u2069';

/**
 * Typed text as it may be stored: line breaks made `\n`, escape sequences and other control
 * characters removed, and every line's bidi embeddings, overrides and isolates closed.
 */
export function removeControlCharacters(text: string): string {
  const plain = text.replace(LINE_BREAKS, '\n').replace(ESCAPE_SEQUENCES, '').replace(CONTROL_CHARACTERS, '');
  return HAS_BIDI_CONTROL.test(plain) ? plain.split('\n').map(closeBidiControls).join('\n') : plain;
}

/**
 * Makes a line's bidi controls self-contained, following UAX #9: a PDF closes the latest embedding
 * or override but never reaches past an isolate; a PDI closes the latest isolate and everything
 * opened inside it. Openers left open get their closers at the end of the line; closers with
 * nothing to close do nothing, and are dropped so that a field split later (units at commas) does
 * not carry one into its next part.
 */
function closeBidiControls(line: string): string {
  const open: ('embedding' | 'isolate')[] = [];
  let kept = '';
  for (const char of line) {
    if (char === POP_DIRECTIONAL_FORMATTING) {
      if (open[open.length - 1] !== 'embedding') continue;
      open.pop();
    } else if (char === POP_DIRECTIONAL_ISOLATE) {
      const isolate = open.lastIndexOf('isolate');
      if (isolate < 0) continue;
      open.length = isolate;
    } else if (char >= '\u202a' && char <= '\u202e') {
      open.push('embedding');
    } else if (char >= '\u2066' && char <= '\u2068') {
      open.push('isolate');
    }
    kept += char;
  }
  const closers = open
    .reverse()
    .map((kind) => (kind === 'embedding' ? POP_DIRECTIONAL_FORMATTING : POP_DIRECTIONAL_ISOLATE));
  return kept + closers.join('');
}

/**
 * Text safe to print on a terminal: escape sequences, control characters other than tab and line
 * feed (carriage return included: it lets text overwrite what came before on its line) and bidi
 * controls removed.
 */
export function forTerminal(text: string): string {
  return text.replace(ESCAPE_SEQUENCES, '').replace(CONTROL_CHARACTERS, '').replace(BIDI_CONTROLS, '');
}

/** What JSON.stringify leaves raw but a terminal acts on: DEL, C1 controls, line separators, bidi controls. */
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON for a terminal: JSON.stringify escapes C0 controls (`\u001b`) itself; this escapes the rest
 * the same way, so the output parses to the same values and prints as plain ASCII escapes.
 */
export function jsonForTerminal(value: unknown): string {
  return (JSON.stringify(value, null, 2) ?? 'null').replace(
    RAW_IN_JSON,
    (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}
