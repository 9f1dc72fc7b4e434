import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../lib/block-kit.js';
import type { Logger } from '../logger.js';
import type { SendingPause } from '../modules/installation/installation.usecases.js';
import type {
  FileToUpload,
  Messenger,
  PostFailure,
  PostMetadata,
  PostResult,
} from '../modules/messaging/messaging.port.js';
import { classifyFailure } from './slack-errors.js';

export const METADATA_KEY_FIELD = 'radar_key';

/**
 * Every message the app posts goes through here: one place that turns Slack's errors into results,
 * logs them by code (never with tokens or message text), and never throws at a caller that has
 * already acknowledged the user.
 *
 * With `pause` (the installation's standing), a token error is believed only while the app is
 * paused: the Web API client's watch (src/slack/token-refusals.ts) has already asked auth.test by
 * the time the error arrives here, so "not paused" means the token works and the error is about
 * this call's target, which makes it undeliverable, as before.
 */
export function createMessenger({
  client,
  logger,
  pause,
}: {
  client: WebClient;
  logger: Logger;
  pause?: SendingPause | undefined;
}): Messenger {
  const fail = async (action: string, target: string, error: unknown): Promise<PostFailure> => {
    let failure = classifyFailure(error);
    if (failure.kind === 'token_refused' && pause && !(await pause.isPaused().catch(() => true)))
      failure = { ...failure, kind: 'undeliverable' };
    // The pause itself is logged once; one line per refused message would say the same thing.
    if (failure.kind === 'token_refused')
      logger.debug({ action, target, error: failure.error, kind: failure.kind }, 'slack call failed');
    else logger.warn({ action, target, error: failure.error, kind: failure.kind }, 'slack call failed');
    return failure;
  };

  /**
   * The app's private conversation with these people (conversations.open): the DM for one person
   * (`im:write`), a group DM of the app and them for two to eight (`mpim:write`). Slack gives the
   * same conversation back each time for the same people.
   */
  const openConversation = async (
    userIds: readonly string[],
  ): Promise<{ ok: true; channel: string } | PostFailure> => {
    const users = userIds.join(',');
    try {
      const response = await client.conversations.open({ users });
      const id = response.channel?.id;
      return id ? { ok: true, channel: id } : { ok: false, kind: 'error', error: 'no_channel' };
    } catch (error) {
      return fail('conversations.open', users, error);
    }
  };

  return {
    /** Posts to a channel, or to a person's DM with the app when `channel` is a user id. */
    async post(
      channel: string,
      message: SlackMessage,
      options: { threadTs?: string | undefined; metadata?: PostMetadata | undefined } = {},
    ): Promise<PostResult> {
      try {
        const response = await client.chat.postMessage({
          channel,
          text: message.text,
          blocks: message.blocks,
          ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
          ...(options.metadata
            ? {
                metadata: {
                  event_type: options.metadata.eventType,
                  event_payload: { [METADATA_KEY_FIELD]: options.metadata.key },
                },
              }
            : {}),
          unfurl_links: false,
          unfurl_media: false,
        });
        if (!response.channel || !response.ts) return { ok: false, kind: 'uncertain', error: 'missing_ts' };
        return { ok: true, channel: response.channel, ts: response.ts };
      } catch (error) {
        return fail('chat.postMessage', channel, error);
      }
    },

    async update(channel: string, ts: string, message: SlackMessage): Promise<PostResult> {
      try {
        await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
        return { ok: true, channel, ts };
      } catch (error) {
        return fail('chat.update', channel, error);
      }
    },

    /**
     * Uploads a file into a channel, or into a thread there (the files upload v2 flow:
     * files.getUploadURLExternal, the upload, files.completeUploadExternal).
     */
    async upload(
      channel: string,
      file: FileToUpload,
      options: { threadTs?: string | undefined } = {},
    ): Promise<{ ok: true; fileId: string | null } | PostFailure> {
      try {
        const content = {
          file: file.bytes,
          filename: file.filename,
          title: file.title,
          ...(file.altText ? { alt_text: file.altText } : {}),
        };
        const response = await client.filesUploadV2(
          options.threadTs
            ? { ...content, channel_id: channel, thread_ts: options.threadTs }
            : { ...content, channel_id: channel },
        );
        const completions = (response as { files?: { files?: { id?: string }[] }[] }).files;
        return { ok: true, fileId: completions?.[0]?.files?.[0]?.id ?? null };
      } catch (error) {
        return fail('files.uploadV2', channel, error);
      }
    },

    /** The app's DM channel with a person (conversations.open), or a failure. */
    async openDm(userId: string): Promise<{ ok: true; channel: string } | PostFailure> {
      return openConversation([userId]);
    },

    openConversation,

    /**
     * Looks for a message of ours carrying this metadata, posted at or after `since`: the way to tell,
     * after a crash or a timeout, whether an earlier attempt went through. Answers the message's ts,
     * `null` when Slack has no such message, or a failure when it cannot tell.
     */
    async findPosted(
      channel: string,
      metadata: PostMetadata,
      since: Date,
      options: { threadTs?: string | undefined } = {},
    ): Promise<{ ok: true; ts: string | null } | PostFailure> {
      try {
        const oldest = (Math.floor(since.getTime() / 1000) - 60).toString();
        let cursor: string | undefined;
        for (let page = 0; page < 10; page++) {
          const response = options.threadTs
            ? await client.conversations.replies({
                channel,
                ts: options.threadTs,
                oldest,
                include_all_metadata: true,
                limit: 200,
                ...(cursor ? { cursor } : {}),
              })
            : await client.conversations.history({
                channel,
                oldest,
                include_all_metadata: true,
                limit: 200,
                ...(cursor ? { cursor } : {}),
              });
          for (const message of response.messages ?? []) {
            const meta = (
              message as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }
            ).metadata;
            if (
              meta?.event_type === metadata.eventType &&
              meta.event_payload?.[METADATA_KEY_FIELD] === metadata.key
            ) {
              return { ok: true, ts: message.ts ?? null };
            }
          }
          cursor = response.response_metadata?.next_cursor || undefined;
          if (!cursor) break;
        }
        return { ok: true, ts: null };
      } catch (error) {
        return fail(options.threadTs ? 'conversations.replies' : 'conversations.history', channel, error);
      }
    },
  };
}
