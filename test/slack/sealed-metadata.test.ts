import type { ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMetadataSeal } from '../../src/slack/sealed-metadata.js';
import { expectWithinBlockKitLimits } from '../helpers/block-kit-limits.js';

const SECRET = 'a-signing-secret-0123456789abcdef';
const FORM = 'plan_note';
const schema = z.object({ planId: z.number().int().positive() });

const modal = (privateMetadata: string | undefined, callbackId: string | undefined = FORM): ModalView => ({
  type: 'modal',
  ...(callbackId ? { callback_id: callbackId } : {}),
  ...(privateMetadata === undefined ? {} : { private_metadata: privateMetadata }),
  title: { type: 'plain_text', text: 'Add a note' },
  blocks: [],
});

describe('sealed private_metadata', () => {
  const seal = createMetadataSeal(SECRET);
  const sealed = seal.seal(modal('{"planId":7}'), 'USTAFF').private_metadata as string;

  it('gives a form its own metadata back for the person and form it was sealed for', () => {
    expect(JSON.parse(sealed)).toMatchObject({ seal: 1, for: 'USTAFF', data: '{"planId":7}' });
    expect(seal.read(sealed, FORM, 'USTAFF', schema)).toEqual({ ok: true, metadata: { planId: 7 } });
    // Another copy of the app with the same secret opens it too (several copies behind a balancer).
    expect(createMetadataSeal(SECRET).open(sealed, FORM, 'USTAFF')).toEqual({
      ok: true,
      data: '{"planId":7}',
    });
  });

  it('refuses it changed, for someone else, for another form, or sealed with another key', () => {
    const envelope = JSON.parse(sealed) as Record<string, unknown>;
    const variant = (changes: Record<string, unknown>) => JSON.stringify({ ...envelope, ...changes });
    const flipped = String(envelope.mac).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(seal.open(variant({ data: '{"planId":8}' }), FORM, 'USTAFF')).toEqual({
      ok: false,
      reason: 'forged',
    });
    expect(seal.open(variant({ for: 'UOTHER' }), FORM, 'UOTHER')).toEqual({ ok: false, reason: 'forged' });
    expect(seal.open(variant({ mac: flipped }), FORM, 'USTAFF')).toEqual({ ok: false, reason: 'forged' });
    expect(seal.open(sealed, FORM, 'UOTHER')).toEqual({ ok: false, reason: 'not_yours' });
    expect(seal.open(sealed, 'plan_close', 'USTAFF')).toEqual({ ok: false, reason: 'forged' });
    expect(createMetadataSeal('another-secret').open(sealed, FORM, 'USTAFF')).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  it('refuses what it never sealed: plain metadata, another version, garbage, over 3,000 characters', () => {
    const envelope = JSON.parse(sealed) as Record<string, unknown>;
    for (const raw of [
      '{"planId":7}',
      JSON.stringify({ ...envelope, seal: 2 }),
      JSON.stringify({ ...envelope, mac: 'short' }),
      JSON.stringify({ ...envelope, data: { planId: 7 } }),
      '',
      'not json',
      'null',
      '[]',
      undefined,
      42,
      `${sealed}${' '.repeat(3_001 - sealed.length)}`,
    ])
      expect(seal.open(raw, FORM, 'USTAFF'), String(raw)).toEqual({ ok: false, reason: 'unsealed' });
    // Sealed, but not what the form expects.
    const wrongShape = seal.seal(modal('{"roundId":7}'), 'USTAFF').private_metadata;
    expect(seal.read(wrongShape, FORM, 'USTAFF', schema)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('leaves a view without metadata alone, and keeps a sealed one within Slack’s limits', () => {
    const notice = modal(undefined, undefined);
    expect(seal.seal(notice, 'USTAFF')).toBe(notice);
    const big = seal.seal(modal(JSON.stringify({ note: 'x'.repeat(2_800) })), 'U0123456789');
    expectWithinBlockKitLimits('modal', big);
    expect(() => seal.seal(modal(JSON.stringify({ note: 'x'.repeat(2_950) })), 'USTAFF')).toThrow(
      /over 3000 characters/,
    );
  });

  it('needs a secret', () => {
    expect(() => createMetadataSeal('')).toThrow(/server secret/);
  });
});
