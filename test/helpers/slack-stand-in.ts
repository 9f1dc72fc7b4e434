/**
 * A local HTTP server that stands in for Slack's Web API.
 *
 * Tests point a real `@slack/web-api` WebClient at it (`slackApiUrl: standIn.url`), so the client's
 * own serialisation, headers, retries and error mapping run exactly as in production; only Slack is
 * replaced. Every call is recorded with its arguments parsed back into objects, and every payload
 * that carries blocks is checked against Block Kit's limits, answering `invalid_blocks` the way Slack
 * does, so a test cannot pass with a message Slack would refuse.
 *
 * Tip: give the WebClient `retryConfig: { retries: 0 }` in tests. With its default policy a 5xx or a
 * 429 from an override makes it retry for up to half an hour.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BlockKitSurface, blockKitViolations } from './block-kit-limits.js';
import { createSocketModeServer, type SocketModeStandIn } from './socket-mode-stand-in.js';

export interface RecordedCall {
  method: string;
  // biome-ignore lint/suspicious/noExplicitAny: args are whatever the client sent; tests dig into them freely.
  args: Record<string, any>;
  token: string | undefined;
  /** Date.now() when the request arrived. */
  at: number;
  /** Block Kit violations found in the payload (only for methods that carry blocks or a view). */
  violations?: string[];
  /** The content type the request arrived with, to assert how the client encoded it. */
  contentType?: string;
  /** The request path, e.g. '/api/chat.postMessage' or '/respond/command'. */
  path?: string;
  /** What the stand-in answered, filled in once the reply is sent. */
  reply?: { status: number; body: Record<string, unknown> };
}

export type StandInReply = {
  status?: number;
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
};

export interface StandInUser {
  id: string;
  name: string;
  real_name?: string;
  is_bot?: boolean;
  deleted?: boolean;
  tz?: string;
  is_admin?: boolean;
  is_owner?: boolean;
}

export type StandInHandler = (
  call: RecordedCall,
) => StandInReply | undefined | Promise<StandInReply | undefined>;

