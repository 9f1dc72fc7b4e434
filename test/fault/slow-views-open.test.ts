import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import { slashCommand } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * A burst of `/rate-service` while Slack is slow to answer views.open. Each trigger_id lives 3 s, and
 * the stand-in enforces it. The Web API client queues calls past its concurrency limit (the SDK's
 * default is 100): with 120 commands and Slack taking 3.1 s over each views.open, a queue of 100
 * would send the last 20 after 3.1 s, with their triggers dead. Every modal must open. (How fast the
 * acknowledgements are is measured by `npm run bench`, not asserted here.)
 */

const COMMANDS = 120;
const SLOW_MS = 3_100;

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn({ triggerTtlMs: 3_000 });
});
afterAll(() => standIn.close());

describeEachDatabase('a burst of commands while views.open is slow', (getDb) => {
  let app: TestApp;
  beforeEach(async () => {
    standIn.reset();
    for (let i = 0; i < 10; i++) standIn.addUser({ id: `USLOW${i}`, name: `staff${i}`, tz: 'Europe/London' });
    standIn.on('views.open', async () => {
      await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
      return undefined;
    });
    app = await startTestApp({ database: getDb(), standIn });
  });
  afterEach(() => app.stop());

  it('acknowledges every command at once and opens every modal before its trigger expires', async () => {
    const results = await Promise.all(
      Array.from({ length: COMMANDS }, (_, i) =>
        app.send({
          kind: 'command',
          fields: slashCommand({
            command: '/rate-service',
            text: '',
            userId: `USLOW${i % 10}`,
            triggerId: standIn.issueTrigger(),
            responseUrl: app.responseUrl,
          }),
        }),
      ),
    );
    expect(results.filter((result) => result.status !== 200 || result.body !== '')).toEqual([]);

    await expect
      .poll(() => standIn.callsTo('views.open').filter((call) => call.reply).length, { timeout: 15_000 })
      .toBe(COMMANDS);
    const errors = standIn
      .callsTo('views.open')
      .map((call) => call.reply?.body.error)
      .filter(Boolean);
    expect(errors).toEqual([]);
    expect(standIn.callsTo('views.open').filter((call) => call.violations)).toEqual([]);
    expect(standIn.callsTo('respond')).toEqual([]);
  }, 30_000);
});
