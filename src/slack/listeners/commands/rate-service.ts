import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { withTimeout } from '../../../lib/timeout.js';
import {
  type ButtonResult,
  muteReminders,
  unmuteReminders,
} from '../../../modules/reminders/reminders.buttons.js';
import { reminderDoneWords, reminderWords } from '../../../modules/reminders/reminders.words.js';
import { sendHistory } from '../../../modules/rounds/rounds.history.js';
import { prepareRoundForm } from '../../../modules/rounds/rounds.usecases.js';
import {
  buildRoundModal,
  buildUnknownRateServiceMessage,
  RATE_SERVICE_HELP,
} from '../../../modules/rounds/rounds.views.js';
import { historyNotSentWords, historySentWords } from '../../../modules/rounds/rounds.words.js';
import { APOLOGIES } from '../../apologies.js';
import type { ListenerDeps } from '../../deps.js';

export const RATE_SERVICE_COMMAND = '/rate-service';
/** How long the form's defaults may take to load before the user is told to try again. */
const FORM_DEADLINE_MS = 2_000;
const FORM_UNAVAILABLE = APOLOGIES.form_not_opened;

/** `/rate-service` opens the self-rating modal; `help` explains; anything else says what it accepts. */
export function rateServiceCommand({
  rounds,
  messenger,
  clock,
  libraryTimeZone,
  logger,
  reminderDeps,
  seal,
  patronLinkSettings,
  audit,
}: ListenerDeps) {
  return async ({ ack, command, client, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const text = command.text.trim();
    if (text.toLowerCase() === 'help') {
      await ack({ response_type: 'ephemeral', text: RATE_SERVICE_HELP });
      return;
    }
    const mute = /^mute(?:\s+(\d{1,3}))?$/i.exec(text);
    if (mute || /^unmute$/i.test(text)) {
      try {
        const days = Number(mute?.[1] ?? reminderDeps.settings.muteDays);
        const result: ButtonResult = mute
          ? days >= 1 && days <= 365
            ? await muteReminders(reminderDeps, { userId: command.user_id, days, now: clock.now() })
            : { ok: false, code: 'mute_days_out_of_range' }
          : await unmuteReminders(reminderDeps, { userId: command.user_id, now: clock.now() });
        const text = result.ok ? reminderDoneWords(result.done) : reminderWords(result.code);
        await ack({ response_type: 'ephemeral', text });
      } catch (error) {
        logger.error({ err: error, user: command.user_id }, 'could not change the mute');
        await ack({
          response_type: 'ephemeral',
          text: APOLOGIES.try_again,
        });
      }
      return;
    }
    if (/^export$/i.test(text)) {
      await ack();
      try {
        const sent = await sendHistory({ rounds, messenger, clock, audit }, command.user_id);
        if (sent.ok) logger.info({ user: command.user_id, rounds: sent.rounds }, 'own history exported');
        await respond({
          response_type: 'ephemeral',
          text: sent.ok ? historySentWords(sent.rounds) : historyNotSentWords(sent.error),
        });
      } catch (error) {
        logger.error({ err: error, user: command.user_id }, 'could not export a staff member’s history');
        await respond({ response_type: 'ephemeral', text: APOLOGIES.try_again }).catch(() => undefined);
      }
      return;
    }
    if (text !== '') {
      await ack({ response_type: 'ephemeral', ...buildUnknownRateServiceMessage(text) });
      return;
    }
    // The form's defaults are read before the acknowledgement, within a budget that leaves room in
    // Slack's 3 s. A listener that acknowledged first would let a burst of commands queue database
    // work without limit, until the forms opened after their trigger_ids had died (the benchmark
    // saw it); read first, and the acknowledgements pace the load. views.open follows the ack, so a
    // slow Slack never delays it.
    let defaults: Awaited<ReturnType<typeof prepareRoundForm>>;
    try {
      defaults = await withTimeout(
        prepareRoundForm({
          rounds,
          clock,
          staffUserId: command.user_id,
          timeZone: libraryTimeZone,
          links: patronLinkSettings,
        }),
        FORM_DEADLINE_MS,
      );
    } catch (error) {
      logger.error({ err: error, user: command.user_id }, 'could not prepare the round modal');
      await ack({ response_type: 'ephemeral', text: FORM_UNAVAILABLE });
      return;
    }
    await ack();
    try {
      await client.views.open({
        trigger_id: command.trigger_id,
        view: seal.seal(buildRoundModal(defaults), command.user_id),
      });
    } catch (error) {
      logger.error({ err: error, user: command.user_id }, 'could not open the round modal');
      await respond({ response_type: 'ephemeral', text: FORM_UNAVAILABLE }).catch(() => undefined);
    }
  };
}
