/**
 * Text no one types on purpose, for tests of what the app stores and prints: a NUL, terminal escape
 * sequences (a colour, a window title, a screen clear), a C1 control, and a bidi override left open.
 */
export const ESC = '\u001b';
export const RLO = '\u202e';
export const PDF = '\u202c';

/** `marker` wrapped in all of it; cleanLine and cleanParagraph say what may be stored of it. */
export function hostile(marker: string): string {
  return `\u0000${ESC}[31m${marker}${ESC}[0m${ESC}]0;owned\u0007\u0085\u009b2J${RLO}x`;
}

/** What removeControlCharacters makes of hostile(marker) in a single-line field (NEL folds to a space). */
export const cleanLine = (marker: string): string => `${marker} ${RLO}x${PDF}`;
/** What it makes of hostile(marker) in a multi-line field, where NEL is a line break. */
export const cleanParagraph = (marker: string): string => `${marker}\n${RLO}x${PDF}`;

// biome-ignore-start lint/suspicious/noControlCharactersInRegex: the point is to find control characters.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** ... and what a terminal acts on besides: bidi embeddings, overrides and isolates. */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// biome-ignore-end lint/suspicious/noControlCharactersInRegex: see above.

/** True when the text holds a control character other than tab and newline. */
export const hasControlCharacter = (text: string): boolean => CONTROL.test(text);

/** The first character in the text that a terminal would act on, if any. */
export const terminalControlIn = (text: string): string | undefined => TERMINAL_CONTROL.exec(text)?.[0];
