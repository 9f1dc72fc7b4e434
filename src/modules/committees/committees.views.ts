import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { Committee } from '../../db/schema.js';
import { mrkdwn, plain, type SlackMessage } from '../../lib/block-kit.js';
import { bulleted, code, paragraph, richText, text, user } from '../../lib/rich-text.js';
import { inertMrkdwn, truncate } from '../../lib/text.js';
import { type CommitteeSettings, settingsOf } from './committees.repository.js';
import { type CommitteeFormDefaults, MAX_GROUP_SIZE, MIN_GROUP_SIZE } from './committees.usecases.js';

/**
 * The committee settings modal and the command's replies, as pure functions. Ids are shared with the
 * listener that reads the submission.
 */

export const SERVICE_DIGEST_COMMAND = '/service-digest';

export const COMMITTEE_MODAL = {
  callbackId: 'committee_settings',
  blocks: {
    scope: 'committee_scope',
    units: 'committee_units',
    weekday: 'committee_weekday',
    hour: 'committee_hour',
    timeZone: 'committee_time_zone',
    minGroupSize: 'committee_min_group_size',
    showIndividuals: 'committee_show_individuals',
  },
  actionId: 'value',
} as const;

export const SHOW_INDIVIDUALS_VALUE = 'show';

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const option = (text: string, value: string): PlainTextOption => ({ text: plain(text), value });
const hourText = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

const weekdayOptions = WEEKDAYS.map((day, index) => option(day, String(index + 1)));
const hourOptions = Array.from({ length: 24 }, (_, hour) => option(hourText(hour), String(hour)));
const sizeOptions = Array.from({ length: MAX_GROUP_SIZE - MIN_GROUP_SIZE + 1 }, (_, index) => {
  const size = MIN_GROUP_SIZE + index;
  return option(
    `${size} staff members and ${size} customers${size === MIN_GROUP_SIZE ? ' (the least allowed)' : ''}`,
    String(size),
  );
});
const scopeOptions = [option('All staff', 'all'), option('Only the units listed below', 'units')];
const individualsOption = option('Show a row for each staff member', SHOW_INDIVIDUALS_VALUE);

/**
 * The modal's private_metadata: which channel, who opened it (only they may submit it), and which
 * committee it changes (null: it subscribes the channel). The Slack layer seals it.
 */
export interface CommitteeModalMetadata {
  v: 2;
  channelId: string;
  adminUserId: string;
  committeeId: number | null;
}

/**
 * The threshold in the words the README uses, here and in every digest. In the modal the number is
 * the one chosen in the form, which can change before it is saved, so there it is "N".
 */
export const thresholdWords = (n: number | 'N') =>
  `figures appear only when they come from at least ${n} different staff members and ${n} different customers`;

