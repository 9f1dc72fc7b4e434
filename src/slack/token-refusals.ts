import type { FetchFunction, WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { Installation, TokenCheck } from '../modules/installation/installation.usecases.js';
import { classifyFailure, TOKEN_REFUSED_ERRORS } from './slack-errors.js';

/** The Web API's own address, as the WebClient uses it by default. */
export const SLACK_API_URL = 'https://slack.com/api/';

/** auth.test, which needs no scope: does Slack accept the bot token? */
export function createTokenCheck(client: WebClient): TokenCheck {
  return async () => {
    try {
      await client.auth.test();
      return { ok: true };
    } catch (error) {
      const failure = classifyFailure(error);
      return failure.kind === 'token_refused'
        ? { ok: false, refused: true, error: failure.error }
        : { ok: false, refused: false, error: failure.error };
    }
  };
}

const REFUSAL = /"ok"\s*:\s*false/;

/**
 * A fetch for the Web API clients (the `fetch` client option) that notices every answer refusing
 * the token, whatever the method and whichever client made the call: Bolt's per-request clients,
 * the people directory, the background client. `onRefused` is awaited before the client sees the
 * answer, so by the time a caller handles the error the pause is recorded. auth.test is left to
 * whoever asked it (the token check records its own answer), and response_url posts, which Bolt
 * sends with the same fetch, are not Web API calls.
 */
export function watchTokenRefusals({
  apiUrl = SLACK_API_URL,
  onRefused,
  fetch: inner = globalThis.fetch,
}: {
  apiUrl?: string | undefined;
  onRefused: (error: string, method: string) => Promise<void>;
  fetch?: typeof globalThis.fetch;
}): FetchFunction {
  const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  return async (url, init) => {
    const response = await inner(url, init as RequestInit | undefined);
    const href = String(url);
    if (response.status !== 200 || !href.startsWith(base)) return response;
    const method = href.slice(base.length).split(/[?#]/)[0] ?? '';
    if (method === 'auth.test') return response;
    // Read once and handed on as a new answer with the same text: cloning the stream (a tee) cost
    // more than the rest of the check on every call.
    // A body that breaks off fails here as the fetch itself failing, which the client retries.
    const text = await response.text();
    let error: unknown;
    if (REFUSAL.test(text)) {
      try {
        error = (JSON.parse(text) as { error?: unknown }).error;
      } catch {
        // not JSON: the client reports it as it always has
      }
    }
    if (typeof error === 'string' && TOKEN_REFUSED_ERRORS.has(error))
      await onRefused(error, method).catch(() => undefined);
    return new Response(text, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** What the Web API clients call when Slack refuses the token: the installation records the pause. */
export function reportTokenRefusals(installation: Pick<Installation, 'tokenRefused'>, logger: Logger) {
  return (error: string, method: string) =>
    installation.tokenRefused(error, method).catch((failure: unknown) => {
      logger.error({ err: failure, error, method }, 'could not record that Slack refused the bot token');
    });
}
