/**
 * Builds requests the way Slack sends them to an app's Request URL: signed, with Slack's exact
 * content types and payload shapes, so tests exercise Bolt's real HTTP receiver (signature check,
 * body parsing, ack deadlines) rather than calling listeners directly.
 *
 * Shapes follow @slack/bolt's types (SlashCommand, BlockAction, ViewSubmitAction) and what Slack
 * actually sends, which is sometimes more than those types admit (`enterprise: null`).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type {
  BlockAction,
  ButtonAction,
  SlashCommand,
  ViewOutput,
  ViewStateValue,
  ViewSubmitAction,
} from '@slack/bolt';
import type { AnyBlock, ModalView, PlainTextElement } from '@slack/types';
import { ROUND_MODAL } from '../../src/modules/rounds/rounds.views.js';
import { createMetadataSeal } from '../../src/slack/sealed-metadata.js';

export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

/**
 * A modal's private_metadata as the app seals it when it opens the modal for `userId` (the app's
 * key is derived from the signing secret in HTTP mode), for tests that submit a form they did not
 * have the app open first.
 */
export function sealedMetadata(
  callbackId: string,
  userId: string,
  metadata: object,
  secret = TEST_SIGNING_SECRET,
): string {
  const view: ModalView = {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: JSON.stringify(metadata),
    title: plain('x'),
    blocks: [],
  };
  return createMetadataSeal(secret).seal(view, userId).private_metadata as string;
}

const TEAM_ID = 'T1';
const TEAM_DOMAIN = 'test-team';
const APP_ID = 'A1';
const BOT_ID = 'BBOT';
const BOT_USER_ID = 'UBOT';
// The legacy verification token Slack still puts in every payload; Bolt ignores it.
const VERIFICATION_TOKEN = 'legacy-verification-token';
const DEFAULT_RESPONSE_URL = 'https://hooks.slack.com/commands/T1/1/x';

/** 'v0=' + hex HMAC-SHA256(secret, `v0:${timestamp}:${rawBody}`), as Slack signs requests. */
export function signBody(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export type SlackRequest =
  | { kind: 'command'; fields: Record<string, string> }
  | { kind: 'interactive'; payload: object }
  | { kind: 'event'; body: object };

export interface PostOptions {
  /** Unix seconds for X-Slack-Request-Timestamp; defaults to now. */
  timestamp?: number;
  /** Replaces the computed signature; null omits the X-Slack-Signature header. */
  signature?: string | null;
  /** Extra or overriding headers (e.g. X-Slack-Retry-Num). */
  headers?: Record<string, string>;
  /** Applied to the body after signing, to test tampering. */
  mutateBody?: (raw: string) => string;
}

export interface PostResult {
  status: number;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: the app's reply is whatever it chose to send.
  json: any;
  /** Wall-clock time until the full response arrived, to assert Slack's 3-second ack deadline. */
  ms: number;
}

/**
 * Encodes a request exactly as Slack does. The content types are exact strings with no charset:
 * Bolt's HTTPReceiver compares `content-type === 'application/x-www-form-urlencoded'`, so the
 * `;charset=UTF-8` that fetch adds for a URLSearchParams body would make Bolt JSON.parse a form body.
 */
export function encodeSlackRequest(request: SlackRequest): { body: string; contentType: string } {
  switch (request.kind) {
    case 'command':
      return {
        body: new URLSearchParams(request.fields).toString(),
        contentType: 'application/x-www-form-urlencoded',
      };
    case 'interactive':
      return {
        body: new URLSearchParams({ payload: JSON.stringify(request.payload) }).toString(),
        contentType: 'application/x-www-form-urlencoded',
      };
    case 'event':
      return { body: JSON.stringify(request.body), contentType: 'application/json' };
  }
}

/** POSTs a signed Slack request to `${baseUrl}/slack/events` with Node's global fetch. */
export async function postToSlackEvents(
  baseUrl: string,
  secret: string,
  request: SlackRequest,
  opts: PostOptions = {},
): Promise<PostResult> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const { body: signedBody, contentType } = encodeSlackRequest(request);
  const signature = opts.signature === undefined ? signBody(secret, timestamp, signedBody) : opts.signature;
  const body = opts.mutateBody ? opts.mutateBody(signedBody) : signedBody;
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'X-Slack-Request-Timestamp': String(timestamp),
    ...(signature === null ? {} : { 'X-Slack-Signature': signature }),
    ...opts.headers,
  };
  const url = `${baseUrl.replace(/\/+$/, '')}/slack/events`;
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  const ms = performance.now() - started;
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, body: text, json, ms };
}

// ---------------------------------------------------------------------------------------------
// Payload builders

let sequence = 0;
/** Trigger ids look like '1234567890123.1234567890.0123456789abcdef0123456789abcdef'. */
function triggerId(): string {
  sequence++;
  return `${1_700_000_000_000 + sequence}.1000000001.${randomBytes(16).toString('hex')}`;
}
function actionTs(): string {
  sequence++;
  return `${1_700_000_000 + sequence}.${String(sequence).padStart(6, '0')}`;
}
function userNameFor(userId: string): string {
  return `user.${userId.toLowerCase()}`;
}
function plain(text: string): PlainTextElement & { emoji: boolean } {
  return { type: 'plain_text', text, emoji: true };
}