export function buildCommitteeModal(
  defaults: CommitteeFormDefaults,
  adminUserId: string,
  /** LIBRARY_TIME_ZONE: where the weeks the figures cover are cut. */
  libraryTimeZone: string,
): ModalView {
  const { blocks: ids, actionId } = COMMITTEE_MODAL;
  const s = defaults.settings;
  const pick = (options: PlainTextOption[], value: string) => options.find((o) => o.value === value);
  const metadata: CommitteeModalMetadata = {
    v: 2,
    channelId: defaults.channelId,
    adminUserId,
    committeeId: defaults.committeeId ?? null,
  };
  return {
    type: 'modal',
    callback_id: COMMITTEE_MODAL.callbackId,
    private_metadata: JSON.stringify(metadata),
    title: plain(defaults.existing ? 'Digest settings' : 'Weekly service digest'),
    submit: plain(defaults.existing ? 'Save' : 'Subscribe'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `${defaults.existing ? 'Settings for' : 'Subscribe'} <#${defaults.channelId}> ${
            defaults.existing
              ? 'as a committee channel.'
              : 'to a weekly digest: self-ratings against customer ratings, the gap, and what needs following up.'
          } With a minimum group size of N, ${thresholdWords('N')}; smaller units and weeks are left out, never pooled, and no customer is ever named.`,
        ),
      },
      {
        type: 'input',
        block_id: ids.scope,
        label: plain('Who does the digest cover?'),
        element: {
          type: 'radio_buttons',
          action_id: actionId,
          options: scopeOptions,
          initial_option: pick(scopeOptions, s.units.length > 0 ? 'units' : 'all') as PlainTextOption,
        },
      },
      {
        type: 'input',
        block_id: ids.units,
        optional: true,
        label: plain('Units'),
        hint: plain('Comma-separated, as staff name their unit in /rate-service (capitals do not matter).'),
        element: {
          type: 'plain_text_input',
          action_id: actionId,
          max_length: 2000,
          placeholder: plain('e.g. Reference, Circulation, Children’s'),
          ...(s.units.length > 0 ? { initial_value: s.units.join(', ') } : {}),
        },
      },
      {
        type: 'input',
        block_id: ids.weekday,
        label: plain('Day of the post'),
        element: {
          type: 'static_select',
          action_id: actionId,
          options: weekdayOptions,
          initial_option: pick(weekdayOptions, String(s.weekday)) as PlainTextOption,
        },
      },
      {
        type: 'input',
        block_id: ids.hour,
        label: plain('Hour of the post'),
        element: {
          type: 'static_select',
          action_id: actionId,
          options: hourOptions,
          initial_option: pick(hourOptions, String(s.hour)) as PlainTextOption,
        },
      },
      {
        type: 'input',
        block_id: ids.timeZone,
        label: plain('Time zone'),
        hint: plain(
          `The post goes out at that hour in this zone: a name such as Europe/London or America/Chicago. The figures are for the library’s weeks, Monday to Sunday in ${libraryTimeZone}, the same for every committee.`,
        ),
        element: {
          type: 'plain_text_input',
          action_id: actionId,
          max_length: 64,
          initial_value: s.timeZone,
        },
      },
      {
        type: 'input',
        block_id: ids.minGroupSize,
        label: plain('Minimum group size (N)'),
        hint: plain(
          `With N chosen here, ${thresholdWords('N')}. Each unit’s week is counted on its own: a unit whose rounds that week come from fewer people is left out of every figure, so no one’s rating can be singled out.`,
        ),
        element: {
          type: 'static_select',
          action_id: actionId,
          options: sizeOptions,
          initial_option: pick(sizeOptions, String(s.minGroupSize)) as PlainTextOption,
        },
      },
      {
        type: 'input',
        block_id: ids.showIndividuals,
        optional: true,
        label: plain('Individual rows'),
        hint: plain(
          'Off by default. When on, the digest also lists each staff member’s own averages: only in units shown, and only where each of the unit’s staff members had at least N different customers that week.',
        ),
        element: {
          type: 'checkboxes',
          action_id: actionId,
          options: [individualsOption],
          ...(s.showIndividuals ? { initial_options: [individualsOption] } : {}),
        },
      },
    ],
  };
}

/** Shown while Slack is slow to say whether the person may change the settings. */
export function buildCommitteeLoadingModal(): ModalView {
  return {
    type: 'modal',
    title: plain('Weekly service digest'),
    close: plain('Close'),
    blocks: [{ type: 'section', text: mrkdwn('Checking your permissions and this channel…') }],
  };
}

export function buildCommitteeRefusalModal(refusal: string): ModalView {
  return {
    type: 'modal',
    title: plain('Weekly service digest'),
    close: plain('Close'),
    blocks: [{ type: 'section', text: mrkdwn(refusal) }],
  };
}

/** The settings in words, one item each; `typed` renders the unit names and the zone as typed. */
function settingsItems(settings: CommitteeSettings, typed: (words: string) => string): string[] {
  const scope =
    settings.units.length === 0
      ? 'all staff'
      : `the ${settings.units.length === 1 ? 'unit' : 'units'} ${settings.units.map(typed).join(', ')}`;
  return [
    `Covers ${scope}`,
    `Posted ${WEEKDAYS[settings.weekday - 1]}s at ${hourText(settings.hour)} (${typed(settings.timeZone)}), for the library’s last finished week (Monday to Sunday)`,
    `${thresholdWords(settings.minGroupSize).replace(/^f/, 'F')}`,
    `Individual rows: ${settings.showIndividuals ? 'shown' : 'not shown'}`,
  ];
}

