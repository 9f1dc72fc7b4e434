import type { AllMiddlewareArgs, RespondFn, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { SlackMessage } from '../../../lib/block-kit.js';
import { inertMrkdwn } from '../../../lib/text.js';
import {
  prepareCommitteeForm,
  unsubscribeCommittee,
} from '../../../modules/committees/committees.usecases.js';
import {
  buildCommitteeLoadingModal,
  buildCommitteeModal,
  buildCommitteeRefusalModal,
  buildSettingsMessage,
  buildUnknownServiceDigestMessage,
  buildUnsubscribedNotice,
  SERVICE_DIGEST_COMMAND,
  SERVICE_DIGEST_HELP,
  settingsText,
  unsubscribedText,
} from '../../../modules/committees/committees.views.js';
import { committeeWords } from '../../../modules/committees/committees.words.js';
import { exportForAdmin } from '../../../modules/digests/digests.export.js';
import { previewDigest } from '../../../modules/digests/digests.usecases.js';
import { buildDigestMessage } from '../../../modules/digests/digests.views.js';
import { digestWords, exportFailedWords, exportSentWords } from '../../../modules/digests/digests.words.js';
import { APOLOGIES } from '../../apologies.js';
import type { ListenerDeps } from '../../deps.js';

export { SERVICE_DIGEST_COMMAND };

/**
 * If Slack has not said within this long whether the caller may change the settings, a small
 * "checking" modal opens at once (a trigger_id lives 3 seconds) and is updated when the answer comes.
 */
const QUICK_CHECK_MS = 1_200;

const SORRY = APOLOGIES.try_again;

const ephemeral = (respond: RespondFn, said: string | SlackMessage) =>
  respond({ response_type: 'ephemeral', ...(typeof said === 'string' ? { text: said } : said) }).catch(
    () => undefined,
  );

/** `/service-digest subscribe | settings | preview | unsubscribe | help`, run in a committee's channel. */
export function serviceDigestCommand(deps: ListenerDeps) {
  const { committeeDeps, clock, logger, directory, messenger, seal, audit } = deps;
  const { committees, digests, practices, adminUserIds, libraryTimeZone, access } = committeeDeps;

  return async ({ ack, command, client, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const text = command.text.trim();
    const action = text.toLowerCase();
    const channelId = command.channel_id;
    const userId = command.user_id;

    if (action === '' || action === 'help') {
      await ack({ response_type: 'ephemeral', text: SERVICE_DIGEST_HELP });
      return;
    }
    const exporting = /^export(?:\s+(\S+))?(?:\s+(\S+))?$/i.exec(text);
    if (exporting) {
      await ack();
      try {
        const result = await exportForAdmin(
          {
            committees,
            digests,
            practices,
            clock,
            directory,
            libraryTimeZone,
            messenger,
            administrators: access,
            adminUserIds,
            audit,
          },
          { channelId, userId, from: exporting[1], to: exporting[2] },
        );
        if (result.ok) {
          logger.info(
            { channel: channelId, user: userId, weeks: result.file.weeks.length, rows: result.file.rows },
            'digest exported',
          );
          const { weeks } = result.file;
          await ephemeral(
            respond,
            exportSentWords(weeks[0] as string, weeks.at(-1) as string, result.file.rows),
          );
        } else if (result.code === 'not_admin' || result.code === 'admin_unknown') {
          await ephemeral(respond, committeeWords(result.code));
        } else if (result.code === 'dm_failed') {
          await ephemeral(respond, exportFailedWords(result.values.error));
        } else {
          // What they typed comes back inert: the reply is mrkdwn, and a range is anyone's text.
          const values = result.values?.text
            ? { ...result.values, text: inertMrkdwn(result.values.text) }
            : result.values;
          await ephemeral(respond, digestWords(result.code, values));
        }
      } catch (error) {
        logger.error({ err: error, channel: channelId, user: userId }, 'could not export the digest');
        await ephemeral(respond, SORRY);
      }
      return;
    }
    if (!['subscribe', 'settings', 'preview', 'unsubscribe'].includes(action)) {
      await ack({ response_type: 'ephemeral', ...buildUnknownServiceDigestMessage(text) });
      return;
    }
    await ack();

    try {
      if (action === 'preview') {
        const preview = await previewDigest(
          { committees, digests, practices, clock, directory, libraryTimeZone },
          channelId,
        );
        if (!preview.ok) {
          await ephemeral(respond, digestWords(preview.code, preview.values));
          return;
        }
        const message = buildDigestMessage(preview.data, { preview: true });
        await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
        return;
      }

      if (action === 'unsubscribe') {
        const result = await unsubscribeCommittee({
          committees,
          access,
          adminUserIds,
          channelId,
          userId,
          now: clock.now(),
        });
        if (!result.ok) {
          await ephemeral(respond, committeeWords(result.code));
          return;
        }
        logger.info(
          { committee: result.committee.id, channel: channelId, user: userId },
          'committee unsubscribed',
        );
        await ephemeral(respond, unsubscribedText());
        // Tell the channel too, if the app can still post there.
        await messenger.post(channelId, buildUnsubscribedNotice(userId));
        return;
      }

      // subscribe, settings: the same form, once Slack says the caller may use it.
      const checks = prepareCommitteeForm({ committees, access, adminUserIds, channelId, userId });
      const quick = await Promise.race([
        checks,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), QUICK_CHECK_MS)),
      ]);
      if (quick) {
        if (!quick.ok) {
          const existing =
            action === 'settings' && quick.code === 'not_admin'
              ? await committees.findActiveByChannel(channelId)
              : undefined;
          const refusal = committeeWords(quick.code);
          await ephemeral(respond, existing ? buildSettingsMessage(existing, refusal) : refusal);
          return;
        }
        if (action === 'settings' && !quick.existing) {
          await ephemeral(respond, settingsText(undefined));
          return;
        }
        await client.views.open({
          trigger_id: command.trigger_id,
          view: seal.seal(buildCommitteeModal(quick, userId, libraryTimeZone), userId),
        });
        return;
      }
      const opened = await client.views.open({
        trigger_id: command.trigger_id,
        view: buildCommitteeLoadingModal(),
      });
      const result = await checks;
      const viewId = opened.view?.id;
      if (!viewId) return;
      // The same answers as above, in the modal that is already open.
      const view = !result.ok
        ? buildCommitteeRefusalModal(committeeWords(result.code))
        : action === 'settings' && !result.existing
          ? buildCommitteeRefusalModal(settingsText(undefined))
          : seal.seal(buildCommitteeModal(result, userId, libraryTimeZone), userId);
      await client.views.update({ view_id: viewId, view });
    } catch (error) {
      logger.error({ err: error, user: userId, channel: channelId, action }, 'service-digest command failed');
      await ephemeral(respond, SORRY);
    }
  };
}
