import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { REMINDER_ACTIONS } from '../../src/modules/reminders/reminders.views.js';
import { ROUND_MODAL } from '../../src/modules/rounds/rounds.views.js';
import { RATE_SERVICE_COMMAND } from '../../src/slack/listeners/commands/rate-service.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import { countRows } from '../helpers/fault-rows.js';
import { blockAction, type SlackRequest, slashCommand, viewSubmission } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * Each kind of request has one Bolt listener whose pattern matches exactly its table's ids
 * (src/slack/listeners/route.ts). A stranger's signed request naming an id the app does not have,
 * one that differs from a real id by a pattern's special character, a prefix or a suffix of one,
 * or an object's own property name, reaches no handler: Bolt's 404, no Slack call, no row, and
 * the id itself never reaches the log.
 */
const MARK = 'zq9marker';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

const nearMisses = (id: string) => [
  `${id}${MARK}`,
  `${MARK}${id}`,
  id.slice(0, -1),
  id.replace(/[_-]/, '.'),
  `${id}|${MARK}`,
  `(${id})`,
  '.*',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  MARK,
];

describeEachDatabase('ids no listener has', (getDb) => {
  let app: TestApp;
  beforeEach(async () => {
    standIn.reset();
    app = await startTestApp({ database: getDb(), standIn });
  });
  afterEach(() => app.stop());

  const command = (name: string): SlackRequest => ({
    kind: 'command',
    fields: slashCommand({ command: name, text: '', userId: 'USTRANGER', responseUrl: app.responseUrl }),
  });
  const click = (actionId: string): SlackRequest => ({
    kind: 'interactive',
    payload: blockAction({ userId: 'USTRANGER', actionId, value: '1' }),
  });
  const submit = (callbackId: string): SlackRequest => ({
    kind: 'interactive',
    payload: viewSubmission({
      userId: 'USTRANGER',
      view: { callback_id: callbackId, private_metadata: '' },
    }),
  });

  it("reaches no handler, writes nothing, calls Slack for nothing, and logs only Bolt's line", {
    timeout: 20_000,
  }, async () => {
    const before = await countRows(getDb().handle.db);
    const callsBefore = standIn.calls.length; // the start's own auth.test
    const requests = [
      ...nearMisses(RATE_SERVICE_COMMAND).map(command),
      ...nearMisses(REMINDER_ACTIONS.snooze).map(click),
      ...nearMisses(ROUND_MODAL.callbackId).map(submit),
    ];
    // Bolt answers a request no listener took when its 3 s are up: all at once, not one by one.
    const answers = await Promise.all(requests.map((request) => app.send(request)));
    for (const [i, answer] of answers.entries()) {
      // Bolt's own answer to a request no listener took, with nothing of the app's in it.
      expect(answer.status, JSON.stringify(requests[i]).slice(0, 120)).toBe(404);
      expect(answer.body).toBe('');
    }
    expect(standIn.calls.slice(callsBefore).map((call) => call.method)).toEqual([]);
    expect(await countRows(getDb().handle.db)).toEqual(before);
    expect(app.logs.text).not.toContain(MARK);
    // Bolt logs each one it was left to answer, by its own words only (no id, no payload); nothing
    // of the app's failed.
    const errors = app.logs.lines.filter((line) => /"level":(50|60)/.test(line));
    expect(errors).toHaveLength(requests.length);
    for (const line of errors)
      expect(JSON.parse(line)).toMatchObject({
        component: 'bolt',
        msg: 'An incoming event was not acknowledged within 3 seconds. Ensure that the ack() argument is called in a listener.',
      });
  });

  it('answers the real ids as before, so the refusals above are about the ids', async () => {
    const help = await app.send({
      kind: 'command',
      fields: slashCommand({
        command: RATE_SERVICE_COMMAND,
        text: 'help',
        userId: 'USTAFF',
        responseUrl: app.responseUrl,
      }),
    });
    expect(help.status).toBe(200);
    expect(help.body).toContain(RATE_SERVICE_COMMAND);
    // A real form with metadata the server never sealed: refused on the form, as before.
    const forged = await app.send(submit(ROUND_MODAL.callbackId));
    expect(forged.status).toBe(200);
    expect(forged.json).toMatchObject({ response_action: 'errors' });
  });
});
