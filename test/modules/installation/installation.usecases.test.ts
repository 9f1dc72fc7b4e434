import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { slackInstallation } from '../../../src/db/schema.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/logger.js';
import { createInstallationRepository } from '../../../src/modules/installation/installation.repository.js';
import {
  createInstallation,
  TOKEN_CHECK_INTERVAL_MS,
} from '../../../src/modules/installation/installation.usecases.js';
import { createTokenCheck } from '../../../src/slack/token-refusals.js';
import { LogCapture } from '../../helpers/app-harness.js';
import { describeEachDatabase } from '../../helpers/database.js';
import { type SlackStandIn, startSlackStandIn } from '../../helpers/slack-stand-in.js';

/**
 * The installation's standing against a real database, with auth.test asked of the stand-in through
 * a real WebClient: one check however many refusals arrive at once, one check a minute however many
 * copies tick, and a check that began before a revocation never undoes it.
 */

const NOW = '2026-11-24T10:00:00Z';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

describeEachDatabase('installation standing', (getDb) => {
  const clock = fixedClock(NOW);
  let logs: LogCapture;
  const copy = () =>
    createInstallation({
      installation: createInstallationRepository({ db: getDb().handle.db }),
      checkToken: createTokenCheck(
        new WebClient('xoxb-test', { slackApiUrl: standIn.url, retryConfig: { retries: 0 } }),
      ),
      logger: createLogger('debug', logs),
      clock,
    });
  const row = async () => (await getDb().handle.db.select().from(slackInstallation))[0];
  const pausedLines = () => logs.lines.filter((line) => JSON.parse(line).level === 40);

  beforeEach(() => {
    standIn.reset();
    clock.set(NOW);
    logs = new LogCapture();
  });

  it('checks the token once for many refusals at once, and says so once', async () => {
    const installation = copy();
    standIn.revokeTokens();
    await Promise.all(
      Array.from({ length: 6 }, () => installation.tokenRefused('token_revoked', 'chat.postMessage')),
    );
    expect(standIn.callsTo('auth.test')).toHaveLength(1);
    expect(await row()).toMatchObject({ state: 'paused', reason: 'token_revoked' });
    expect(pausedLines()).toHaveLength(1);
    // Paused already: later refusals ask nothing.
    await installation.tokenRefused('token_revoked', 'users.info');
    expect(standIn.callsTo('auth.test')).toHaveLength(1);
  });

  it('does not pause when auth.test accepts the token: the error was about the call', async () => {
    const installation = copy();
    await installation.tokenRefused('account_inactive', 'chat.postMessage');
    expect(standIn.callsTo('auth.test')).toHaveLength(1);
    expect(await installation.isPaused()).toBe(false);
    expect(await row()).toBeUndefined();
  });

  it('asks Slack at most once a minute while paused, however many copies tick', async () => {
    const copies = [copy(), copy(), copy()];
    standIn.revokeTokens();
    await copies[0]?.checkNow();
    const before = standIn.callsTo('auth.test').length;
    const tickAll = async (ms: number) => {
      const now = new Date(Date.parse(NOW) + ms);
      return Promise.all(copies.map((installation) => installation.canRun(now)));
    };
    expect(await tickAll(0)).toEqual([false, false, false]);
    expect(standIn.callsTo('auth.test')).toHaveLength(before + 1);
    expect(await tickAll(30_000)).toEqual([false, false, false]);
    expect(standIn.callsTo('auth.test')).toHaveLength(before + 1);
    expect(await tickAll(TOKEN_CHECK_INTERVAL_MS)).toEqual([false, false, false]);
    expect(standIn.callsTo('auth.test')).toHaveLength(before + 2);

    standIn.restoreTokens();
    const resumed = await tickAll(2 * TOKEN_CHECK_INTERVAL_MS);
    expect(resumed.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    expect(standIn.callsTo('auth.test')).toHaveLength(before + 3);
    expect(await tickAll(2 * TOKEN_CHECK_INTERVAL_MS + 1_000)).toEqual([true, true, true]);
    expect(await row()).toMatchObject({ state: 'active', reason: null });
  });

  it('a check that began before a revocation does not undo it', async () => {
    const installation = copy();
    let answer: (() => void) | undefined;
    standIn.on(
      'auth.test',
      () =>
        new Promise((resolve) => {
          answer = () => resolve(undefined);
        }),
    );
    const checking = installation.checkNow();
    await expect.poll(() => answer).toBeDefined();
    // While Slack's "the token works" is on its way, Slack says the app was uninstalled.
    clock.advance(1_000);
    expect(
      await installation.handleEvent({ eventId: 'Ev1', type: 'app_uninstalled', botTokenRevoked: false }),
    ).toBe('paused');
    answer?.();
    expect(await checking).toBe('paused');
    expect(await row()).toMatchObject({ state: 'paused', reason: 'app_uninstalled' });
  });
});