export type SlashCommandFields = SlashCommand & Record<string, string>;

/** The Events API's envelope around one event, as Slack posts it to /slack/events. */
export function eventCallbackBody(eventId: string, event: Record<string, unknown>) {
  return {
    token: 'legacy-verification-token',
    team_id: 'T1',
    api_app_id: 'A1',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
  };
}

/** Slack's `app_home_opened` event, as the Events API delivers it: the person opened the app's Home. */
export function homeOpened(userId: string, eventId: string): SlackRequest {
  return {
    kind: 'event',
    body: eventCallbackBody(eventId, {
      type: 'app_home_opened',
      user: userId,
      channel: 'D1',
      tab: 'home',
      event_ts: '1700000000.000100',
    }),
  };
}

export function slashCommand(args: {
  command: string;
  text: string;
  userId: string;
  channelId?: string;
  triggerId?: string;
  teamId?: string;
  responseUrl?: string;
  userName?: string;
  channelName?: string;
}): SlashCommandFields {
  const channelId = args.channelId ?? 'C0GENERAL';
  const teamId = args.teamId ?? TEAM_ID;
  return {
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    team_domain: TEAM_DOMAIN,
    channel_id: channelId,
    // Slack names a DM 'directmessage' in slash-command payloads.
    channel_name: args.channelName ?? (channelId.startsWith('D') ? 'directmessage' : 'general'),
    user_id: args.userId,
    user_name: args.userName ?? userNameFor(args.userId),
    command: args.command,
    text: args.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: args.responseUrl ?? DEFAULT_RESPONSE_URL,
    trigger_id: args.triggerId ?? triggerId(),
  };
}

export interface ViewInput {
  callback_id: string;
  private_metadata?: string;
  state_values?: Record<string, Record<string, ViewStateValue>>;
  id?: string;
  hash?: string;
  blocks?: AnyBlock[];
  title?: string;
  submit?: string | null;
  close?: string | null;
  external_id?: string;
  root_view_id?: string;
  previous_view_id?: string | null;
  type?: 'modal' | 'home';
}

/** The `view` object Slack sends back in interaction payloads (bolt's ViewOutput). */
export function viewOutput(view: ViewInput, teamId = TEAM_ID): ViewOutput {
  const id = view.id ?? 'V0TESTVIEW1';
  const type = view.type ?? 'modal';
  return {
    id,
    team_id: teamId,
    type,
    blocks: view.blocks ?? [],
    private_metadata: view.private_metadata ?? '',
    callback_id: view.callback_id,
    state: { values: view.state_values ?? {} },
    hash: view.hash ?? '1700000000.AbCdEf12',
    title: plain(view.title ?? 'Service Radar'),
    clear_on_close: false,
    notify_on_close: false,
    close: view.close === null ? null : plain(view.close ?? 'Cancel'),
    submit: view.submit === null ? null : plain(view.submit ?? 'Submit'),
    previous_view_id: view.previous_view_id ?? null,
    root_view_id: view.root_view_id ?? id,
    app_id: APP_ID,
    external_id: view.external_id ?? '',
    app_installed_team_id: teamId,
    bot_id: BOT_ID,
  };
}

/** Slack sends `enterprise: null` for non-Grid workspaces; bolt's types only allow it absent. */
export type ViewSubmissionPayload = Omit<ViewSubmitAction, 'enterprise'> & { enterprise: null };

