import type { FileToUpload, Messenger } from './messaging.port.js';

/** Uploads a file into a person's DM with the app: ok, or Slack's error from opening or uploading. */
export async function sendFileToDm(
  messenger: Pick<Messenger, 'openDm' | 'upload'>,
  userId: string,
  file: FileToUpload,
): Promise<{ ok: true; channel: string } | { ok: false; error: string }> {
  const dm = await messenger.openDm(userId);
  if (!dm.ok) return { ok: false, error: dm.error };
  const uploaded = await messenger.upload(dm.channel, file);
  if (!uploaded.ok) return { ok: false, error: uploaded.error };
  return { ok: true, channel: dm.channel };
}
