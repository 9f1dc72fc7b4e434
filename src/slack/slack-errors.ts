import { ErrorCode } from '@slack/web-api';
import type { PostFailure } from '../modules/messaging/messaging.port.js';

/**
 * How the app reads Slack's refusals. Every Web API error is classified here, once: the code Slack
 * gave, and what it means for a post (retry later, give up, look before retrying, pause).
 */

/** The error code a Web API call was refused with (`user_not_found`), or undefined. */
export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/**
 * Whether conversations.info was refused because the app cannot see the channel: a private channel
 * the app is not in is invisible to it, and the cure is the same invitation as for one it can see.
 */
export function isHiddenChannel(error: unknown): boolean {
  const code = slackErrorCode(error);
  return code === 'channel_not_found' || code === 'not_in_channel';
}

/** Errors that mean the message cannot be delivered here as things stand. */
export const UNDELIVERABLE_ERRORS = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'user_not_found',
  'cannot_dm_bot',
  'user_disabled',
  'restricted_action',
  'invalid_blocks',
  'msg_blocks_too_long',
  'messages_tab_disabled',
  'ekm_access_denied',
  'team_access_not_granted',
]);

/**
 * Errors that are about the calling token rather than the call, as the Web API documents them:
 * `account_inactive` ("token is for a deleted user or workspace when using a bot token"),
 * `token_revoked` ("... or the app has been removed"), `invalid_auth`, `not_authed`,
 * `token_expired` (token rotation), `team_disabled`, `user_removed_from_team`,
 * `org_login_required` (an enterprise migration), and `not_allowed_token_type`. Any Web API call
 * refused with one of these pauses the app's sends once auth.test agrees the token is refused.
 */
export const TOKEN_REFUSED_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'team_disabled',
  'user_removed_from_team',
  'org_login_required',
  'not_allowed_token_type',
]);

export function classifyFailure(error: unknown): PostFailure {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === ErrorCode.RateLimitedError) {
    const retryAfter = Number((error as { retryAfter?: unknown }).retryAfter);
    return {
      ok: false,
      kind: 'rate_limited',
      error: 'ratelimited',
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 30,
    };
  }
  const platform = slackErrorCode(error);
  if (platform) {
    if (platform === 'ratelimited')
      return { ok: false, kind: 'rate_limited', error: 'ratelimited', retryAfterSeconds: 30 };
    if (TOKEN_REFUSED_ERRORS.has(platform)) return { ok: false, kind: 'token_refused', error: platform };
    if (UNDELIVERABLE_ERRORS.has(platform)) return { ok: false, kind: 'undeliverable', error: platform };
    if (platform === 'internal_error' || platform === 'fatal_error' || platform === 'service_unavailable') {
      return { ok: false, kind: 'uncertain', error: platform };
    }
    return { ok: false, kind: 'error', error: platform };
  }
  if (code === ErrorCode.HTTPError) {
    const status = (error as { statusCode?: number }).statusCode ?? 0;
    return { ok: false, kind: 'uncertain', error: `http_${status}` };
  }
  if (code === ErrorCode.RequestError) return { ok: false, kind: 'uncertain', error: 'request_failed' };
  return { ok: false, kind: 'uncertain', error: error instanceof Error ? error.name : 'unknown_error' };
}