/** The settings as a mrkdwn-safe list, for a notification fallback. */
export function describeSettings(settings: CommitteeSettings): string {
  return settingsItems(settings, inertMrkdwn)
    .map((item) => `• ${item}`)
    .join('\n');
}

/** The settings as a rich text list: unit names are shown exactly as the admin typed them. */
const settingsList = (settings: CommitteeSettings) =>
  bulleted(settingsItems(settings, (words) => words).map((item) => [text(item)]));

/** Posted in the channel when it is subscribed or its settings change, so the committee knows. */
export function buildCommitteeSavedMessage(
  committee: Committee,
  created: boolean,
  userId: string,
): SlackMessage {
  const settings = settingsOf(committee);
  const did = created
    ? ' subscribed this channel to the weekly service digest.'
    : ' changed this channel’s service digest settings.';
  return {
    text: `<@${userId}>${did}`,
    blocks: [
      richText(paragraph(user(userId), text(did)), settingsList(settings)),
      {
        type: 'context',
        elements: [
          mrkdwn(
            '`/service-digest preview` shows the next digest to you alone; `/service-digest help` lists the rest.',
          ),
        ],
      },
    ],
  };
}

const GETS_THE_DIGEST = 'This channel gets the weekly service digest:';

export function settingsText(committee: Committee | undefined): string {
  if (!committee)
    return 'This channel is not a committee channel. An admin can subscribe it with `/service-digest subscribe`.';
  return `${GETS_THE_DIGEST}\n${describeSettings(settingsOf(committee))}`;
}

/** A committee's settings, told to one person; `note` (the app's own words, mrkdwn) follows them. */
export function buildSettingsMessage(committee: Committee, note?: string): SlackMessage {
  const noteBlocks: KnownBlock[] = note ? [{ type: 'section', text: mrkdwn(note) }] : [];
  return {
    text: note ? `${settingsText(committee)}\n\n${note}` : settingsText(committee),
    blocks: [richText(paragraph(text(GETS_THE_DIGEST)), settingsList(settingsOf(committee))), ...noteBlocks],
  };
}

export const SERVICE_DIGEST_HELP = [
  '*Weekly service digest*: run these in a committee’s channel.',
  '• `/service-digest subscribe` makes this channel a committee channel: choose who it covers, when it is posted, the minimum group size, and whether individual rows are shown.',
  '• `/service-digest settings` shows the settings, and lets an admin change them.',
  '• `/service-digest preview` shows you, and only you, the digest that would go out now.',
  '• `/service-digest unsubscribe` stops the digest in this channel.',
  '• `/service-digest export [from] [to]` sends you, by DM, a CSV of the figures this channel’s digests published (dates such as 2026-01-31 or ISO weeks such as 2026-W05; by default the last 12 weeks).',
  'Subscribing, changing settings, unsubscribing and exporting are for workspace admins and owners (and people named in the app’s `ADMIN_USER_IDS`). Invite the app first: `/invite @Service Radar`.',
].join('\n');

/** The answer to a `/service-digest` it does not understand, echoing (at most 40 characters of) what was typed. */
export function buildUnknownServiceDigestMessage(typed: string): SlackMessage {
  const echo = truncate(typed, 40);
  return {
    text: `I don't know \`${inertMrkdwn(echo)}\`. Try \`/service-digest help\`.`,
    blocks: [
      richText(
        paragraph(text("I don't know "), code(echo), text('. Try '), code('/service-digest help'), text('.')),
      ),
    ],
  };
}

export function unsubscribedText(): string {
  return 'Done: this channel will get no more service digests. Past digests stay where they are. `/service-digest subscribe` starts them again.';
}

/** Posted in the channel (when the app can still post there) after an admin unsubscribes it. */
export function buildUnsubscribedNotice(userId: string): SlackMessage {
  const text = `<@${userId}> stopped the weekly service digest in this channel.`;
  return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}
