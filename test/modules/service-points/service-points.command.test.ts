import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NAME_LIMIT,
  parseServicePointCommand as parse,
  UNIT_LIMIT,
} from '../../../src/modules/service-points/service-points.command.js';
import { hostile, RLO } from '../../helpers/hostile-text.js';

describe('/service-point text', () => {
  it('reads help, an empty command and unknown words', () => {
    expect(parse('')).toEqual({ action: 'help' });
    expect(parse('   ')).toEqual({ action: 'help' });
    expect(parse('HELP')).toEqual({ action: 'help' });
    expect(parse('delete "Reference desk"')).toEqual({ action: 'unknown', typed: 'delete "Reference desk"' });
    expect(parse('list everything')).toEqual({ action: 'unknown', typed: 'list everything' });
    expect(parse(' List ')).toEqual({ action: 'list' });
  });

  it('reads a name in straight quotes, curly quotes or none, and the unit', () => {
    const added = { action: 'add', name: 'Reference desk', unit: 'Reference', ownerUserId: null };
    expect(parse('add "Reference desk" unit:Reference')).toEqual(added);
    expect(parse('add \u201cReference desk\u201d unit:Reference')).toEqual(added);
    expect(parse('add \u201eReference desk\u201c unit:Reference')).toEqual(added);
    expect(parse('ADD Reference desk unit:Reference')).toEqual(added);
    expect(parse('add   "  Reference   desk " UNIT: Reference ')).toEqual(added);
    expect(parse('add "Reference desk" unit:"Special Collections"')).toEqual({
      ...added,
      unit: 'Special Collections',
    });
    expect(parse('add Children’s corner unit:Youth Services')).toEqual({
      ...added,
      name: 'Children’s corner',
      unit: 'Youth Services',
    });
    // A quoted name may hold the words an option starts with.
    expect(parse('add "Desk unit:3" unit:Reference')).toEqual({ ...added, name: 'Desk unit:3' });
  });

  it('reads the owner as a mention in both of the forms Slack sends', () => {
    const owned = { action: 'add', name: 'Reference desk', unit: 'Reference', ownerUserId: 'U0LEAD42' };
    expect(parse('add "Reference desk" unit:Reference owner:<@U0LEAD42|lena>')).toEqual(owned);
    expect(parse('add "Reference desk" unit:Reference owner:<@U0LEAD42>')).toEqual(owned);
    expect(parse('add "Reference desk" owner: <@U0LEAD42> unit:Reference')).toEqual(owned);
    expect(parse('add Reference desk owner:<@W0LEAD42> unit:Reference')).toEqual({
      ...owned,
      ownerUserId: 'W0LEAD42',
    });
  });

  it('undoes Slack’s escaping of & < > in names', () => {
    expect(parse('add "Maps &amp; Atlases &lt;3&gt;" unit:Maps &amp; GIS')).toEqual({
      action: 'add',
      name: 'Maps & Atlases <3>',
      unit: 'Maps & GIS',
      ownerUserId: null,
    });
  });

  it('says what is missing or wrong', () => {
    const code = (text: string) => {
      const parsed = parse(text);
      return 'invalid' in parsed ? parsed.invalid : parsed.action;
    };
    expect(code('add')).toBe('name_missing');
    expect(code('add "" unit:Reference')).toBe('name_missing');
    expect(code('add unit:Reference')).toBe('name_missing');
    expect(code('add "Reference desk unit:Reference')).toBe('name_unclosed');
    expect(code('add "Reference desk"')).toBe('unit_missing');
    expect(code('add "Reference desk" unit:')).toBe('unit_missing');
    expect(code('add "Reference desk" unit: ""')).toBe('unit_missing');
    expect(code(`add "${'x'.repeat(81)}" unit:Reference`)).toBe('name_too_long');
    expect(code(`add "${'é'.repeat(80)}" unit:Reference`)).toBe('add');
    expect(code(`add "Reference desk" unit:${'u'.repeat(61)}`)).toBe('unit_too_long');
    expect(code('add "Reference desk" unit:Reference owner:lena')).toBe('owner_not_mention');
    expect(code('add "Reference desk" unit:Reference owner:@lena')).toBe('owner_not_mention');
    expect(code('add "Reference desk" unit:Reference owner:<#C0123|general>')).toBe('owner_not_mention');
    expect(code('add "Reference desk" unit:Reference owner:<@U0LEAD42> <@U0OTHER1>')).toBe(
      'owner_not_mention',
    );
    expect(code('add "Reference desk" unit:Reference unit:Circulation')).toBe('option_repeated');
    expect(code('add "Reference desk" upstairs unit:Reference')).toBe('unexpected_text');
    expect(code('poster')).toBe('name_missing');
    expect(code('retire "Reference desk" now')).toBe('unexpected_text');
    expect(code('retire "Reference desk')).toBe('name_unclosed');
  });

  it('refuses hostile text: control and direction characters, mentions, channels and links', () => {
    const code = (text: string) => {
      const parsed = parse(text);
      return 'invalid' in parsed ? parsed.invalid : parsed.action;
    };
    expect(code(`add "${hostile('Desk')}" unit:Reference`)).toBe('name_not_text');
    expect(code(`add "Desk ${RLO}kseD" unit:Reference`)).toBe('name_not_text');
    expect(code('add "Desk\u0000" unit:Reference')).toBe('name_not_text');
    expect(code(`add "Desk" unit:Ref\u001b[31merence`)).toBe('unit_not_text');
    expect(code('add "<!channel> desk" unit:Reference')).toBe('name_markup');
    expect(code('add "Ask <@U0LEAD42>" unit:Reference')).toBe('name_markup');
    expect(code('add "Desk <https://evil.example|click>" unit:Reference')).toBe('name_markup');
    expect(code('add "Desk" unit:<#C0123|general>')).toBe('unit_markup');
    expect(code(`poster "${hostile('Desk')}"`)).toBe('name_not_text');
    // mrkdwn marks are words like any other here: the replies show names as rich text.
    expect(parse('add "*Desk* _now_ `x`" unit:Reference')).toMatchObject({ name: '*Desk* _now_ `x`' });
  });

  it('reads the name of poster and retire, quoted or not', () => {
    expect(parse('poster "Reference desk"')).toEqual({ action: 'poster', name: 'Reference desk' });
    expect(parse('poster \u201cReference desk\u201d')).toEqual({ action: 'poster', name: 'Reference desk' });
    expect(parse('retire Reference   desk')).toEqual({ action: 'retire', name: 'Reference desk' });
    expect(parse('Retire "Maps &amp; Atlases"')).toEqual({ action: 'retire', name: 'Maps & Atlases' });
  });

  it('never throws, and whatever it accepts is plain text within the limits', () => {
    const piece = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.string({ unit: 'binary', maxLength: 10 }),
      fc.constantFrom(
        '"',
        '\u201c',
        '\u201d',
        '\u201e',
        'unit:',
        'owner:',
        '<@U0LEAD42>',
        '<!here>',
        '&amp;',
        ' ',
      ),
    );
    const typed = fc
      .tuple(fc.constantFrom('add ', 'poster ', 'retire ', 'list', ''), fc.array(piece, { maxLength: 12 }))
      .map(([word, pieces]) => word + pieces.join(''));
    fc.assert(
      fc.property(typed, (text) => {
        const parsed = parse(text);
        const words = [
          'name' in parsed ? parsed.name : undefined,
          'unit' in parsed ? parsed.unit : undefined,
        ].filter((w): w is string => w !== undefined);
        for (const word of words) {
          expect(word.trim()).toBe(word);
          expect(word).not.toBe('');
          // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters.
          expect(word).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
        }
        if ('name' in parsed) expect(Array.from(parsed.name).length).toBeLessThanOrEqual(NAME_LIMIT);
        if ('unit' in parsed) expect(Array.from(parsed.unit).length).toBeLessThanOrEqual(UNIT_LIMIT);
        if ('ownerUserId' in parsed && parsed.ownerUserId !== null)
          expect(parsed.ownerUserId).toMatch(/^[UW][A-Z0-9]+$/);
      }),
      { numRuns: 2000 },
    );
  });
});
