import type { SlackMessage } from '../../lib/block-kit.js';

/**
 * What the use cases need to say things to people: post, update, upload, open a private
 * conversation, and find a post again after a crash. Declared here, by the modules that use it;
 * src/slack/messenger.ts implements it over the Web API.
 */

/**
 * What became of a post:
 * - `rate_limited`: Slack said 429; try again after `retryAfterSeconds`.
 * - `undeliverable`: it will not go through as things stand (app not in channel, archived, person
 *   gone); someone has to act, retrying is pointless.
 * - `uncertain`: a timeout, network error or 5xx: Slack may or may not have posted it. Before trying
 *   again, look for it with `findPosted` (every scheduled post carries metadata for this).
 * - `token_refused`: Slack refuses the bot token itself (the app was uninstalled, its token revoked,
 *   the workspace disabled). Nothing was posted, and nothing is wrong with this message: put it
 *   back, unchanged, for when a working token is back; the app is paused meanwhile.
 * - `error`: any other refusal.
 */
export type PostFailure =
  | { ok: false; kind: 'rate_limited'; error: 'ratelimited'; retryAfterSeconds: number }
  | { ok: false; kind: 'undeliverable' | 'uncertain' | 'token_refused' | 'error'; error: string };

export type PostResult = { ok: true; channel: string; ts: string } | PostFailure;

/** Marks a message as ours and says what it was for, so a post can be found again after a crash. */
export interface PostMetadata {
  eventType: string;
  key: string;
}

export interface FileToUpload {
  bytes: Buffer;
  filename: string;
  title: string;
  altText?: string;
}

export interface Messenger {
  /** Posts to a channel, or to a person's DM with the app when `channel` is a user id. */
  post(
    channel: string,
    message: SlackMessage,
    options?: { threadTs?: string | undefined; metadata?: PostMetadata | undefined },
  ): Promise<PostResult>;

  update(channel: string, ts: string, message: SlackMessage): Promise<PostResult>;

  /** Uploads a file into a channel, or into a thread there. */
  upload(
    channel: string,
    file: FileToUpload,
    options?: { threadTs?: string | undefined },
  ): Promise<{ ok: true; fileId: string | null } | PostFailure>;

  /** The app's DM channel with a person, or a failure. */
  openDm(userId: string): Promise<{ ok: true; channel: string } | PostFailure>;

  /**
   * The app's private conversation with these people: the DM for one person, a group DM of the
   * app and them for two to eight. The same people get the same conversation back each time.
   */
  openConversation(userIds: readonly string[]): Promise<{ ok: true; channel: string } | PostFailure>;

  /**
   * Looks for a message of ours carrying this metadata, posted at or after `since`: the way to tell,
   * after a crash or a timeout, whether an earlier attempt went through. Answers the message's ts,
   * `null` when there is no such message, or a failure when it cannot tell.
   */
  findPosted(
    channel: string,
    metadata: PostMetadata,
    since: Date,
    options?: { threadTs?: string | undefined },
  ): Promise<{ ok: true; ts: string | null } | PostFailure>;
}
