import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../logger.js';
import type { InstallationRepository } from './installation.repository.js';

/**
 * The app's standing with its workspace. When Slack stops accepting the bot token (the app was
 * uninstalled, its token revoked, the workspace disabled) nothing the app sends can arrive, and
 * nothing queued is at fault: every scheduled send waits instead of failing, /healthz says so, and
 * once a token works again (a reinstall; the operator restarts with the new token) everything queued
 * goes out, once. The state is one database row, so every copy of the app sees the same.
 */

/** What asking Slack about the token (auth.test) found. */
export type TokenCheckResult =
  | { ok: true }
  /** Slack refused the token. */
  | { ok: false; refused: true; error: string }
  /** No answer either way: a timeout, the network, a 5xx. */
  | { ok: false; refused: false; error: string };

/** Asks Slack whether the bot token works (implemented in src/slack with auth.test). */
export type TokenCheck = () => Promise<TokenCheckResult>;

/** While paused, Slack is asked again at most this often, across all copies. */
export const TOKEN_CHECK_INTERVAL_MS = 60_000;

/** The Events API events that say the token is gone. */
export type InstallationEvent = 'app_uninstalled' | 'tokens_revoked';

/** What a scheduled send asks before it goes out. */
export interface SendingPause {
  isPaused(): Promise<boolean>;
}

export interface InstallationStatus {
  state: 'active' | 'paused';
  /** `app_uninstalled`, `tokens_revoked`, or the Web API's error code. */
  reason: string | null;
  since: Date | null;
}

export type EventOutcome =
  /** Recorded, and it paused the app. */
  | 'paused'
  /** Recorded; the app was paused already. */
  | 'already_paused'
  /** Recorded; nothing to do (only user tokens were revoked: the app uses none). */
  | 'recorded'
  /** Slack's retry of a delivery already handled: nothing done again. */
  | 'duplicate';

export interface InstallationDeps {
  installation: InstallationRepository;
  checkToken: TokenCheck;
  logger: Logger;
  clock: Clock;
}

const SAID = {
  paused: 'Slack refuses the bot token: scheduled sends are paused until a working token is back',
  resumed: 'Slack accepts the bot token again: scheduled sends resume',
  unchecked: 'could not ask Slack whether the bot token works',
  notConfirmed: 'Slack refused one call with a token error, but auth.test accepts the token',
};

export function createInstallation(deps: InstallationDeps) {
  const { installation, checkToken, logger, clock } = deps;
  let confirming: Promise<void> | undefined;

  const isPaused = async () => (await installation.read())?.state === 'paused';

  const pause = async (reason: string) => {
    if (await installation.pause(reason, clock.now())) logger.warn({ reason }, SAID.paused);
  };

  /** Asks Slack now, and records what it says. */
  const checkNow = async (): Promise<InstallationStatus['state']> => {
    const from = clock.now();
    const result = await checkToken();
    if (result.ok) {
      if (await installation.resume(clock.now(), from)) logger.info(SAID.resumed);
    } else if (result.refused) {
      await pause(result.error);
    } else {
      logger.warn({ error: result.error }, SAID.unchecked);
    }
    return (await isPaused()) ? 'paused' : 'active';
  };

  return {
    isPaused,

    async status(): Promise<InstallationStatus> {
      const row = await installation.read();
      return row?.state === 'paused'
        ? { state: 'paused', reason: row.reason, since: row.pausedAt }
        : { state: 'active', reason: null, since: null };
    },

    /** At start-up: an operator who reinstalled the app restarts it with the new token. */
    checkNow,

    /**
     * Before each scheduled job: true when it may send. While paused, one copy a minute asks Slack
     * whether the token works again, and resumes if it does.
     */
    async canRun(now: Date): Promise<boolean> {
      if ((await installation.read())?.state !== 'paused') return true;
      if (!(await installation.claimCheck(now, TOKEN_CHECK_INTERVAL_MS))) return false;
      return (await checkNow()) === 'active';
    },

    /**
     * A Web API call was refused with a token error. The token itself is checked once (concurrent
     * refusals share the check) before pausing: an error code Slack also uses for a call's target
     * must not pause everything while the token works. No answer either way trusts the refusal.
     */
    async tokenRefused(error: string, method: string): Promise<void> {
      if (await isPaused()) return;
      confirming ??= (async () => {
        // Another refusal's check may have paused it since this one looked.
        if (await isPaused()) return;
        const result = await checkToken();
        if (result.ok) logger.debug({ error, method }, SAID.notConfirmed);
        else await pause(result.refused ? result.error : error);
      })().finally(() => {
        confirming = undefined;
      });
      await confirming;
    },

    /**
     * An `app_uninstalled` or `tokens_revoked` event, handled once by Slack's event id. A
     * `tokens_revoked` that names no bot token only revoked users' tokens, which the app never uses.
     */
    async handleEvent(event: {
      eventId: string;
      type: InstallationEvent;
      botTokenRevoked: boolean;
    }): Promise<EventOutcome> {
      const pauseReason = event.type === 'app_uninstalled' || event.botTokenRevoked ? event.type : null;
      const recorded = await installation.recordEvent({
        eventId: event.eventId,
        type: event.type,
        receivedAt: clock.now(),
        pauseReason,
      });
      if (!recorded.handled) return 'duplicate';
      if (recorded.paused) {
        logger.warn({ reason: pauseReason }, SAID.paused);
        return 'paused';
      }
      return pauseReason ? 'already_paused' : 'recorded';
    },
  };
}

export type Installation = ReturnType<typeof createInstallation>;