export function viewSubmission(args: {
  userId: string;
  view: ViewInput;
  teamId?: string;
  triggerId?: string;
  userName?: string;
}): ViewSubmissionPayload {
  const teamId = args.teamId ?? TEAM_ID;
  const userName = args.userName ?? userNameFor(args.userId);
  return {
    type: 'view_submission',
    team: { id: teamId, domain: TEAM_DOMAIN },
    // Slack sends both username and name here; bolt's type lists only name.
    user: {
      id: args.userId,
      username: userName,
      name: userName,
      team_id: teamId,
    } as ViewSubmitAction['user'],
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: args.triggerId ?? triggerId(),
    view: viewOutput(args.view, teamId),
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/**
 * A block_actions payload for a button click. From a message (the default) it carries channel,
 * message and response_url; from a view (pass `view`) it carries the view instead, as Slack does,
 * and no response_url.
 */
export type BlockActionPayload = Omit<BlockAction<ButtonAction>, 'enterprise' | 'response_url'> & {
  enterprise: null;
  response_url?: string;
};

export function blockAction(args: {
  userId: string;
  actionId: string;
  blockId?: string;
  value?: string;
  channelId?: string;
  messageTs?: string;
  triggerId?: string;
  container?: Record<string, unknown>;
  view?: ViewInput;
  teamId?: string;
  responseUrl?: string;
  userName?: string;
  messageText?: string;
  messageBlocks?: AnyBlock[];
}): BlockActionPayload {
  const teamId = args.teamId ?? TEAM_ID;
  const userName = args.userName ?? userNameFor(args.userId);
  const channelId = args.channelId ?? 'C0GENERAL';
  const messageTs = args.messageTs ?? '1700000000.000100';
  const action: ButtonAction = {
    action_id: args.actionId,
    block_id: args.blockId ?? 'b1',
    text: { type: 'plain_text', text: 'x' },
    ...(args.value !== undefined ? { value: args.value } : {}),
    type: 'button',
    action_ts: actionTs(),
  };
  const common = {
    type: 'block_actions' as const,
    user: { id: args.userId, username: userName, name: userName, team_id: teamId },
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: args.triggerId ?? triggerId(),
    team: { id: teamId, domain: TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    actions: [action],
    state: { values: {} },
  };
  if (args.view) {
    const view = viewOutput(args.view, teamId);
    return {
      ...common,
      container: args.container ?? { type: 'view', view_id: view.id },
      view,
    };
  }
  return {
    ...common,
    container: args.container ?? {
      type: 'message',
      message_ts: messageTs,
      channel_id: channelId,
      is_ephemeral: false,
    },
    channel: { id: channelId, name: channelId.startsWith('D') ? 'directmessage' : 'general' },
    message: {
      type: 'message',
      ts: messageTs,
      text: args.messageText ?? 'message text',
      user: BOT_USER_ID,
      bot_id: BOT_ID,
      blocks: args.messageBlocks ?? [],
    },
    response_url: args.responseUrl ?? `https://hooks.slack.com/actions/${teamId}/1/x`,
  };
}

// ---------------------------------------------------------------------------------------------
// state.values entries for view submissions: what Slack puts at state.values[block_id][action_id].

export function plainInput(value: string | null): ViewStateValue {
  return { type: 'plain_text_input', value };
}

export function staticSelect(value: string | null, text?: string): ViewStateValue {
  return {
    type: 'static_select',
    selected_option: value === null ? null : { text: plain(text ?? value), value },
  };
}

export function usersSelect(userId: string | null): ViewStateValue {
  return { type: 'users_select', selected_user: userId };
}

export function conversationsSelect(channelId: string | null): ViewStateValue {
  return { type: 'conversations_select', selected_conversation: channelId };
}

export function datePicker(date: string | null): ViewStateValue {
  return { type: 'datepicker', selected_date: date };
}

export function checkboxes(values: string[]): ViewStateValue {
  return { type: 'checkboxes', selected_options: values.map((value) => ({ text: plain(value), value })) };
}

export function radio(value: string | null, text?: string): ViewStateValue {
  return {
    type: 'radio_buttons',
    selected_option: value === null ? null : { text: plain(text ?? value), value },
  };
}

/** What a staff member fills in on the self-rating modal, for roundFormSubmission. */
export interface RoundFormAnswers {
  /** A customer in Slack; leave it empty and give customerName for someone outside Slack. */
  customerUserId: string;
  customerName?: string;
  /** For an outside customer, when links can be made: 'link' (the default) or 'record'. */
  answerBy?: 'link' | 'record';
  service: string;
  interviewOn: string;
  segment?: string;
  unit?: string;
  selfScore?: string;
  selfNote?: string;
}

/** A `view_submission` of the self-rating modal (ROUND_MODAL), filled in as Slack would send it. */
export function roundFormSubmission(args: {
  userId: string;
  viewId: string;
  answers: RoundFormAnswers;
}): SlackRequest {
  const { blocks: ids, actionId } = ROUND_MODAL;
  const { answers } = args;
  return {
    kind: 'interactive',
    payload: viewSubmission({
      userId: args.userId,
      view: {
        id: args.viewId,
        callback_id: ROUND_MODAL.callbackId,
        private_metadata: sealedMetadata(ROUND_MODAL.callbackId, args.userId, { v: 1 }),
        state_values: {
          [ids.customerUser]: { [actionId]: usersSelect(answers.customerUserId || null) },
          ...(answers.customerName !== undefined
            ? { [ids.customerName]: { [actionId]: plainInput(answers.customerName) } }
            : {}),
          ...(answers.answerBy !== undefined
            ? { [ids.answerBy]: { [actionId]: radio(answers.answerBy) } }
            : {}),
          [ids.newService]: { [actionId]: plainInput(answers.service) },
          [ids.segment]: { [actionId]: staticSelect(answers.segment ?? 'core') },
          [ids.unit]: { [actionId]: plainInput(answers.unit ?? 'Reference') },
          [ids.selfScore]: { [actionId]: staticSelect(answers.selfScore ?? '7') },
          ...(answers.selfNote !== undefined
            ? { [ids.selfNote]: { [actionId]: plainInput(answers.selfNote) } }
            : {}),
          [ids.interviewOn]: { [actionId]: datePicker(answers.interviewOn) },
        },
      },
    }),
  };
}
