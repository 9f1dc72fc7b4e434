import type { WebClient } from '@slack/web-api';
import type { PictureStore } from '../modules/home/home.customers.js';
import { slackErrorCode } from './slack-errors.js';

/**
 * Uploads a Home picture with Slack's external upload (files.getUploadURLExternal, the upload,
 * files.completeUploadExternal), shared in no channel: the Home's image block shows it by its file
 * id, so it needs no public server and works in Socket Mode too.
 */
export function createPictureStore(client: WebClient): PictureStore {
  return {
    async upload(file) {
      try {
        const response = await client.filesUploadV2({
          file: file.bytes,
          filename: file.filename,
          title: file.title,
          alt_text: file.altText,
        });
        const completions = (
          response as { files?: { files?: { id?: string; permalink?: string; url_private?: string }[] }[] }
        ).files;
        const uploaded = completions?.[0]?.files?.[0];
        if (!uploaded?.id) return { ok: false, error: 'no_file_id' };
        return {
          ok: true,
          fileId: uploaded.id,
          permalink: uploaded.permalink ?? uploaded.url_private ?? null,
        };
      } catch (error) {
        return { ok: false, error: slackErrorCode(error) ?? 'unknown_error' };
      }
    },

    async remove(fileId) {
      try {
        await client.files.delete({ file: fileId });
        return { ok: true };
      } catch (error) {
        return { ok: false, error: slackErrorCode(error) ?? 'unknown_error' };
      }
    },
  };
}
