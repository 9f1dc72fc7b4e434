import { LIMITS } from '../rounds/rounds.content.js';
import {
  type CommitteeCode,
  type CommitteeFormCode,
  MAX_GROUP_SIZE,
  MAX_UNITS,
  MIN_GROUP_SIZE,
  UNITS_INPUT_MAX,
} from './committees.usecases.js';

/**
 * The one place the committees' sentences live. Use cases say no in codes (tests assert on them);
 * the Slack layer turns them into these words.
 */

/** Said in reply to `/service-digest`, to the person who typed it. */
export const COMMITTEE_WORDS = {
  not_admin:
    'Only workspace admins and owners (and the people listed in ADMIN_USER_IDS) can change committee digests. Ask one of them.',
  admin_unknown:
    "Sorry, I couldn't check your permissions with Slack just now. Please try again in a moment.",
  not_member:
    "I'm not in this channel yet. Invite me with `/invite @Service Radar`, then run the command again.",
  archived: 'This channel is archived, so it cannot receive a digest.',
  direct_message: 'Run this in the committee’s channel, not in a direct message.',
  channel_unknown: "Sorry, I couldn't check this channel with Slack just now. Please try again in a moment.",
  not_subscribed: 'This channel is not subscribed to the digest.',
} as const satisfies Record<CommitteeCode, string>;

export const committeeWords = (code: CommitteeCode): string => COMMITTEE_WORDS[code];

/**
 * Said on the settings form: each field's mistake, and why a submitted form changed nothing (plain
 * text, as Slack shows field errors).
 */
export const COMMITTEE_FORM_WORDS = {
  scope_missing: 'Choose who the digest covers.',
  units_input_too_long: `That is more than ${UNITS_INPUT_MAX} characters; list at most ${MAX_UNITS} units.`,
  units_missing: 'List at least one unit, separated by commas, or choose all staff.',
  units_too_many: `List at most ${MAX_UNITS} units.`,
  unit_too_long: `A unit name is at most ${LIMITS.unit} characters.`,
  weekday_missing: 'Choose the day of the week for the post.',
  hour_missing: 'Choose the hour of the post.',
  time_zone_missing: 'Give a time zone, such as Europe/London.',
  time_zone_unknown: 'That is not a time zone I know. Use a name such as Europe/London or America/Chicago.',
  min_group_size_out_of_range: `Choose a minimum group size from ${MIN_GROUP_SIZE} to ${MAX_GROUP_SIZE}.`,
  out_of_date: 'This form is out of date. Close it and type /service-digest again.',
  not_admin:
    'Only workspace admins and owners (and the people listed in ADMIN_USER_IDS) can change committee digests, so nothing was saved.',
  admin_unknown:
    "Slack didn't answer when I checked your permissions, so nothing was saved yet. Please press Submit again: what you typed is still here.",
  not_member:
    "I'm no longer in this channel, so nothing was saved. Invite me with /invite @Service Radar, then press Submit again.",
  archived: 'This channel has been archived, so it cannot receive a digest. Nothing was saved.',
  direct_message: 'A direct message cannot be a committee channel.',
  channel_unknown:
    "Slack didn't answer when I checked the channel, so nothing was saved yet. Please press Submit again: what you typed is still here.",
  unsubscribed_meanwhile:
    'This channel was unsubscribed while the form was open, so nothing was saved. Close it and type /service-digest subscribe to subscribe it again.',
  subscribed_meanwhile:
    'Someone subscribed this channel while the form was open, so nothing was saved. Close it and type /service-digest settings to change its settings.',
} as const satisfies Record<CommitteeFormCode, string>;

export const committeeFormWords = (code: CommitteeFormCode): string => COMMITTEE_FORM_WORDS[code];
