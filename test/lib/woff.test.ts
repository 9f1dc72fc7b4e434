import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { woffToSfnt } from '../../src/lib/woff.js';

const require = createRequire(import.meta.url);
const WOFF = readFileSync(require.resolve('@fontsource/dejavu-sans/files/dejavu-sans-latin-400-normal.woff'));

/** The sfnt's table directory: tag, offset, length. */
function tablesOf(sfnt: Buffer) {
  return Array.from({ length: sfnt.readUInt16BE(4) }, (_, i) => ({
    tag: sfnt.toString('latin1', 12 + i * 16, 16 + i * 16),
    offset: sfnt.readUInt32BE(20 + i * 16),
    length: sfnt.readUInt32BE(24 + i * 16),
  }));
}

describe('woffToSfnt', () => {
  it('unpacks DejaVu Sans into a TrueType file with every table, each where its record says', () => {
    const sfnt = woffToSfnt(WOFF);
    expect(sfnt.readUInt32BE(0)).toBe(WOFF.readUInt32BE(4));
    expect(sfnt.readUInt32BE(0)).toBe(0x00010000);
    const tables = tablesOf(sfnt);
    expect(tables).toHaveLength(WOFF.readUInt16BE(12));
    expect(tables.map((t) => t.tag)).toEqual(
      expect.arrayContaining(['cmap', 'glyf', 'head', 'loca', 'name']),
    );
    // totalSfntSize in the WOFF header is the size of the file it wraps.
    expect(sfnt.length).toBe(WOFF.readUInt32BE(16));
    for (const table of tables) {
      expect(table.offset % 4).toBe(0);
      expect(table.offset + table.length).toBeLessThanOrEqual(sfnt.length);
    }
    // The head table's magic number is where the directory says the table starts.
    const head = tables.find((t) => t.tag === 'head');
    expect(sfnt.readUInt32BE((head?.offset ?? 0) + 12)).toBe(0x5f0f3cf5);
    // The name table holds the family name, in UTF-16 big-endian.
    const name = tables.find((t) => t.tag === 'name');
    const bytes = sfnt.subarray(name?.offset ?? 0, (name?.offset ?? 0) + (name?.length ?? 0));
    const even = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
    expect(even.swap16().toString('utf16le')).toContain('DejaVu Sans');
  });

  it('refuses what is not a WOFF 1.0 font', () => {
    expect(() => woffToSfnt(Buffer.from('not a font at all, but long enough to have a header....'))).toThrow(
      'not a WOFF 1.0 font',
    );
    const truncated = Buffer.from(WOFF.subarray(0, 2000));
    expect(() => woffToSfnt(truncated)).toThrow();
  });
});
