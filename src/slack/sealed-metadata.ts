import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { ModalView } from '@slack/types';
import type { z } from 'zod';
import { readMetadata } from './view-state.js';

/**
 * A modal's private_metadata comes back in the submission as the payload claims it, so a form
 * could name any channel, round or plan. Every modal this app opens carries its metadata sealed:
 * an HMAC-SHA256 over the form's purpose (its callback_id), the person it was opened for and the
 * metadata itself, with a key derived from a server secret. A submission is believed only when the
 * seal verifies for that purpose and that submitter; the use case then looks the record up and
 * checks the submitter's right against it at that moment.
 *
 * The envelope is JSON: `{"seal":1,"for":"U123","data":"<the view's own metadata>","mac":"..."}`.
 * `seal` is the format's version: a change of layout or key derivation takes a new number, and
 * forms sealed under the old one are refused as out of date.
 */
export const SEAL_VERSION = 1;
const MAX_PRIVATE_METADATA = 3_000;
/** 32 bytes of HMAC-SHA256 in base64url, no padding. */
const MAC_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * - `unsealed`: not an envelope of this version (hand-made, an older form, or garbage);
 * - `forged`: the MAC does not verify (tampered, sealed with another key, or for another form);
 * - `not_yours`: a genuine form, opened for someone else.
 */
export type SealRefusal = 'unsealed' | 'forged' | 'not_yours';

export type Unsealed<T> = { ok: true; metadata: T } | { ok: false; reason: SealRefusal | 'malformed' };

export interface MetadataSeal {
  /** The view with its private_metadata sealed for this person; a view without metadata is unchanged. */
  seal<V extends ModalView>(view: V, userId: string): V;
  /** The view's own metadata, when this server sealed it for `purpose` and `userId`. */
  open(
    raw: unknown,
    purpose: string,
    userId: string,
  ): { ok: true; data: string } | { ok: false; reason: SealRefusal };
  /** open(), then the metadata parsed against its schema. */
  read<T>(raw: unknown, purpose: string, userId: string, schema: z.ZodType<T>): Unsealed<T>;
}

/**
 * The key is derived (HKDF-SHA256) rather than the secret used as is, so a MAC here can never be
 * mistaken for, or help forge, a request signature made with the same secret.
 */
export function createMetadataSeal(secret: string): MetadataSeal {
  if (!secret) throw new Error('the metadata seal needs a server secret');
  const key = Buffer.from(
    hkdfSync('sha256', secret, 'service-radar', `private_metadata seal v${SEAL_VERSION}`, 32),
  );
  const mac = (purpose: string, userId: string, data: string): Buffer =>
    // A JSON array keeps the fields apart: no choice of user id or data can shift a boundary.
    createHmac('sha256', key)
      .update(JSON.stringify([SEAL_VERSION, purpose, userId, data]))
      .digest();

  const open: MetadataSeal['open'] = (raw, purpose, userId) => {
    if (typeof raw !== 'string' || raw.length > MAX_PRIVATE_METADATA)
      return { ok: false, reason: 'unsealed' };
    let envelope: unknown;
    try {
      envelope = JSON.parse(raw);
    } catch {
      return { ok: false, reason: 'unsealed' };
    }
    if (typeof envelope !== 'object' || envelope === null) return { ok: false, reason: 'unsealed' };
    const { seal, for: sealedFor, data, mac: given } = envelope as Record<string, unknown>;
    if (
      seal !== SEAL_VERSION ||
      typeof sealedFor !== 'string' ||
      typeof data !== 'string' ||
      typeof given !== 'string' ||
      !MAC_PATTERN.test(given)
    )
      return { ok: false, reason: 'unsealed' };
    if (!timingSafeEqual(Buffer.from(given, 'base64url'), mac(purpose, sealedFor, data)))
      return { ok: false, reason: 'forged' };
    if (sealedFor !== userId) return { ok: false, reason: 'not_yours' };
    return { ok: true, data };
  };

  return {
    seal(view, userId) {
      if (view.private_metadata === undefined || !view.callback_id) return view;
      const data = view.private_metadata;
      const sealed = JSON.stringify({
        seal: SEAL_VERSION,
        for: userId,
        data,
        mac: mac(view.callback_id, userId, data).toString('base64url'),
      });
      // The builders keep their metadata to a few ids; past Slack's limit is a bug, not input.
      if (sealed.length > MAX_PRIVATE_METADATA)
        throw new Error(
          `sealed private_metadata of ${view.callback_id} is over ${MAX_PRIVATE_METADATA} characters`,
        );
      return { ...view, private_metadata: sealed };
    },
    open,
    read(raw, purpose, userId, schema) {
      const opened = open(raw, purpose, userId);
      if (!opened.ok) return opened;
      const metadata = readMetadata(opened.data, schema);
      return metadata === undefined ? { ok: false, reason: 'malformed' } : { ok: true, metadata };
    },
  };
}
