import { hashToken, newToken } from '../../lib/tokens.js';

/** What making patrons' links needs: where the pages are, and how long a link lasts. */
export interface PatronLinkSettings {
  /** PUBLIC_URL, without a trailing slash. */
  publicUrl: string;
  /** ROUND_EXPIRY_DAYS: a link lasts as long as its round can be answered. */
  expiryDays: number;
}

/** A new link's token (shown once, in the staff member's DM), its hash (stored) and its end. */
export function newPatronLink(
  settings: PatronLinkSettings,
  now: Date,
): { token: string; tokenHash: string; expiresAt: Date } {
  const token = newToken();
  return {
    token,
    tokenHash: hashToken(token),
    expiresAt: new Date(now.getTime() + settings.expiryDays * 86_400_000),
  };
}

/** The page a patron opens. */
export const patronLinkUrl = (settings: PatronLinkSettings, token: string): string =>
  `${settings.publicUrl}/r/${token}`;
