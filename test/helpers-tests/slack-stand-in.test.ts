import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
// Bolt's SocketModeReceiver is built on this client; the stand-in must satisfy it as it is.
import { SocketModeClient } from '@slack/socket-mode';
import { ErrorCode, LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

let standIn: SlackStandIn;
let client: WebClient;

// No retries: a test that provokes an error must see it at once, not after the client's 30-minute
// default retry policy.
const clientOptions = (): WebClientOptions => ({
  slackApiUrl: standIn.url,
  retryConfig: { retries: 0 },
  logLevel: LogLevel.ERROR,
});

beforeAll(async () => {
  standIn = await startSlackStandIn();
  client = new WebClient('xoxb-test', clientOptions());
});

afterAll(async () => {
  await standIn.close();
});

beforeEach(() => {
  standIn.reset();
});

const blocks = [
  { type: 'section' as const, block_id: 's1', text: { type: 'mrkdwn' as const, text: '*Hi*' } },
  {
    type: 'actions' as const,
    block_id: 'a1',
    elements: [
      { type: 'button' as const, action_id: 'go', text: { type: 'plain_text' as const, text: 'Go' } },
    ],
  },
];

describe('the stand-in as seen by a real WebClient', () => {
  it('serves under a /api/ url with a trailing slash', () => {
    expect(standIn.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('records chat.postMessage with blocks parsed back into objects and the bearer token', async () => {
    const res = await client.chat.postMessage({ channel: 'C123', text: 'Hi', blocks });
    expect(res.ok).toBe(true);
    expect(res.channel).toBe('C123');
    expect(res.message?.blocks).toEqual(blocks);

    const [call] = standIn.callsTo('chat.postMessage');
    expect(standIn.calls).toHaveLength(1);
    expect(call?.token).toBe('xoxb-test');
    expect(call?.contentType).toBe('application/x-www-form-urlencoded');
    expect(call?.args).toMatchObject({ channel: 'C123', text: 'Hi' });
    expect(call?.args.blocks).toEqual(blocks); // an array, not the JSON string the client sent
    expect(call?.violations).toBeUndefined();
    expect(call?.at).toBeGreaterThan(Date.now() - 10_000);
    expect(call?.reply?.status).toBe(200);
  });

  it('answers posts to a user id with the DM channel id, and ts that increase', async () => {
    const first = await client.chat.postMessage({ channel: 'U0ALICE', text: 'one' });
    const second = await client.chat.postMessage({ channel: 'W0BOB', text: 'two' });
    expect(first.channel).toBe('D0ALICE');
    expect(second.channel).toBe('D0BOB');
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
  });

  it('answers users.info from addUser, and user_not_found for anyone else', async () => {
    standIn.addUser({
      id: 'U0ALICE',
      name: 'alice',
      real_name: 'Alice Smith',
      tz: 'Europe/Paris',
      is_admin: true,
    });
    const known = await client.users.info({ user: 'U0ALICE' });
    expect(known.user).toMatchObject({
      id: 'U0ALICE',
      name: 'alice',
      real_name: 'Alice Smith',
      tz: 'Europe/Paris',
      is_admin: true,
      is_bot: false,
      deleted: false,
    });

    await expect(client.users.info({ user: 'U0NOBODY' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'user_not_found' },
    });
    expect(standIn.callsTo('users.info').map((c) => c.args.user)).toEqual(['U0ALICE', 'U0NOBODY']);
  });

  it('lets an override answer 429 with Retry-After, seen by the client as a rate-limit error', async () => {
    const rejecting = new WebClient('xoxb-test', { ...clientOptions(), rejectRateLimitedCalls: true });
    standIn.on('chat.postMessage', () => ({ status: 429, headers: { 'Retry-After': '7' } }));
    await expect(rejecting.chat.postMessage({ channel: 'C1', text: 'hi' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 7,
    });
    expect(standIn.callsTo('chat.postMessage')[0]?.reply).toEqual({
      status: 429,
      body: { ok: false, error: 'ratelimited' },
    });
  });

  it('answers invalid_blocks for a modal title over 24 characters and records the violations', async () => {
    const view = {
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'A title that is far too long for Slack' },
      blocks: [],
    };
    const err = await client.views.open({ trigger_id: 't1', view }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'invalid_blocks' },
    });
    const call = standIn.callsTo('views.open')[0];
    expect(call?.violations).toEqual(['/title/text: modal title is 38 characters; the limit is 24']);
    expect((err as { data: { errors: string[] } }).data.errors).toEqual(call?.violations);
  });

  it('checks messages too: blocks without a text fallback are refused', async () => {
    await expect(client.chat.postMessage({ channel: 'C1', blocks })).rejects.toMatchObject({
      data: { error: 'invalid_blocks' },
    });
    await expect(
      client.chat.update({
        channel: 'C1',
        ts: '1.2',
        text: 'x',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      }),
    ).rejects.toMatchObject({
      data: { error: 'invalid_blocks' },
    });
    expect(standIn.callsTo('chat.update')[0]?.violations?.[0]).toMatch(/header text is 151/);
  });

  it('checks views.publish as a Home tab', async () => {
    const tooMany = Array.from({ length: 101 }, () => ({ type: 'divider' as const }));
    await expect(
      client.views.publish({ user_id: 'U1', view: { type: 'home', blocks: tooMany } }),
    ).rejects.toMatchObject({
      data: { error: 'invalid_blocks' },
    });
    const ok = await client.views.publish({
      user_id: 'U1',
      view: { type: 'home', blocks: tooMany.slice(1) },
    });
    expect(ok.view?.id).toMatch(/^V/);
    expect(standIn.callsTo('views.publish')[0]?.violations?.[0]).toMatch(/101 blocks in a home/);
  });

  it('echoes views with a generated id and hash, and keeps the id on views.update', async () => {
    const view = {
      type: 'modal' as const,
      callback_id: 'cb',
      private_metadata: '{"a":1}',
      title: { type: 'plain_text' as const, text: 'Rate' },
      blocks,
    };
    const opened = await client.views.open({ trigger_id: 't', view });
    expect(opened.view).toMatchObject({
      type: 'modal',
      callback_id: 'cb',
      private_metadata: '{"a":1}',
      blocks,
    });
    expect(opened.view?.id).toMatch(/^V\w+$/);
    expect(opened.view?.hash).toEqual(expect.any(String));
    const pushed = await client.views.push({ trigger_id: 't', view });
    expect(pushed.view?.id).not.toBe(opened.view?.id);
    const viewId = opened.view?.id ?? 'missing';
    const updated = await client.views.update({ view_id: viewId, hash: opened.view?.hash, view });
    expect(updated.view?.id).toBe(viewId);
    expect(standIn.callsTo('views.update')[0]?.args.view_id).toBe(viewId);
  });

  it('gives Slack-shaped defaults for the other methods the app uses', async () => {
    expect(await client.auth.test()).toMatchObject({
      ok: true,
      user_id: 'UBOT',
      bot_id: 'BBOT',
      team_id: 'T1',
    });
    expect((await client.conversations.open({ users: 'U0ALICE' })).channel).toEqual({ id: 'D0ALICE' });
    // Several users: the app's group DM with them, the same one whatever their order, private.
    const group = (await client.conversations.open({ users: 'U0ALICE,U0BOB' })).channel?.id ?? '';
    expect(group).toMatch(/^G[A-Z0-9]+$/);
    expect((await client.conversations.open({ users: 'U0BOB,U0ALICE' })).channel?.id).toBe(group);
    expect((await client.conversations.open({ users: 'U0BOB,U0CAROL' })).channel?.id).not.toBe(group);
    expect(standIn.groupDmMembers(group)).toEqual(['U0ALICE', 'U0BOB']);
    expect(standIn.groupDmMembers('GPRIVATE')).toBeUndefined();
    expect((await client.conversations.info({ channel: group })).channel).toMatchObject({
      is_mpim: true,
      is_private: true,
      is_member: true,
    });
    expect((await client.conversations.info({ channel: 'GPRIVATE' })).channel).toMatchObject({
      is_mpim: false,
      is_private: true,
    });
    expect((await client.conversations.info({ channel: 'C9' })).channel).toMatchObject({
      id: 'C9',
      is_member: true,
      is_archived: false,
    });
    expect(await client.chat.postEphemeral({ channel: 'C9', user: 'U1', text: 'psst' })).toMatchObject({
      ok: true,
      message_ts: expect.stringMatching(/^\d+\.\d{6}$/),
    });
    expect(await client.chat.update({ channel: 'C9', ts: '1.000100', text: 'new' })).toMatchObject({
      ok: true,
      channel: 'C9',
      ts: '1.000100',
    });
    expect(await client.chat.delete({ channel: 'C9', ts: '1.000100' })).toMatchObject({ ok: true });
    expect((await client.usergroups.users.list({ usergroup: 'S1' })).users).toEqual([]);
  });

  it('runs files.uploadV2 end to end: upload URL, the bytes, completion', async () => {
    const content = Buffer.from('name,score\nalice,4\n');
    const res = await client.files.uploadV2({
      channel_id: 'C1',
      file: content,
      filename: 'r.csv',
      title: 'Report',
    });
    expect(res.ok).toBe(true);

    const [getUrl] = standIn.callsTo('files.getUploadURLExternal');
    expect(getUrl?.args).toMatchObject({ filename: 'r.csv', length: String(content.length) });
    const [upload] = standIn.callsTo('upload');
    expect(upload?.args.file_id).toMatch(/^F/);
    expect(Buffer.isBuffer(upload?.args.bytes)).toBe(true);
    expect(upload?.args.bytes.equals(content)).toBe(true);
    const [complete] = standIn.callsTo('files.completeUploadExternal');
    expect(complete?.args.files).toEqual([{ id: upload?.args.file_id, title: 'Report' }]);
    expect(complete?.args.channel_id).toBe('C1');
    expect(standIn.calls.map((c) => c.method)).toEqual([
      'files.getUploadURLExternal',
      'upload',
      'files.completeUploadExternal',
    ]);
  });

  it('accepts response_url posts under /respond/, checking their blocks like any message', async () => {
    const responseUrl = standIn.url.replace(/\/api\/$/, '/respond/command');
    const post = (body: unknown) =>
      fetch(responseUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await post({ response_type: 'ephemeral', text: 'Sorry' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
    const bad = await post({ text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(standIn.callsTo('respond').map((c) => [c.path, c.args.text])).toEqual([
      ['/respond/command', 'Sorry'],
      ['/respond/command', 'x'],
    ]);
  });

  it('records unknown methods and answers unknown_method', async () => {
    await expect(client.apiCall('nope.nothing', { a: 1 })).rejects.toMatchObject({
      data: { error: 'unknown_method' },
    });
    expect(standIn.callsTo('nope.nothing')[0]?.args).toEqual({ a: '1' });
  });
});

describe('overrides', () => {
  it('falls back to the default when the override returns undefined, and sees parsed args', async () => {
    const seen: unknown[] = [];
    standIn.on('chat.postMessage', (call) => {
      seen.push(call.args.blocks);
      return call.args.channel === 'C_ARCHIVED' ? { body: { ok: false, error: 'is_archived' } } : undefined;
    });
    await expect(client.chat.postMessage({ channel: 'C_ARCHIVED', text: 't' })).rejects.toMatchObject({
      data: { error: 'is_archived' },
    });
    expect((await client.chat.postMessage({ channel: 'C_OK', text: 't', blocks })).ok).toBe(true);
    expect(seen).toEqual([undefined, blocks]);
  });

  it('asks the newest override first and supports async handlers', async () => {
    standIn.on('auth.test', () => ({ body: { ok: true, user_id: 'UOLD' } }));
    standIn.on('auth.test', async () => {
      await new Promise((r) => setTimeout(r, 5));
      return { body: { ok: true, user_id: 'UNEW' } };
    });
    expect((await client.auth.test()).user_id).toBe('UNEW');
  });

  it('answers fast with ok:false when an override throws', async () => {
    standIn.on('auth.test', () => {
      throw new Error('boom');
    });
    await expect(client.auth.test()).rejects.toMatchObject({ data: { error: 'stand_in_handler_threw' } });
  });
});

describe('revoked tokens', () => {
  const refusal = (call: Promise<unknown>) =>
    call.then(
      () => 'accepted',
      (error: { data?: { error?: string } }) => error.data?.error,
    );

  it('refuses every Web API method, auth.test included, for a revoked token, and only for it', async () => {
    const fresh = new WebClient('xoxb-new-token', clientOptions());
    standIn.revokeTokens({ tokens: ['xoxb-test'] });
    expect(await refusal(client.auth.test())).toBe('token_revoked');
    expect(await refusal(client.chat.postMessage({ channel: 'C1', text: 'hi' }))).toBe('token_revoked');
    expect(await refusal(client.conversations.history({ channel: 'C1' }))).toBe('token_revoked');
    expect(await refusal(fresh.chat.postMessage({ channel: 'C1', text: 'hi' }))).toBe('accepted');
    expect(await refusal(fresh.auth.test())).toBe('accepted');
    const refused = standIn.callsTo('chat.postMessage')[0];
    expect(refused?.token).toBe('xoxb-test');
    expect(refused?.reply).toEqual({ status: 200, body: { ok: false, error: 'token_revoked' } });

    standIn.restoreTokens();
    expect(await refusal(client.auth.test())).toBe('accepted');
    expect(await refusal(client.chat.postMessage({ channel: 'C1', text: 'hi' }))).toBe('accepted');
  });

  it('refuses every token when none is named, with the error asked for, over any override', async () => {
    standIn.on('users.info', () => ({ body: { ok: true, user: { id: 'U1' } } }));
    standIn.revokeTokens({ error: 'invalid_auth' });
    expect(await refusal(client.users.info({ user: 'U1' }))).toBe('invalid_auth');
    expect(await refusal(new WebClient('xoxb-other', clientOptions()).auth.test())).toBe('invalid_auth');
    // Nothing posted while refused is in the channel's history afterwards.
    await refusal(client.chat.postMessage({ channel: 'C1', text: 'lost' }));
    standIn.restoreTokens();
    expect((await client.conversations.history({ channel: 'C1' })).messages).toEqual([]);
  });

  it('leaves response_url posts alone: they carry no token', async () => {
    standIn.revokeTokens();
    const responseUrl = standIn.url.replace(/\/api\/$/, '/respond/command');
    const said = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'Sorry' }),
    });
    expect(said.status).toBe(200);
    expect(await said.json()).toEqual({ ok: true });
  });

  it('is taken back by reset()', async () => {
    standIn.revokeTokens();
    standIn.reset();
    expect(await refusal(client.auth.test())).toBe('accepted');
  });
});

describe('waitForCall', () => {
  it('resolves with a call already recorded', async () => {
    await client.chat.postMessage({ channel: 'C1', text: 'first' });
    const call = await standIn.waitForCall('chat.postMessage');
    expect(call.args.text).toBe('first');
  });

  it('resolves with a matching call that arrives later', async () => {
    const waiting = standIn.waitForCall('chat.postMessage', (c) => c.args.text === 'second', 2000);
    await client.chat.postMessage({ channel: 'C1', text: 'first' });
    setTimeout(() => void client.chat.postMessage({ channel: 'C1', text: 'second' }), 20);
    expect((await waiting).args.text).toBe('second');
  });

  it('rejects on timeout, listing what was recorded', async () => {
    await client.auth.test();
    await client.users.info({ user: 'U1' }).catch(() => undefined);
    await client.users.info({ user: 'U2' }).catch(() => undefined);
    await expect(standIn.waitForCall('chat.postMessage', undefined, 50)).rejects.toThrow(
      "waitForCall('chat.postMessage') timed out after 50 ms. Recorded calls: auth.test, users.info (x2)",
    );
  });

  it('says when calls to the method arrived but did not match', async () => {
    await client.chat.postMessage({ channel: 'C1', text: 'nope' });
    await expect(standIn.waitForCall('chat.postMessage', (c) => c.args.text === 'yes', 50)).rejects.toThrow(
      /1 chat.postMessage call\(s\) did not match the predicate/,
    );
  });
});

describe('reset', () => {
  it('clears calls and overrides but keeps users', async () => {
    standIn.addUser({ id: 'U0KEEP', name: 'keep' });
    standIn.on('auth.test', () => ({ body: { ok: false, error: 'invalid_auth' } }));
    await client.auth.test().catch(() => undefined);
    const callsRef = standIn.calls;
    standIn.reset();
    expect(standIn.calls).toHaveLength(0);
    expect(standIn.calls).toBe(callsRef);
    expect((await client.auth.test()).ok).toBe(true);
    expect((await client.users.info({ user: 'U0KEEP' })).user?.name).toBe('keep');
  });
});

describe('robustness', () => {
  const post = (method: string, body: string, contentType: string) =>
    fetch(`${standIn.url}${method}`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: 'Bearer xoxb-raw' },
      body,
    });

  it('accepts JSON bodies as well as form bodies', async () => {
    const res = await post(
      'chat.postMessage',
      JSON.stringify({ channel: 'C1', text: 'json', blocks }),
      'application/json; charset=utf-8',
    );
    expect(await res.json()).toMatchObject({ ok: true, channel: 'C1' });
    const call = standIn.callsTo('chat.postMessage')[0];
    expect(call?.args.blocks).toEqual(blocks);
    expect(call?.token).toBe('xoxb-raw');
  });

  it('takes the token from the body when there is no Authorization header', async () => {
    await fetch(`${standIn.url}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=xoxb-body',
    });
    expect(standIn.calls[0]?.token).toBe('xoxb-body');
  });

  it('answers invalid_json for a broken JSON body and keeps serving', async () => {
    const res = await post('chat.postMessage', '{"channel": ', 'application/json');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: false, error: 'invalid_json' });
    expect(standIn.calls).toHaveLength(1);
    expect((await client.auth.test()).ok).toBe(true);
  });

  it('keeps a value that looks like JSON but is not as a string, and flags unparsable blocks', async () => {
    const res = await post(
      'chat.postMessage',
      'channel=C1&text=%7Bnot+json&blocks=%5Bbroken',
      'application/x-www-form-urlencoded',
    );
    expect(await res.json()).toMatchObject({ ok: false, error: 'invalid_blocks' });
    const call = standIn.calls[0];
    expect(call?.args.text).toBe('{not json');
    expect(call?.violations?.[0]).toMatch(/blocks in a message must be an array/);
  });

  it('survives garbage: odd content types, binary bodies, strange paths', async () => {
    await post('chat.postMessage', '\u0000\u0001%%%&&==', 'application/octet-stream');
    await post('views.open', 'view=%7B%22blocks%22%3A42%7D', 'application/x-www-form-urlencoded');
    await post('files.completeUploadExternal', 'files=%22x%22', 'application/x-www-form-urlencoded');
    const notApi = await fetch(`${standIn.url.replace('/api/', '/elsewhere')}`, {
      method: 'POST',
      body: 'x',
    });
    expect(notApi.status).toBe(404);
    const badMultipart = await post('upload-ish', '--x\r\nnonsense', 'multipart/form-data; boundary=x');
    expect(badMultipart.status).toBe(200);
    expect((await client.auth.test()).ok).toBe(true);
    expect(standIn.calls.map((c) => c.method)).toEqual([
      'chat.postMessage',
      'views.open',
      'files.completeUploadExternal',
      '/elsewhere',
      'upload-ish',
      'auth.test',
    ]);
  });
});

describe('the stand-in enforcing triggers and rate limits, as Slack does', () => {
  let strict: SlackStandIn;
  let strictClient: WebClient;
  beforeAll(async () => {
    strict = await startSlackStandIn({
      triggerTtlMs: 200,
      rateLimits: { 'users.info': { limit: 2, windowMs: 60_000 } },
    });
    strictClient = new WebClient('xoxb-test', {
      slackApiUrl: strict.url,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
    strict.addUser({ id: 'U1', name: 'sam' });
  });
  afterAll(() => strict.close());

  const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Hi' }, blocks };
  const openWith = (triggerId: string) =>
    strictClient.views
      .open({ trigger_id: triggerId, view })
      .catch((error: { data?: { error?: string } }) => ({
        ok: false,
        error: error.data?.error,
      }));

  it('opens a view once per issued trigger, and refuses unknown, used and expired ones', async () => {
    const trigger = strict.issueTrigger();
    expect((await openWith(trigger)).ok).toBe(true);
    expect(await openWith(trigger)).toMatchObject({ ok: false, error: 'exchanged_trigger_id' });
    expect(await openWith('123.456.deadbeef')).toMatchObject({ ok: false, error: 'invalid_trigger_id' });
    const late = strict.issueTrigger();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await openWith(late)).toMatchObject({ ok: false, error: 'expired_trigger_id' });
  });

  it('answers 429 with Retry-After past a method limit, and only for that method', async () => {
    expect((await strictClient.users.info({ user: 'U1' })).ok).toBe(true);
    expect((await strictClient.users.info({ user: 'U1' })).ok).toBe(true);
    const refused = await strictClient.users
      .info({ user: 'U1' })
      .catch((error: { code?: string; retryAfter?: number }) => error);
    expect(refused).toMatchObject({ code: ErrorCode.RateLimitedError });
    expect((refused as { retryAfter: number }).retryAfter).toBeGreaterThanOrEqual(59);
    const last = strict.callsTo('users.info').at(-1);
    expect(last?.reply).toMatchObject({ status: 429, body: { ok: false, error: 'ratelimited' } });
    expect((await strictClient.auth.test()).ok).toBe(true);
  });

  it('refuses a revoked token before counting it against a rate limit', async () => {
    strict.revokeTokens();
    for (let i = 0; i < 3; i++)
      await expect(strictClient.users.info({ user: 'U1' })).rejects.toMatchObject({
        data: { error: 'token_revoked' },
      });
    expect(
      strict
        .callsTo('users.info')
        .slice(-3)
        .map((call) => call.reply?.status),
    ).toEqual([200, 200, 200]);
    strict.restoreTokens();
  });
});

describe("the stand-in's Socket Mode, as the real Socket Mode client sees it", () => {
  const APP_TOKEN = 'xapp-1-A1-1-socket';
  let socketClient: SocketModeClient | undefined;
  afterEach(async () => {
    await socketClient?.disconnect();
    socketClient = undefined;
  });
  const startClient = async () => {
    socketClient = new SocketModeClient({
      appToken: APP_TOKEN,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: standIn.url, retryConfig: { retries: 0 } },
    });
    await socketClient.start();
    return socketClient;
  };

  it('opens connections for an app-level token only, at a ws:// address of its own', async () => {
    await expect(client.apps.connections.open()).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: 'not_allowed_token_type' },
    });
    const opened = await new WebClient(APP_TOKEN, clientOptions()).apps.connections.open();
    expect(opened.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f]+&app_id=A1$/);
  });

  it('says hello on connect and hands the acknowledgement back, with what ack() was given', async () => {
    const socket = await startClient();
    const connection = await standIn.socketMode.waitForConnection(1);
    expect(connection.received).toEqual([]);
    expect(standIn.callsTo('apps.connections.open')[0]?.token).toBe(APP_TOKEN);

    const seen: { type: string; retry?: number }[] = [];
    socket.on('slash_commands', async ({ ack }) => {
      seen.push({ type: 'slash_commands' });
      await ack({ text: 'Working on it' });
    });
    socket.on('user_change', async ({ ack, retry_num }) => {
      seen.push({ type: 'user_change', retry: retry_num });
      await ack();
    });
    expect(
      await connection.send({ envelope_id: 'e1', type: 'slash_commands', payload: { command: '/x' } }),
    ).toEqual({ envelope_id: 'e1', payload: { text: 'Working on it' } });
    expect(
      await standIn.socketMode.send({
        envelope_id: 'e2',
        type: 'events_api',
        payload: { type: 'event_callback', event_id: 'Ev1', event: { type: 'user_change' } },
        retry_attempt: 1,
        retry_reason: 'timeout',
      }),
    ).toEqual({ envelope_id: 'e2', payload: {} });
    expect(seen).toEqual([{ type: 'slash_commands' }, { type: 'user_change', retry: 1 }]);
  });

  it('fails an envelope nobody acknowledges within 3 s, as Slack counts it unacknowledged', async () => {
    const socket = await startClient();
    socket.on('slash_commands', () => undefined);
    await expect(
      standIn.socketMode.send({ envelope_id: 'ignored', type: 'slash_commands', payload: { command: '/x' } }),
    ).rejects.toThrow(/ignored \(slash_commands\) was not acknowledged within 3000 ms/);
  });

  it('answers disconnect with a clean close and lets the client connect again; a dropped one too', async () => {
    const socket = await startClient();
    const first = await standIn.socketMode.waitForConnection(1);
    first.disconnect('refresh_requested');
    expect(await first.closed).toEqual({ code: 1000 });
    const second = await standIn.socketMode.waitForConnection(2);
    second.drop();
    await second.closed;
    const third = await standIn.socketMode.waitForConnection(3);
    expect(third.open).toBe(true);
    expect(standIn.callsTo('apps.connections.open')).toHaveLength(3);
    socket.on('interactive', async ({ ack }) => ack());
    await expect(standIn.socketMode.send({ type: 'interactive', payload: {} })).resolves.toMatchObject({
      payload: {},
    });
  });

  it('takes each address once, answers pings with pongs and a close frame with one', async () => {
    const { url } = await new WebClient(APP_TOKEN, clientOptions()).apps.connections.open();
    const raw = await rawWebSocket(String(url));
    expect(raw.status).toBe(101);
    const hello = JSON.parse((await raw.nextFrame()).payload.toString('utf8'));
    expect(hello).toMatchObject({
      type: 'hello',
      num_connections: 1,
      debug_info: { approximate_connection_time: expect.any(Number) },
      connection_info: { app_id: 'A1' },
    });
    raw.send(0x9, Buffer.from('are you there'));
    expect(await raw.nextFrame()).toEqual({ opcode: 0xa, payload: Buffer.from('are you there') });
    raw.send(0x8, Buffer.from([0x03, 0xe8]));
    expect(await raw.nextFrame()).toEqual({ opcode: 0x8, payload: Buffer.from([0x03, 0xe8]) });
    expect(await standIn.socketMode.connections[0]?.closed).toEqual({ code: 1000 });

    const again = await rawWebSocket(String(url));
    expect(again.status).toBe(401);
  });
});

/** A bare WebSocket client (masked frames, no extensions), to see the stand-in's frames themselves. */
async function rawWebSocket(url: string) {
  const address = new URL(url.replace(/^ws/, 'http'));
  const socket = connect(Number(address.port), address.hostname);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `GET ${address.pathname}${address.search} HTTP/1.1\r\nHost: ${address.host}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let buffer = Buffer.alloc(0);
  const waiting: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (const wake of waiting.splice(0)) wake();
  });
  const more = () => new Promise<void>((resolve) => waiting.push(resolve));
  while (!buffer.includes('\r\n\r\n')) await more();
  const end = buffer.indexOf('\r\n\r\n');
  const status = Number(buffer.subarray(0, end).toString('latin1').split(' ')[1]);
  buffer = buffer.subarray(end + 4);
  return {
    status,
    send(opcode: number, payload: Buffer) {
      const mask = randomBytes(4);
      const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
      socket.write(Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]));
    },
    /** The next server frame; the stand-in sends short, unmasked, unfragmented ones. */
    async nextFrame(): Promise<{ opcode: number; payload: Buffer }> {
      while (buffer.length < 2) await more();
      let length = (buffer[1] as number) & 0x7f;
      let start = 2;
      if (length === 126) {
        while (buffer.length < 4) await more();
        length = buffer.readUInt16BE(2);
        start = 4;
      }
      while (buffer.length < start + length) await more();
      const frame = {
        opcode: (buffer[0] as number) & 0x0f,
        payload: Buffer.from(buffer.subarray(start, start + length)),
      };
      buffer = buffer.subarray(start + length);
      return frame;
    },
  };
}
