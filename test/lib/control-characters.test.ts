import { describe, expect, it } from 'vitest';
import { forTerminal, jsonForTerminal, removeControlCharacters } from '../../src/lib/control-characters.js';
import { cleanParagraphs, cleanText } from '../../src/lib/text.js';

import {
  cleanLine,
  cleanParagraph,
  ESC,
  hasControlCharacter,
  hostile,
  PDF,
  RLO,
} from '../helpers/hostile-text.js';

const RLI = '\u2067';
const PDI = '\u2069';

describe('removeControlCharacters (typed input)', () => {
  it('removes NUL, DEL, C0 and C1 controls, and whole escape sequences, keeping the words', () => {
    expect(removeControlCharacters('Inter\u0000library')).toBe('Interlibrary');
    expect(removeControlCharacters(`${ESC}[31mred${ESC}[0m text`)).toBe('red text');
    expect(removeControlCharacters(`${ESC}]0;owned\u0007title`)).toBe('title');
    expect(removeControlCharacters(`${ESC}]8;;https://x.example${ESC}\\link${ESC}]8;;${ESC}\\`)).toBe('link');
    expect(removeControlCharacters('\u009b2Jcleared\u009d0;t\u009cok')).toBe('clearedok');
    expect(removeControlCharacters(`reset${ESC}c here${ESC}(B`)).toBe('reset here');
    expect(removeControlCharacters('a\u0007b\u0008c\u007fd\u0080e\u009ff')).toBe('abcdef');
  });

  it('keeps tab and newline, and makes every other line break a newline', () => {
    expect(removeControlCharacters('one\ttwo\nthree')).toBe('one\ttwo\nthree');
    expect(removeControlCharacters('a\r\nb\rc\u000bd\u000ce\u0085f\u2028g\u2029h')).toBe(
      'a\nb\nc\nd\ne\nf\ng\nh',
    );
  });

  it('leaves what remains of an unterminated sequence as inert text', () => {
    const cleaned = removeControlCharacters(`${ESC}]0;never ends ${ESC}[31`);
    expect(hasControlCharacter(cleaned)).toBe(false);
    expect(cleaned).toContain('never ends');
  });

  it('keeps bidi controls, closing each line’s unclosed ones at its end and dropping stray closers', () => {
    expect(removeControlCharacters(`שלום ${RLO}abc${PDF} ok`)).toBe(`שלום ${RLO}abc${PDF} ok`);
    expect(removeControlCharacters(`name ${RLO}gpj.exe`)).toBe(`name ${RLO}gpj.exe${PDF}`);
    expect(removeControlCharacters(`${RLI}a${RLO}b\nplain`)).toBe(`${RLI}a${RLO}b${PDF}${PDI}\nplain`);
    // A PDI closes the embeddings inside its isolate; a PDF cannot close an isolate.
    expect(removeControlCharacters(`${RLI}a${RLO}b${PDI}c`)).toBe(`${RLI}a${RLO}b${PDI}c`);
    expect(removeControlCharacters(`${RLI}a${PDF}b`)).toBe(`${RLI}ab${PDI}`);
    // Closers that close nothing are dropped, so a part split off later cannot carry one.
    expect(removeControlCharacters(`a${PDF}${PDI}b`)).toBe('ab');
    expect(cleanText(`x${PDF}`)).toBe('x');
  });

  it('does the same twice as once', () => {
    const nasty = `${ESC}${ESC}[31m[31m x\u0000${RLO}y\r\n${RLI}z`;
    const once = removeControlCharacters(nasty);
    expect(removeControlCharacters(once)).toBe(once);
    expect(hasControlCharacter(once)).toBe(false);
  });

  it('takes linear time on a long unterminated command string', () => {
    const long = `${ESC}]${'a'.repeat(200_000)}${`${ESC}]`.repeat(50_000)}\u009d${'b'.repeat(100_000)}`;
    const started = performance.now();
    const cleaned = removeControlCharacters(long);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(hasControlCharacter(cleaned)).toBe(false);
  });

  it('is what the modules’ own cleaning applies, for every front door', () => {
    expect(cleanText(`  Refer\u0000ence ${ESC}[1m desk\t`)).toBe('Reference desk');
    expect(cleanParagraphs(`Line one\u0000\r\n${ESC}[2JLine two ${RLO}x`)).toBe(
      `Line one\nLine two ${RLO}x${PDF}`,
    );
    expect(cleanText('\u0000\u0007')).toBeNull();
  });
});

describe('forTerminal and jsonForTerminal (operator output)', () => {
  it('removes escape sequences, controls (carriage return too) and bidi controls', () => {
    expect(forTerminal(`${ESC}[2J${ESC}]0;pwned\u0007Casey\r${RLO}evil${PDF}\u2066x${PDI}\u0000`)).toBe(
      'Caseyevilx',
    );
    expect(forTerminal('a\tb\nc')).toBe('a\tb\nc');
  });

  it('escapes what JSON.stringify would leave raw, and parses back to the same value', () => {
    const value = { name: `${ESC}[31mCasey${RLO}\u009b\u2028${RLI}` };
    const json = jsonForTerminal(value);
    expect(json).toContain('\\u001b');
    expect(json).toContain('\\u202e');
    expect(json).toContain('\\u009b');
    expect(json).toContain('\\u2028');
    expect(json).toContain('\\u2067');
    expect(json).not.toMatch(/[^\n\u0020-\u007e]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('the hostile text the end-to-end tests send', () => {
  it('cleans to the values they expect stored', () => {
    expect(cleanText(hostile('M'))).toBe(cleanLine('M'));
    expect(cleanParagraphs(hostile('M'))).toBe(cleanParagraph('M'));
  });
});
