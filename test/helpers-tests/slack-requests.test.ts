import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, type SlashCommand } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  blockAction,
  checkboxes,
  datePicker,
  encodeSlackRequest,
  plainInput,
  postToSlackEvents,
  radio,
  type SlackRequest,
  signBody,
  slashCommand,
  staticSelect,
  TEST_SIGNING_SECRET,
  usersSelect,
  viewSubmission,
} from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

describe('signBody', () => {
  it('matches an HMAC computed independently with node:crypto', () => {
    const ts = 1_700_000_123;
    const body = 'token=abc&team_id=T1&text=hello+world';
    const expected = `v0=${createHmac('sha256', 'my-secret').update(`v0:${ts}:${body}`, 'utf8').digest('hex')}`;
    expect(signBody('my-secret', ts, body)).toBe(expected);
    expect(signBody('my-secret', ts, body)).toMatch(/^v0=[0-9a-f]{64}$/);
  });

  it("reproduces the example in Slack's 'Verifying requests from Slack' guide", () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar' +
      '&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com' +
      '%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signBody('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('changes with the secret, the timestamp and the body', () => {
    const base = signBody('s', 1, 'b');
    expect(signBody('t', 1, 'b')).not.toBe(base);
    expect(signBody('s', 2, 'b')).not.toBe(base);
    expect(signBody('s', 1, 'c')).not.toBe(base);
  });
});

interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('postToSlackEvents on the wire', () => {
  let server: Server;
  let baseUrl: string;
  const captured: Captured[] = [];
  let replyWith = { status: 200, body: '' };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        captured.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(replyWith.status, { 'content-type': 'application/json' });
        res.end(replyWith.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    captured.length = 0;
    replyWith = { status: 200, body: '' };
  });

  const verify = (c: Captured, secret = TEST_SIGNING_SECRET): boolean => {
    const ts = String(c.headers['x-slack-request-timestamp']);
    const expected = Buffer.from(
      `v0=${createHmac('sha256', secret).update(`v0:${ts}:${c.body}`).digest('hex')}`,
    );
    const got = Buffer.from(String(c.headers['x-slack-signature']));
    return got.length === expected.length && timingSafeEqual(got, expected);
  };

  it('sends a slash command form-encoded, with exactly the content type Slack uses', async () => {
    const fields = slashCommand({ command: '/radar', text: 'rate @alice & co', userId: 'U0ALICE' });
    await postToSlackEvents(baseUrl, TEST_SIGNING_SECRET, { kind: 'command', fields });
    const [c] = captured;
    expect(c?.method).toBe('POST');
    expect(c?.url).toBe('/slack/events');
    expect(c?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(c?.body))).toEqual(fields);
    expect(c && verify(c)).toBe(true);
    expect(Number(c?.headers['x-slack-request-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
  });

  it('sends interactive payloads as payload=<JSON>, form-encoded', async () => {
    const payload = blockAction({ userId: 'U1', actionId: 'go', value: 'a b&c' });
    await postToSlackEvents(baseUrl, TEST_SIGNING_SECRET, { kind: 'interactive', payload });
    const [c] = captured;
    expect(c?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(c?.body);
    expect([...form.keys()]).toEqual(['payload']);
    expect(JSON.parse(form.get('payload') ?? '')).toEqual(payload);
    expect(c && verify(c)).toBe(true);
  });

  it('sends events as JSON', async () => {
    const body = { type: 'event_callback', team_id: 'T1', event: { type: 'app_home_opened', user: 'U1' } };
    await postToSlackEvents(baseUrl, TEST_SIGNING_SECRET, { kind: 'event', body });
    const [c] = captured;
    expect(c?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(c?.body ?? '')).toEqual(body);
    expect(c && verify(c)).toBe(true);
  });

  it('uses the given timestamp, a given signature, extra headers, and omits the signature on null', async () => {
    const req: SlackRequest = { kind: 'event', body: { type: 'x' } };
    await postToSlackEvents(baseUrl, 'secret', req, {
      timestamp: 1234,
      headers: { 'X-Slack-Retry-Num': '1' },
    });
    await postToSlackEvents(baseUrl, 'secret', req, { signature: 'v0=forged' });
    await postToSlackEvents(baseUrl, 'secret', req, { signature: null });
    const [timed, forged, unsigned] = captured;
    expect(timed?.headers['x-slack-request-timestamp']).toBe('1234');
    expect(timed?.headers['x-slack-retry-num']).toBe('1');
    expect(timed?.headers['x-slack-signature']).toBe(signBody('secret', 1234, '{"type":"x"}'));
    expect(forged?.headers['x-slack-signature']).toBe('v0=forged');
    expect(unsigned?.headers).not.toHaveProperty('x-slack-signature');
    expect(unsigned?.headers).toHaveProperty('x-slack-request-timestamp');
  });

  it('applies mutateBody after signing, so the signature covers the original body', async () => {
    const req: SlackRequest = { kind: 'event', body: { type: 'x', n: 1 } };
    await postToSlackEvents(baseUrl, 'secret', req, {
      timestamp: 99,
      mutateBody: (raw) => raw.replace('1', '2'),
    });
    const [c] = captured;
    expect(c?.body).toBe('{"type":"x","n":2}');
    expect(c?.headers['x-slack-signature']).toBe(signBody('secret', 99, '{"type":"x","n":1}'));
    expect(c && verify(c, 'secret')).toBe(false);
  });

  it('returns status, raw body, parsed json and elapsed ms', async () => {
    replyWith = { status: 202, body: '{"response_action":"clear"}' };
    const res = await postToSlackEvents(`${baseUrl}/`, 's', { kind: 'event', body: {} });
    expect(res).toMatchObject({
      status: 202,
      body: '{"response_action":"clear"}',
      json: { response_action: 'clear' },
    });
    expect(res.ms).toBeGreaterThan(0);
    expect(captured[0]?.url).toBe('/slack/events'); // a trailing slash on baseUrl is not doubled

    replyWith = { status: 200, body: 'not json' };
    const text = await postToSlackEvents(baseUrl, 's', { kind: 'event', body: {} });
    expect(text.json).toBeUndefined();
    expect(text.body).toBe('not json');
  });

  it('encodes spaces and symbols so they survive a round trip', () => {
    const { body } = encodeSlackRequest({ kind: 'command', fields: { text: 'a b&c=d+e/é' } });
    expect(new URLSearchParams(body).get('text')).toBe('a b&c=d+e/é');
  });
});

describe('payload builders', () => {
  it('slashCommand has every field Slack sends, as strings', () => {
    const fields = slashCommand({
      command: '/radar',
      text: 'help',
      userId: 'U0ALICE',
      triggerId: 'tr',
      responseUrl: 'http://x/r',
    });
    expect(fields).toEqual({
      token: expect.any(String),
      team_id: 'T1',
      team_domain: expect.any(String),
      channel_id: expect.stringMatching(/^C/),
      channel_name: expect.any(String),
      user_id: 'U0ALICE',
      user_name: expect.any(String),
      command: '/radar',
      text: 'help',
      api_app_id: expect.any(String),
      is_enterprise_install: 'false',
      response_url: 'http://x/r',
      trigger_id: 'tr',
    });
    for (const v of Object.values(fields)) expect(typeof v).toBe('string');
    const dm = slashCommand({ command: '/radar', text: '', userId: 'U1', channelId: 'D1', teamId: 'T9' });
    expect(dm).toMatchObject({ channel_id: 'D1', channel_name: 'directmessage', team_id: 'T9' });
    expect(dm.response_url).toBe('https://hooks.slack.com/commands/T1/1/x');
    expect(dm.trigger_id).not.toBe(slashCommand({ command: '/radar', text: '', userId: 'U1' }).trigger_id);
  });

  it('viewSubmission matches the view_submission shape', () => {
    const values = { rating: { value: staticSelect('4') }, note: { value: plainInput('great') } };
    const p = viewSubmission({
      userId: 'U1',
      view: { callback_id: 'rate', private_metadata: '{"r":1}', state_values: values, id: 'V1', hash: 'h1' },
    });
    expect(p).toEqual({
      type: 'view_submission',
      team: { id: 'T1', domain: expect.any(String) },
      user: { id: 'U1', username: expect.any(String), name: expect.any(String), team_id: 'T1' },
      api_app_id: expect.any(String),
      token: expect.any(String),
      trigger_id: expect.any(String),
      view: {
        id: 'V1',
        team_id: 'T1',
        type: 'modal',
        blocks: [],
        private_metadata: '{"r":1}',
        callback_id: 'rate',
        state: { values },
        hash: 'h1',
        title: { type: 'plain_text', text: expect.any(String), emoji: true },
        close: { type: 'plain_text', text: expect.any(String), emoji: true },
        submit: { type: 'plain_text', text: expect.any(String), emoji: true },
        clear_on_close: false,
        notify_on_close: false,
        previous_view_id: null,
        root_view_id: 'V1',
        app_id: expect.any(String),
        external_id: '',
        app_installed_team_id: 'T1',
        bot_id: expect.any(String),
      },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    });
  });

  it('blockAction from a message carries channel, message, container and response_url', () => {
    const p = blockAction({
      userId: 'U1',
      actionId: 'go',
      blockId: 'b9',
      value: 'v',
      channelId: 'C7',
      messageTs: '1.2',
    });
    expect(p).toEqual({
      type: 'block_actions',
      user: { id: 'U1', username: expect.any(String), name: expect.any(String), team_id: 'T1' },
      api_app_id: expect.any(String),
      token: expect.any(String),
      container: { type: 'message', message_ts: '1.2', channel_id: 'C7', is_ephemeral: false },
      trigger_id: expect.any(String),
      team: { id: 'T1', domain: expect.any(String) },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: 'C7', name: expect.any(String) },
      message: {
        type: 'message',
        ts: '1.2',
        text: expect.any(String),
        user: 'UBOT',
        bot_id: expect.any(String),
        blocks: [],
      },
      response_url: expect.stringMatching(/^https:\/\/hooks\.slack\.com\//),
      actions: [
        {
          action_id: 'go',
          block_id: 'b9',
          text: { type: 'plain_text', text: 'x' },
          value: 'v',
          type: 'button',
          action_ts: expect.stringMatching(/^\d+\.\d+$/),
        },
      ],
      state: { values: {} },
    });
  });

  it('blockAction from a view carries the view and a view container instead', () => {
    const p = blockAction({ userId: 'U1', actionId: 'go', view: { callback_id: 'rate', id: 'V5' } });
    expect(p.container).toEqual({ type: 'view', view_id: 'V5' });
    expect(p.view).toMatchObject({ id: 'V5', callback_id: 'rate', type: 'modal' });
    expect(p).not.toHaveProperty('channel');
    expect(p).not.toHaveProperty('message');
    expect(p.actions[0]).not.toHaveProperty('value');
    expect(blockAction({ userId: 'U1', actionId: 'a', container: { type: 'x' } }).container).toEqual({
      type: 'x',
    });
  });

  it('state helpers return what Slack puts at state.values[block][action]', () => {
    expect(plainInput('hi')).toEqual({ type: 'plain_text_input', value: 'hi' });
    expect(plainInput(null)).toEqual({ type: 'plain_text_input', value: null });
    expect(staticSelect('4')).toEqual({
      type: 'static_select',
      selected_option: { text: { type: 'plain_text', text: '4', emoji: true }, value: '4' },
    });
    expect(staticSelect(null)).toEqual({ type: 'static_select', selected_option: null });
    expect(usersSelect('U1')).toEqual({ type: 'users_select', selected_user: 'U1' });
    expect(usersSelect(null)).toEqual({ type: 'users_select', selected_user: null });
    expect(datePicker('2024-03-01')).toEqual({ type: 'datepicker', selected_date: '2024-03-01' });
    expect(datePicker(null)).toEqual({ type: 'datepicker', selected_date: null });
    expect(checkboxes(['a', 'b'])).toEqual({
      type: 'checkboxes',
      selected_options: [
        { text: { type: 'plain_text', text: 'a', emoji: true }, value: 'a' },
        { text: { type: 'plain_text', text: 'b', emoji: true }, value: 'b' },
      ],
    });
    expect(checkboxes([])).toEqual({ type: 'checkboxes', selected_options: [] });
    expect(radio('y', 'Yes')).toEqual({
      type: 'radio_buttons',
      selected_option: { text: { type: 'plain_text', text: 'Yes', emoji: true }, value: 'y' },
    });
    expect(radio(null)).toEqual({ type: 'radio_buttons', selected_option: null });
  });

  it('exports the test signing secret', () => {
    expect(TEST_SIGNING_SECRET).toBe('test-signing-secret-0123456789abcdef');
  });
});

// The strongest evidence the shapes and signatures are right: Bolt's own HTTP receiver accepts them.
describe('through a real Bolt app', () => {
  let app: App;
  let baseUrl: string;
  let standIn: SlackStandIn;
  const seen: Record<string, unknown> = {};

  beforeAll(async () => {
    standIn = await startSlackStandIn();
    app = new App({
      token: 'xoxb-test',
      signingSecret: TEST_SIGNING_SECRET,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: standIn.url, retryConfig: { retries: 0 } },
    });
    app.command('/radar', async ({ ack, command }) => {
      seen.command = command;
      await ack({ text: `you said ${command.text}` });
    });
    app.view('rate', async ({ ack, view, body }) => {
      seen.view = { view, user: body.user.id };
      await ack({ response_action: 'errors', errors: { rating: 'Pick a rating' } });
    });
    app.action('go', async ({ ack, action, body }) => {
      seen.action = { action, type: body.type };
      await ack();
    });
    app.event('app_home_opened', async ({ event }) => {
      seen.event = event;
    });
    const server = await app.start(0);
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.stop();
    await standIn.close();
  });

  it('accepts a signed slash command and parses it into the SlashCommand fields', async () => {
    const fields = slashCommand({ command: '/radar', text: 'me & you', userId: 'U0ALICE' });
    const res = await postToSlackEvents(baseUrl, TEST_SIGNING_SECRET, { kind: 'command', fields });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ text: 'you said me & you' });
    expect(seen.command as SlashCommand).toEqual(fields);
  });

  it('accepts a view submission and returns the ack body', async () => {
    const payload = viewSubmission({
      userId: 'U0BOB',
      view: { callback_id: 'rate', state_values: { rating: { value: staticSelect(null) } } },
    });
    const res = await postToSlackEvents(baseUrl, TEST_SIGNING_SECRET, { kind: 'interactive', payload });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response_action: 'errors', errors: { rating: 'Pick a rating' } });
    expect(seen.view).toEqual({ view: payload.view, user: 'U0BOB' });
  });

  it('accepts a block action', async () => {
    const payload = blockAction({ userId: 'U1', actionId: 'go', value: 'round-1' });
    const res = await postToSlackEvents(baseUrl, TEST_SIGNING_SECRET, { kind: 'interactive', payload });
    expect(res.status).toBe(200);
    expect(seen.action).toEqual({ action: payload.actions[0], type: 'block_actions' });
  });

  it('accepts an event and answers url_verification', async () => {
    const event = { type: 'app_home_opened', user: 'U1', channel: 'D1', tab: 'home', event_ts: '1.1' };
    const body = {
      token: 't',
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: 'Ev1',
      event_time: 1,
      event,
    };
    const res = await postToSlackEvents(baseUrl, TEST_SIGNING_SECRET, { kind: 'event', body });
    expect(res.status).toBe(200);
    await expect.poll(() => seen.event).toEqual(event);

    const challenge = await postToSlackEvents(baseUrl, TEST_SIGNING_SECRET, {
      kind: 'event',
      body: { type: 'url_verification', challenge: 'c-123', token: 't' },
    });
    expect(challenge.json).toEqual({ challenge: 'c-123' });
    // Bolt verified the bot token against the stand-in before dispatching.
    expect(standIn.callsTo('auth.test').length).toBeGreaterThan(0);
  });

  it('is refused with 401 when the signature is wrong, missing, stale or the body was tampered with', async () => {
    const fields = slashCommand({ command: '/radar', text: 'x', userId: 'U1' });
    const req: SlackRequest = { kind: 'command', fields };
    const wrongSecret = await postToSlackEvents(baseUrl, 'not-the-secret', req);
    const missing = await postToSlackEvents(baseUrl, TEST_SIGNING_SECRET, req, { signature: null });
    const stale = await postToSlackEvents(baseUrl, TEST_SIGNING_SECRET, req, {
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    const tampered = await postToSlackEvents(baseUrl, TEST_SIGNING_SECRET, req, {
      mutateBody: (raw) => raw.replace('text=x', 'text=y'),
    });
    expect([wrongSecret.status, missing.status, stale.status, tampered.status]).toEqual([401, 401, 401, 401]);
  });
});