export interface SlackStandIn {
  /** e.g. 'http://127.0.0.1:54321/api/' (trailing slash, as WebClient expects). */
  url: string;
  /** Every call, in order, with args parsed. The same array survives reset(). */
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** users.info answers from these; unknown ids answer { ok: false, error: 'user_not_found' }. */
  addUser(user: StandInUser): void;
  /**
   * The members of a group DM the app opened with conversations.open (several `users`), or
   * undefined for any other id. Kept across reset(), like users: Slack keeps a group DM too.
   */
  groupDmMembers(channelId: string): string[] | undefined;
  /**
   * Overrides the reply for a method. The newest handler for a method is asked first; returning
   * undefined falls back to the previous handler and finally to the default reply. An override wins
   * over the invalid_blocks answer (the violations are still on `call.violations`).
   */
  on(method: string, handler: StandInHandler): void;
  /**
   * Resolves with the first matching call already recorded or arriving later; rejects after
   * timeoutMs (default 5000) with a message listing the recorded methods.
   */
  waitForCall(
    method: string,
    predicate?: (call: RecordedCall) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedCall>;
  /**
   * A trigger id as Slack puts in a command or interaction. With `triggerTtlMs` set, views.open and
   * views.push accept only these, once each, and only within the time to live.
   */
  issueTrigger(): string;
  /**
   * Refuses tokens as Slack does once an app is uninstalled or its token revoked: every Web API
   * method, auth.test included, answers 200 `{ ok: false, error }` (default `token_revoked`; Slack
   * also says `invalid_auth` for a token it does not know) to a call made with one of `tokens`, or
   * with any token when none are named. This wins over overrides and rate limits, as Slack checks
   * the token first. Uploads to a pre-signed upload URL and response_url posts are not affected.
   */
  revokeTokens(options?: { error?: string; tokens?: readonly string[] }): void;
  /** Takes every revocation back: the tokens work again (the app was reinstalled, keeping its token). */
  restoreTokens(): void;
  /**
   * Socket Mode: `apps.connections.open`, called with an app-level token (xapp-...), answers a
   * single-use ws:// address of this server, where Slack's envelopes are sent and acknowledged
   * (see socket-mode-stand-in.ts). Calls with any other token answer `not_allowed_token_type`.
   */
  socketMode: SocketModeStandIn;
  /** Clears calls, overrides, revocations and the list of Socket Mode connections; keeps users and issued triggers. */
  reset(): void;
  close(): Promise<void>;
}

const TEAM_ID = 'T1';
const BOT_USER_ID = 'UBOT';
const BOT_ID = 'BBOT';
const APP_ID = 'A1';
// Slack's Web API answers 413 for bodies this large; we only need a guard against runaway tests.
const MAX_BODY_BYTES = 50 * 1024 * 1024;

const BLOCK_SURFACES: Record<string, 'message' | 'view'> = {
  'chat.postMessage': 'message',
  'chat.update': 'message',
  'chat.postEphemeral': 'message',
  'chat.scheduleMessage': 'message',
  // Posts to a response_url (see below) are messages too.
  respond: 'message',
  'views.open': 'view',
  'views.push': 'view',
  'views.update': 'view',
  'views.publish': 'view',
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The WebClient JSON-encodes nested arguments (blocks, view, attachments) into form fields. */
function parseNested(value: unknown): unknown {
  if (typeof value === 'string' && (value.startsWith('[') || value.startsWith('{'))) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

interface ParsedBody {
  args: Record<string, unknown>;
  /** Set when the body claimed to be JSON but was not: Slack answers invalid_json. */
  invalidJson?: boolean;
  file?: { bytes: Buffer; filename?: string };
}

async function parseBody(raw: Buffer, contentType: string, query: URLSearchParams): Promise<ParsedBody> {
  const args: Record<string, unknown> = {};
  for (const [k, v] of query) args[k] = parseNested(v);
  const ct = contentType.toLowerCase();
  let invalidJson = false;
  let file: ParsedBody['file'];
  if (raw.length === 0) {
    // nothing to add
  } else if (ct.startsWith('application/json')) {
    try {
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      if (isObject(parsed)) {
        for (const [k, v] of Object.entries(parsed)) args[k] = parseNested(v);
      } else {
        invalidJson = true;
      }
    } catch {
      invalidJson = true;
    }
  } else if (ct.startsWith('multipart/form-data')) {
    // The WebClient switches to multipart when an argument is a Buffer (file uploads). Node's own
    // Response parses multipart, so no dependency is needed.
    try {
      const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
      for (const [k, v] of form) {
        if (typeof v === 'string') {
          args[k] = parseNested(v);
        } else {
          const bytes = Buffer.from(await v.arrayBuffer());
          args[k] = bytes;
          file ??= { bytes, filename: v.name };
        }
      }
    } catch {
      file = { bytes: raw };
    }
  } else {
    // application/x-www-form-urlencoded, and Slack's lenient default for anything else.
    for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) args[k] = parseNested(v);
  }
  return { args, invalidJson, file };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function summarizeMethods(calls: RecordedCall[]): string {
  if (calls.length === 0) return 'none';
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c.method, (counts.get(c.method) ?? 0) + 1);
  return [...counts].map(([m, n]) => (n > 1 ? `${m} (x${n})` : m)).join(', ');
}

interface Waiter {
  method: string;
  predicate: ((call: RecordedCall) => boolean) | undefined;
  resolve: (call: RecordedCall) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export interface StandInOptions {
  /**
   * Enforce trigger ids as Slack does: views.open / views.push answer `invalid_trigger_id` for an id
   * not from issueTrigger(), `exchanged_trigger_id` for one already used and `expired_trigger_id`
   * when the call arrives more than this many ms after the id was issued (Slack: 3,000).
   */
  triggerTtlMs?: number;
  /**
   * For trigger ids issued in another process (a benchmark's load generator plays Slack's edge):
   * reads the issue time from an id the stand-in did not issue itself; undefined means invalid.
   */
  triggerIssuedAt?: (triggerId: string) => number | undefined;
  /**
   * Per-method rate limits: past `limit` calls in a fixed window of `windowMs`, HTTP 429 with
   * `Retry-After` (whole seconds to the window's end) and `{ ok: false, error: 'ratelimited' }`.
   * Read at every call, so a benchmark may change the limits between phases.
   */
  rateLimits?: Record<string, { limit: number; windowMs: number }>;
}

export async function startSlackStandIn(options: StandInOptions = {}): Promise<SlackStandIn> {
  const calls: RecordedCall[] = [];
  const triggers = new Map<string, { issuedAt: number; used: boolean }>();
  let triggerSequence = 0;
  const windows = new Map<string, { start: number; count: number }>();
  /** Seconds to wait, when this call is over its method's limit; undefined when it may go on. */
  const rateLimited = (method: string, at: number): number | undefined => {
    const rule = options.rateLimits?.[method];
    if (!rule) return undefined;
    let window = windows.get(method);
    if (!window || at - window.start >= rule.windowMs) {
      window = { start: at, count: 0 };
      windows.set(method, window);
    }
    window.count++;
    if (window.count <= rule.limit) return undefined;
    return Math.max(1, Math.ceil((window.start + rule.windowMs - at) / 1000));
  };
  const triggerError = (call: RecordedCall): string | undefined => {
    if (options.triggerTtlMs === undefined) return undefined;
    const id = str(call.args.trigger_id) ?? '';
    let trigger = triggers.get(id);
    const issuedAt = trigger ? undefined : options.triggerIssuedAt?.(id);
    if (!trigger && issuedAt !== undefined) {
      trigger = { issuedAt, used: false };
      triggers.set(id, trigger);
    }
    if (!trigger) return 'invalid_trigger_id';
    if (trigger.used) return 'exchanged_trigger_id';
    if (call.at - trigger.issuedAt > options.triggerTtlMs) return 'expired_trigger_id';
    trigger.used = true;
    return undefined;
  };
  const users = new Map<string, StandInUser>();
  const overrides = new Map<string, StandInHandler[]>();
  /** Revoked tokens and the error each gets; the key `null` stands for every token. */
  const revoked = new Map<string | null, string>();
  const refusal = (token: string | undefined): string | undefined =>
    revoked.get(null) ?? (token === undefined ? undefined : revoked.get(token));
  const waiters = new Set<Waiter>();
  // Counters live for the whole server (not reset) so ts and ids never repeat within a test file.
  let tsCounter = 0;
  let viewCounter = 0;
  let fileCounter = 0;
  let origin = '';

  /** Unique, increasing message timestamps shaped like Slack's: '1700000000.000100'. */
  // Like Slack's, a ts is the posting time (seconds.micros), unique and increasing.
  let lastTsSeconds = 0;
  const nextTs = (): string => {
    const now = Math.floor(Date.now() / 1000);
    if (now > lastTsSeconds) {
      lastTsSeconds = now;
      tsCounter = 0;
    }
    tsCounter++;
    if (tsCounter >= 1_000_000) {
      lastTsSeconds++;
      tsCounter = 1;
    }
    return `${lastTsSeconds}.${String(tsCounter).padStart(6, '0')}`;
  };
  /** Messages the stand-in accepted, as conversations.history / replies return them (newest first). */
  const postedMessages = (channel: string, args: Record<string, unknown>, thread: string | undefined) => {
    const oldest = Number(args.oldest ?? 0);
    const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
    return calls
      .filter(
        (c) =>
          c.method === 'chat.postMessage' && c.reply?.body.ok === true && c.reply.body.channel === channel,
      )
      .filter((c) =>
        thread ? c.args.thread_ts === thread || c.reply?.body.ts === thread : c.args.thread_ts === undefined,
      )
      .filter((c) => Number(c.reply?.body.ts) >= oldest)
      .map((c) => ({
        type: 'message',
        user: BOT_USER_ID,
        bot_id: BOT_ID,
        text: c.args.text ?? '',
        ts: c.reply?.body.ts,
        ...(c.args.thread_ts ? { thread_ts: c.args.thread_ts } : {}),
        ...(withMetadata && isObject(c.args.metadata) ? { metadata: c.args.metadata } : {}),
      }))
      .reverse();
  };
  const nextViewId = (): string => `V${String(++viewCounter).padStart(10, '0')}`;
  const nextFileId = (): string => `F${String(++fileCounter).padStart(10, '0')}`;
  const viewHash = (): string => `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;

  /** Posting to a user id opens the DM: Slack answers with the DM channel id. */
  const dmIdFor = (userId: string): string => `D${userId.slice(1)}`;
  /**
   * Group DMs opened with conversations.open, by their sorted members. Their ids start with G, as
   * many of Slack's do; conversations.info tells them from private channels by `is_mpim`.
   */
  const groupDms = new Map<string, string[]>();
  const groupDmIdFor = (userIds: string[]): string => {
    const members = [...new Set(userIds)].sort();
    for (const [id, known] of groupDms) if (known.join(',') === members.join(',')) return id;
    const id = `GMPIM${String(groupDms.size + 1).padStart(6, '0')}`;
    groupDms.set(id, members);
    return id;
  };
  const isUserId = (id: string): boolean => /^[UW][A-Z0-9]+$/.test(id);

  const record = (call: RecordedCall): void => {
    calls.push(call);
    for (const w of [...waiters]) {
      if (w.method !== call.method) continue;
      let matched: boolean;
      try {
        matched = w.predicate ? w.predicate(call) : true;
      } catch (err) {
        waiters.delete(w);
        clearTimeout(w.timer);
        w.reject(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      if (matched) {
        waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(call);
      }
    }
  };

  const echoView = (
    view: unknown,
    id: string,
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> => {
    const v = isObject(view) ? view : {};
    return {
      id,
      team_id: TEAM_ID,
      type: v.type ?? 'modal',
      blocks: v.blocks ?? [],
      private_metadata: v.private_metadata ?? '',
      callback_id: v.callback_id ?? '',
      state: { values: {} },
      hash: viewHash(),
      title: v.title ?? null,
      close: v.close ?? null,
      submit: v.submit ?? null,
      clear_on_close: v.clear_on_close ?? false,
      notify_on_close: v.notify_on_close ?? false,
      previous_view_id: null,
      root_view_id: id,
      app_id: APP_ID,
      external_id: v.external_id ?? '',
      app_installed_team_id: TEAM_ID,
      bot_id: BOT_ID,
      ...extra,
    };
  };

  const defaultReply = (call: RecordedCall): Record<string, unknown> => {
    const a = call.args;
    switch (call.method) {
      case 'apps.connections.open':
        if (!call.token) return { ok: false, error: 'not_authed' };
        if (!call.token.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' };
        return { ok: true, url: socketMode.issueUrl(call.token) };
      case 'auth.test':
        return {
          ok: true,
          url: 'https://test-team.slack.com/',
          team: 'Test Team',
          user: 'service-radar',
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          bot_id: BOT_ID,
          is_enterprise_install: false,
        };
      case 'chat.postMessage': {
        const channel = str(a.channel);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (a.text === undefined && a.blocks === undefined && a.attachments === undefined) {
          return { ok: false, error: 'no_text' };
        }
        const ts = nextTs();
        return {
          ok: true,
          channel: isUserId(channel) ? dmIdFor(channel) : channel,
          ts,
          message: {
            type: 'message',
            user: BOT_USER_ID,
            bot_id: BOT_ID,
            app_id: APP_ID,
            team: TEAM_ID,
            text: a.text ?? '',
            ...(a.blocks !== undefined ? { blocks: a.blocks } : {}),
            ...(a.thread_ts !== undefined ? { thread_ts: a.thread_ts } : {}),
            ts,
          },
        };
      }
      case 'chat.update': {
        const channel = str(a.channel);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (!str(a.ts)) return { ok: false, error: 'message_not_found' };
        return {
          ok: true,
          channel,
          ts: a.ts,
          text: a.text ?? '',
          message: {
            type: 'message',
            user: BOT_USER_ID,
            bot_id: BOT_ID,
            text: a.text ?? '',
            ...(a.blocks !== undefined ? { blocks: a.blocks } : {}),
          },
        };
      }
      case 'chat.postEphemeral':
        if (!str(a.channel)) return { ok: false, error: 'channel_not_found' };
        if (!str(a.user)) return { ok: false, error: 'user_not_in_channel' };
        return { ok: true, message_ts: nextTs() };
      case 'chat.delete':
        if (!str(a.channel)) return { ok: false, error: 'channel_not_found' };
        if (!str(a.ts)) return { ok: false, error: 'message_not_found' };
        return { ok: true, channel: a.channel, ts: a.ts };
      case 'views.open':
      case 'views.push': {
        if (!isObject(a.view)) return { ok: false, error: 'invalid_arguments' };
        const error = triggerError(call);
        if (error) return { ok: false, error };
        return { ok: true, view: echoView(a.view, nextViewId()) };
      }
      case 'views.update': {
        if (!isObject(a.view)) return { ok: false, error: 'invalid_arguments' };
        const id = str(a.view_id) ?? nextViewId();
        return { ok: true, view: echoView(a.view, id, a.external_id ? { external_id: a.external_id } : {}) };
      }
      case 'views.publish':
        if (!str(a.user_id)) return { ok: false, error: 'invalid_arguments' };
        if (!isObject(a.view)) return { ok: false, error: 'invalid_arguments' };
        return { ok: true, view: echoView(a.view, nextViewId()) };
      case 'conversations.open': {
        // `users` is a comma-separated list; one user gives the DM, two to eight the group DM of the
        // app and them (the same one each time for the same people, as Slack does).
        const people = (str(a.users) ?? '')
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean);
        if (people.length === 1) return { ok: true, channel: { id: dmIdFor(people[0] as string) } };
        if (people.length > 8) return { ok: false, error: 'too_many_users' };
        if (people.length > 1) {
          const id = groupDmIdFor(people);
          return { ok: true, channel: { id, is_mpim: true, is_private: true } };
        }
        const channel = str(a.channel);
        if (channel) return { ok: true, channel: { id: channel } };
        return { ok: false, error: 'users_list_not_supplied' };
      }
      case 'conversations.history': {
        const channel = str(a.channel);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        return {
          ok: true,
          messages: postedMessages(channel, a, undefined),
          has_more: false,
          response_metadata: { next_cursor: '' },
        };
      }
      case 'conversations.replies': {
        const channel = str(a.channel);
        const thread = str(a.ts);
        if (!channel || !thread) return { ok: false, error: 'thread_not_found' };
        return {
          ok: true,
          messages: postedMessages(channel, a, thread),
          has_more: false,
          response_metadata: { next_cursor: '' },
        };
      }
      case 'conversations.info': {
        const channel = str(a.channel);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const mpim = groupDms.has(channel);
        return {
          ok: true,
          channel: {
            id: channel,
            is_member: true,
            is_archived: false,
            is_im: channel.startsWith('D'),
            is_mpim: mpim,
            is_private: channel.startsWith('G'),
          },
        };
      }
      case 'users.info': {
        const id = str(a.user);
        const user = id ? users.get(id) : undefined;
        if (!user) return { ok: false, error: 'user_not_found' };
        const realName = user.real_name ?? user.name;
        return {
          ok: true,
          user: {
            id: user.id,
            team_id: TEAM_ID,
            name: user.name,
            real_name: realName,
            deleted: user.deleted ?? false,
            is_bot: user.is_bot ?? false,
            is_app_user: false,
            is_admin: user.is_admin ?? false,
            is_owner: user.is_owner ?? false,
            tz: user.tz ?? 'Europe/London',
            profile: { real_name: realName, display_name: user.name },
          },
        };
      }
      case 'respond':
        return { ok: true };
      case 'usergroups.list':
        return { ok: true, usergroups: [] };
      case 'usergroups.users.list':
        return { ok: true, users: [] };
      case 'files.getUploadURLExternal': {
        const fileId = nextFileId();
        return { ok: true, upload_url: `${origin}/upload/${fileId}`, file_id: fileId };
      }
      case 'files.delete':
        return typeof a.file === 'string' && a.file ? { ok: true } : { ok: false, error: 'file_not_found' };
      case 'files.completeUploadExternal': {
        const files = Array.isArray(a.files) ? a.files : [];
        return {
          ok: true,
          // Slack answers each file's object; the links are what a person opens or downloads it by.
          files: files.map((f: unknown) => {
            const id = isObject(f) && typeof f.id === 'string' ? f.id : undefined;
            return {
              id,
              title: isObject(f) && typeof f.title === 'string' ? f.title : '',
              ...(id
                ? {
                    permalink: `https://stand-in.slack.com/files/UBOT/${id}/file`,
                    url_private: `${origin}/files-pri/${TEAM_ID}-${id}/file`,
                  }
                : {}),
            };
          }),
        };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  const checkBlocks = (call: RecordedCall): void => {
    const kind = BLOCK_SURFACES[call.method];
    if (!kind) return;
    let surface: BlockKitSurface;
    let payload: unknown;
    if (kind === 'message') {
      surface = 'message';
      payload = call.args;
    } else {
      const view = call.args.view;
      // views.update may update a Home tab as well as a modal; views.publish is always Home.
      surface =
        call.method === 'views.publish' ||
        (call.method === 'views.update' && isObject(view) && view.type === 'home')
          ? 'home'
          : 'modal';
      payload = view;
    }
    const violations = blockKitViolations(surface, payload);
    if (violations.length > 0) call.violations = violations;
  };

  const send = (
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: unknown,
  ): void => {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(text);
  };

  const replyFor = async (call: RecordedCall): Promise<StandInReply> => {
    for (const handler of [...(overrides.get(call.method) ?? [])].reverse()) {
      let reply: StandInReply | undefined;
      try {
        reply = await handler(call);
      } catch (err) {
        // A throwing override is a bug in the test; answer at once (200, ok:false) so the client
        // fails fast instead of retrying a 5xx for half an hour.
        return { body: { ok: false, error: 'stand_in_handler_threw', detail: String(err) } };
      }
      if (reply !== undefined) return reply;
    }
    if (call.violations) return { body: { ok: false, error: 'invalid_blocks', errors: call.violations } };
    return { body: defaultReply(call) };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const contentType = String(req.headers['content-type'] ?? '');
    const raw = await readBody(req);
    const auth = req.headers.authorization;
    const bearer =
      typeof auth === 'string' && /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, '') : undefined;

    const upload = /^\/upload\/([^/]+)$/.exec(url.pathname);
    if (upload) {
      const parsed = await parseBody(raw, contentType, new URLSearchParams());
      const bytes = contentType.toLowerCase().startsWith('multipart/form-data')
        ? (parsed.file?.bytes ?? Buffer.alloc(0))
        : raw;
      const call: RecordedCall = {
        method: 'upload',
        args: { file_id: decodeURIComponent(upload[1] ?? ''), bytes, filename: parsed.file?.filename },
        token: bearer,
        at: Date.now(),
        contentType,
        path: url.pathname,
      };
      record(call);
      call.reply = { status: 200, body: { ok: true } };
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`OK - ${bytes.length}`);
      return;
    }

    const api = /^\/api\/(.+)$/.exec(url.pathname);
    // Anything under /respond/ stands in for a response_url (give `${origin}/respond/<name>` as the
    // response_url in a payload): Bolt's respond() POSTs JSON there and throws on a non-2xx answer.
    const isRespond = url.pathname.startsWith('/respond/');
    const method = api ? decodeURIComponent(api[1] ?? '') : isRespond ? 'respond' : url.pathname;
    const parsed = await parseBody(raw, contentType, url.searchParams);
    const call: RecordedCall = {
      method,
      args: parsed.args,
      token: bearer ?? str(parsed.args.token),
      at: Date.now(),
      contentType,
      path: url.pathname,
    };
    if (!parsed.invalidJson) checkBlocks(call);
    record(call);

    let reply: StandInReply;
    const refused = api ? refusal(call.token) : undefined;
    const retryAfter = api && refused === undefined ? rateLimited(method, call.at) : undefined;
    if (refused !== undefined) reply = { body: { ok: false, error: refused } };
    else if (retryAfter !== undefined)
      reply = {
        status: 429,
        headers: { 'Retry-After': String(retryAfter) },
        body: { ok: false, error: 'ratelimited' },
      };
    else if (!api && !isRespond) reply = { status: 404, body: { ok: false, error: 'unknown_method' } };
    else if (parsed.invalidJson)
      reply = { status: isRespond ? 400 : 200, body: { ok: false, error: 'invalid_json' } };
    else reply = await replyFor(call);
    // A response_url refuses a bad message with an HTTP error status, not a 200 with ok:false.
    if (isRespond && reply.status === undefined && reply.body?.ok === false)
      reply = { ...reply, status: 400 };

    const status = reply.status ?? 200;
    let body = reply.body;
    if (body === undefined) {
      // An override that only sets a status (e.g. 429 with Retry-After) still gets a Slack-shaped body.
      if (status === 429) body = { ok: false, error: 'ratelimited' };
      else if (status === 200) body = defaultReply(call);
      else body = { ok: false, error: `http_${status}` };
    }
    call.reply = { status, body };
    send(res, status, reply.headers ?? {}, body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Never crash the test process: answer 500 and carry on.
      try {
        send(res, 500, {}, { ok: false, error: 'stand_in_error', detail: String(err) });
      } catch {
        res.destroy();
      }
    });
  });
  server.on('clientError', (_err, socket) => {
    socket.destroy();
  });
  const socketMode = createSocketModeServer({ origin: () => origin, appId: APP_ID });
  server.on('upgrade', (req, socket, head) => socketMode.upgrade(req, socket, head));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/api/`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    addUser: (user) => {
      users.set(user.id, { ...user });
    },
    groupDmMembers: (channelId) => {
      const members = groupDms.get(channelId);
      return members ? [...members] : undefined;
    },
    on: (method, handler) => {
      const list = overrides.get(method) ?? [];
      list.push(handler);
      overrides.set(method, list);
    },
    waitForCall: (method, predicate, timeoutMs = 5000) =>
      new Promise<RecordedCall>((resolve, reject) => {
        try {
          const existing = calls.find((c) => c.method === method && (predicate ? predicate(c) : true));
          if (existing) {
            resolve(existing);
            return;
          }
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        const waiter: Waiter = {
          method,
          predicate,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            const sameMethod = calls.filter((c) => c.method === method).length;
            reject(
              new Error(
                `waitForCall('${method}'${predicate ? ', predicate' : ''}) timed out after ${timeoutMs} ms. ` +
                  `${sameMethod > 0 ? `${sameMethod} ${method} call(s) did not match the predicate. ` : ''}` +
                  `Recorded calls: ${summarizeMethods(calls)}`,
              ),
            );
          }, timeoutMs),
        };
        waiters.add(waiter);
      }),
    issueTrigger: () => {
      triggerSequence++;
      const id = `${Date.now()}.${1_000_000_000 + triggerSequence}.${randomBytes(16).toString('hex')}`;
      triggers.set(id, { issuedAt: Date.now(), used: false });
      return id;
    },
    revokeTokens: ({ error = 'token_revoked', tokens } = {}) => {
      if (!tokens) revoked.set(null, error);
      else for (const token of tokens) revoked.set(token, error);
    },
    restoreTokens: () => {
      revoked.clear();
    },
    socketMode,
    reset: () => {
      calls.length = 0;
      overrides.clear();
      revoked.clear();
      socketMode.reset();
    },
    close: async () => {
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.reject(new Error(`waitForCall('${w.method}') abandoned: the Slack stand-in was closed`));
      }
      waiters.clear();
      // Upgraded sockets are no longer the HTTP server's: closeAllConnections() does not reach them.
      socketMode.close();
      // Keep-alive sockets from fetch would otherwise hold close() open until they time out.
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
      });
    },
  };
}
