import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { startTestApp, TEST_BOT_TOKEN, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import { countRows } from '../helpers/fault-rows.js';
import {
  encodeSlackRequest,
  type PostOptions,
  roundFormSubmission,
  type SlackRequest,
  signBody,
  slashCommand,
  TEST_SIGNING_SECRET,
} from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * Every way a request can fail Slack's signing check. Each refused case sends two requests that
 * would have had an effect if accepted: a round submission (which writes before it acknowledges, so
 * a 401 that arrived means nothing was written) and a /rate-service command (which opens a modal
 * through the Web API). A correctly signed command afterwards is the barrier: once its modal is
 * open, the refused command would have opened one too.
 */

const STAFF = 'USTAFF';
const CUSTOMER = 'UCUST';
// Distinctive text in the bodies, to look for in the logs.
const BODY_MARKER = 'SIGNED-BODY-MARKER-7f3a';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function roundSubmission(): SlackRequest {
  return roundFormSubmission({
    userId: STAFF,
    viewId: `VSIG${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
    answers: {
      customerUserId: CUSTOMER,
      service: `Loans ${Math.random()}`,
      unit: BODY_MARKER,
      selfNote: BODY_MARKER,
      interviewOn: inDays(7),
    },
  });
}

function rateServiceCommand(): SlackRequest {
  return {
    kind: 'command',
    fields: slashCommand({ command: '/rate-service', text: '', userId: STAFF, channelName: BODY_MARKER }),
  };
}

const now = () => Math.floor(Date.now() / 1000);

/** Signs the body that will be sent, as Slack would, and lets a case spoil one part of it. */
function signedThen(spoil: (signature: string, timestamp: number) => PostOptions) {
  return (request: SlackRequest): PostOptions => {
    const timestamp = now();
    const signature = signBody(TEST_SIGNING_SECRET, timestamp, encodeSlackRequest(request).body);
    return { timestamp, ...spoil(signature, timestamp) };
  };
}

const refusedCases: [string, (request: SlackRequest) => PostOptions][] = [
  ['no X-Slack-Signature header', () => ({ signature: null })],
  [
    'no X-Slack-Request-Timestamp header',
    (request) => {
      const timestamp = now();
      return {
        signature: signBody(TEST_SIGNING_SECRET, timestamp, encodeSlackRequest(request).body),
        // An empty value: the header says nothing, as if it were missing.
        headers: { 'X-Slack-Request-Timestamp': '' },
      };
    },
  ],
  [
    'a signature made with another secret',
    (request) => {
      const timestamp = now();
      return {
        timestamp,
        signature: signBody('not-the-signing-secret', timestamp, encodeSlackRequest(request).body),
      };
    },
  ],
  [
    'one byte of the body changed',
    (request) => ({
      mutateBody: (raw: string) => {
        const at = raw.indexOf('S');
        return `${raw.slice(0, at)}T${raw.slice(at + 1)}`;
      },
      ...signedThen(() => ({}))(request),
    }),
  ],
  ['a v1= prefix', signedThen((signature) => ({ signature: signature.replace(/^v0=/, 'v1=') }))],
  [
    'a timestamp 301 s old, correctly signed',
    (request) => {
      const timestamp = now() - 301;
      return {
        timestamp,
        signature: signBody(TEST_SIGNING_SECRET, timestamp, encodeSlackRequest(request).body),
      };
    },
  ],
  [
    'a timestamp 600 s in the future, correctly signed',
    (request) => {
      const timestamp = now() + 600;
      return {
        timestamp,
        signature: signBody(TEST_SIGNING_SECRET, timestamp, encodeSlackRequest(request).body),
      };
    },
  ],
];

describeEachDatabase('signature checks', (getDb) => {
  let app: TestApp;
  beforeEach(async () => {
    standIn.reset();
    standIn.addUser({ id: STAFF, name: 'sam', tz: 'Europe/London' });
    standIn.addUser({ id: CUSTOMER, name: 'casey', tz: 'Europe/London' });
    app = await startTestApp({ database: getDb(), standIn });
  });
  afterEach(() => app.stop());

  const webApiCalls = () => standIn.calls.filter((call) => call.method !== 'auth.test');

  it.each(refusedCases)(
    'refuses %s: 401, nothing written, no Web API call, nothing leaked to the logs',
    async (_name, options) => {
      const before = await countRows(getDb().handle.db);

      const submission = roundSubmission();
      const refusedSubmission = await app.send(submission, options(submission));
      expect(refusedSubmission.status).toBe(401);
      expect(await countRows(getDb().handle.db)).toEqual(before);

      const command = rateServiceCommand();
      const refusedCommand = await app.send(command, options(command));
      expect(refusedCommand.status).toBe(401);

      // The barrier: a good command opens its modal; the refused one would have opened one first.
      expect((await app.send(rateServiceCommand())).status).toBe(200);
      await standIn.waitForCall('views.open');
      expect(webApiCalls().map((call) => call.method)).toEqual(['views.open']);
      expect(await countRows(getDb().handle.db)).toEqual(before);

      const logs = app.logs.text;
      expect(logs).not.toContain(TEST_SIGNING_SECRET);
      expect(logs).not.toContain(TEST_BOT_TOKEN);
      expect(logs).not.toContain(BODY_MARKER);
      expect(logs).not.toContain(encodeSlackRequest(submission).body.slice(0, 60));
    },
  );

  it('accepts a correctly signed request whose timestamp is 299 s old', async () => {
    const before = await countRows(getDb().handle.db);
    const submission = roundSubmission();
    const timestamp = now() - 299;
    const accepted = await app.send(submission, {
      timestamp,
      signature: signBody(TEST_SIGNING_SECRET, timestamp, encodeSlackRequest(submission).body),
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toBe('');
    const after = await countRows(getDb().handle.db);
    expect(after.rounds).toBe((before.rounds ?? 0) + 1);
    await standIn.waitForCall('chat.postMessage', (call) => call.args.channel === CUSTOMER);
    expect(app.logs.text).not.toContain(TEST_SIGNING_SECRET);
    expect(app.logs.text).not.toContain(BODY_MARKER);
  });
});
