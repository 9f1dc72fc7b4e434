import type { Committee } from '../../db/schema.js';
import { isValidTimeZone } from '../../lib/calendar.js';
import { cleanText } from '../../lib/text.js';
import { LIMITS } from '../rounds/rounds.content.js';
import type { CommitteeSettings, CommitteesRepository } from './committees.repository.js';

export const MIN_GROUP_SIZE = 3;
export const MAX_GROUP_SIZE = 50;
/** A committee may follow at most this many units (the modal's text input holds them comma-separated). */
export const MAX_UNITS = 60;
const UNITS_INPUT_MAX = 2000;

export const DEFAULT_SETTINGS: CommitteeSettings = {
  units: [],
  weekday: 1,
  hour: 9,
  timeZone: 'UTC',
  minGroupSize: MIN_GROUP_SIZE,
  showIndividuals: false,
};

/**
 * What the committee commands need to know from Slack, behind an interface so the use cases stay
 * free of Slack payloads (src/slack/committee-access.ts answers it with users.info and
 * conversations.info).
 */
export interface CommitteeAccess {
  /** Whether Slack calls the person a workspace admin or owner, and their time zone. */
  person(userId: string): Promise<{ isWorkspaceAdmin: boolean; timeZone: string | null } | 'unknown'>;
  channel(channelId: string): Promise<ChannelStatus>;
}

/**
 * - `member`: the app is in the channel and can post there.
 * - `not_member`: it is not (a private channel it is not in looks like `not_found` to Slack; we say the
 *   same thing for both: invite the app).
 * - `archived`, `direct_message`: not a place for a committee.
 * - `unknown`: Slack did not answer in time.
 */
export type ChannelStatus = 'member' | 'not_member' | 'archived' | 'direct_message' | 'unknown';

export type Refusal = { ok: false; refusal: string };

export const REFUSALS = {
  notAdmin:
    'Only workspace admins and owners (and the people listed in ADMIN_USER_IDS) can change committee digests. Ask one of them.',
  adminUnknown: "Sorry, I couldn't check your permissions with Slack just now. Please try again in a moment.",
  notMember:
    "I'm not in this channel yet. Invite me with `/invite @Service Radar`, then run the command again.",
  archived: 'This channel is archived, so it cannot receive a digest.',
  directMessage: 'Run this in the committee’s channel, not in a direct message.',
  channelUnknown: "Sorry, I couldn't check this channel with Slack just now. Please try again in a moment.",
  notSubscribed:
    'This channel is not a committee channel yet. An admin can subscribe it with `/service-digest subscribe`.',
} as const;

type AdministratorStatus =
  | { status: 'admin'; timeZone: string | null }
  | { status: 'not_admin' }
  | { status: 'unknown' };

/** Slack's word on admin status, asked every time; ADMIN_USER_IDS stand even when Slack is silent. */
async function administratorStatus(
  access: CommitteeAccess,
  adminUserIds: readonly string[],
  userId: string,
): Promise<AdministratorStatus> {
  const person = await access.person(userId).catch(() => 'unknown' as const);
  const listed = adminUserIds.includes(userId);
  if (person === 'unknown') return listed ? { status: 'admin', timeZone: null } : { status: 'unknown' };
  if (!listed && !person.isWorkspaceAdmin) return { status: 'not_admin' };
  return { status: 'admin', timeZone: person.timeZone };
}

async function checkAdministrator(
  access: CommitteeAccess,
  adminUserIds: readonly string[],
  userId: string,
): Promise<{ ok: true; timeZone: string | null } | Refusal> {
  const admin = await administratorStatus(access, adminUserIds, userId);
  if (admin.status === 'unknown') return { ok: false, refusal: REFUSALS.adminUnknown };
  if (admin.status === 'not_admin') return { ok: false, refusal: REFUSALS.notAdmin };
  return { ok: true, timeZone: admin.timeZone };
}

async function checkChannel(access: CommitteeAccess, channelId: string): Promise<Refusal | undefined> {
  const status = await access.channel(channelId).catch(() => 'unknown' as const);
  switch (status) {
    case 'member':
      return undefined;
    case 'not_member':
      return { ok: false, refusal: REFUSALS.notMember };
    case 'archived':
      return { ok: false, refusal: REFUSALS.archived };
    case 'direct_message':
      return { ok: false, refusal: REFUSALS.directMessage };
    default:
      return { ok: false, refusal: REFUSALS.channelUnknown };
  }
}

export interface CommitteeFormDefaults {
  channelId: string;
  settings: CommitteeSettings;
  /** Set when the channel is subscribed already: the form changes its settings. */
  existing: boolean;
  /** The committee the form changes (null for a new subscription), so a stale form is caught. */
  committeeId?: number | null;
}

/**
 * `subscribe` and `settings`: may this person change this channel's digest, and with what in the form?
 * A new committee's time zone defaults to the admin's own.
 */
export async function prepareCommitteeForm({
  committees,
  access,
  adminUserIds,
  channelId,
  userId,
}: {
  committees: CommitteesRepository;
  access: CommitteeAccess;
  adminUserIds: readonly string[];
  channelId: string;
  userId: string;
}): Promise<({ ok: true } & CommitteeFormDefaults) | Refusal> {
  if (channelId.startsWith('D')) return { ok: false, refusal: REFUSALS.directMessage };
  const [admin, channel, existing] = await Promise.all([
    checkAdministrator(access, adminUserIds, userId),
    checkChannel(access, channelId),
    committees.findActiveByChannel(channelId),
  ]);
  if (!admin.ok) return admin;
  if (channel) return channel;
  if (existing)
    return { ok: true, channelId, settings: settingsOf(existing), existing: true, committeeId: existing.id };
  const timeZone = admin.timeZone && isValidTimeZone(admin.timeZone) ? admin.timeZone : 'UTC';
  return {
    ok: true,
    channelId,
    settings: { ...DEFAULT_SETTINGS, timeZone },
    existing: false,
    committeeId: null,
  };
}

export function settingsOf(committee: Committee): CommitteeSettings {
  return {
    units: committee.units,
    weekday: committee.weekday,
    hour: committee.hour,
    timeZone: committee.timeZone,
    minGroupSize: committee.minGroupSize,
    showIndividuals: committee.showIndividuals,
  };
}

// ---------------------------------------------------------------------------------------------
// The settings form

/** What the admin submitted, as plain values (the Slack layer has unpacked the view). */
export interface CommitteeDraft {
  scope: string | null;
  units: string | null;
  weekday: string | null;
  hour: string | null;
  timeZone: string | null;
  minGroupSize: string | null;
  showIndividuals: boolean;
}

export type CommitteeField = 'scope' | 'units' | 'weekday' | 'hour' | 'timeZone' | 'minGroupSize';

export type DraftResult =
  | { ok: true; settings: CommitteeSettings }
  | { ok: false; errors: Partial<Record<CommitteeField, string>> };

const wholeNumber = (value: string | null, min: number, max: number): number | undefined => {
  if (value === null || !/^\d{1,3}$/.test(value)) return undefined;
  const number = Number(value);
  return number >= min && number <= max ? number : undefined;
};

/** Splits the typed units on commas or new lines, trims them, and drops repeats (case-insensitive). */
export function parseUnits(text: string | null): string[] {
  const seen = new Set<string>();
  const units: string[] = [];
  for (const part of (text ?? '').split(/[,\n;]+/)) {
    const unit = cleanText(part);
    if (!unit || seen.has(unit.toLowerCase())) continue;
    seen.add(unit.toLowerCase());
    units.push(unit);
  }
  return units;
}

/** Checks the form; every mistake is named on its field, for `response_action: errors`. */
export function validateCommitteeDraft(draft: CommitteeDraft): DraftResult {
  const errors: Partial<Record<CommitteeField, string>> = {};
  const scope = draft.scope === 'units' || draft.scope === 'all' ? draft.scope : undefined;
  if (!scope) errors.scope = 'Choose who the digest covers.';
  let units: string[] = [];
  if (scope === 'units') {
    if ((draft.units ?? '').length > UNITS_INPUT_MAX) {
      errors.units = `That is more than ${UNITS_INPUT_MAX} characters; list at most ${MAX_UNITS} units.`;
    } else {
      units = parseUnits(draft.units);
      const tooLong = units.find((unit) => unit.length > LIMITS.unit);
      if (units.length === 0)
        errors.units = 'List at least one unit, separated by commas, or choose all staff.';
      else if (units.length > MAX_UNITS) errors.units = `List at most ${MAX_UNITS} units.`;
      else if (tooLong) errors.units = `A unit name is at most ${LIMITS.unit} characters.`;
    }
  }
  const weekday = wholeNumber(draft.weekday, 1, 7);
  if (weekday === undefined) errors.weekday = 'Choose the day of the week for the post.';
  const hour = wholeNumber(draft.hour, 0, 23);
  if (hour === undefined) errors.hour = 'Choose the hour of the post.';
  const timeZone = cleanText(draft.timeZone);
  if (!timeZone) errors.timeZone = 'Give a time zone, such as Europe/London.';
  else if (!isValidTimeZone(timeZone) || timeZone.length > 64)
    errors.timeZone = 'That is not a time zone I know. Use a name such as Europe/London or America/Chicago.';
  const minGroupSize = wholeNumber(draft.minGroupSize, MIN_GROUP_SIZE, MAX_GROUP_SIZE);
  if (minGroupSize === undefined)
    errors.minGroupSize = `Choose a minimum group size from ${MIN_GROUP_SIZE} to ${MAX_GROUP_SIZE}.`;
  if (
    Object.keys(errors).length > 0 ||
    weekday === undefined ||
    hour === undefined ||
    !timeZone ||
    minGroupSize === undefined
  ) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    settings: { units, weekday, hour, timeZone, minGroupSize, showIndividuals: draft.showIndividuals },
  };
}

/** Stores a validated form: subscribes the channel, or changes its settings. */
export async function saveCommitteeSettings({
  committees,
  channelId,
  userId,
  settings,
  now,
}: {
  committees: CommitteesRepository;
  channelId: string;
  userId: string;
  settings: CommitteeSettings;
  now: Date;
}): Promise<{ committee: Committee; created: boolean }> {
  return committees.save(channelId, settings, { userId, now });
}

/**
 * Why a submitted settings form changed nothing. The sentences, for the form's own error line, are
 * in FORM_REFUSALS; plain text, as Slack shows field errors.
 */
export type CommitteeFormRefusal =
  | 'out_of_date'
  | 'not_admin'
  | 'admin_unknown'
  | 'not_member'
  | 'archived'
  | 'direct_message'
  | 'channel_unknown'
  | 'unsubscribed_meanwhile'
  | 'subscribed_meanwhile';

export const FORM_REFUSALS: Record<CommitteeFormRefusal, string> = {
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
};

const CHANNEL_REFUSALS: Partial<Record<ChannelStatus, CommitteeFormRefusal>> = {
  not_member: 'not_member',
  archived: 'archived',
  direct_message: 'direct_message',
  unknown: 'channel_unknown',
};

const sameSettings = (committee: Committee, settings: CommitteeSettings): boolean =>
  JSON.stringify(settingsOf(committee)) === JSON.stringify(settingsOf({ ...committee, ...settings }));

/**
 * A submitted settings form. The form said which channel and committee it was opened for (the
 * Slack layer has checked that this server wrote that); whether the submitter may still change
 * them is asked again now: admin status from Slack, never a cache, and whether the app is still in
 * the channel. The committee must still be the one the form was opened for.
 */
export async function submitCommitteeSettings({
  committees,
  access,
  adminUserIds,
  channelId,
  committeeId,
  userId,
  settings,
  now,
}: {
  committees: CommitteesRepository;
  access: CommitteeAccess;
  adminUserIds: readonly string[];
  channelId: string;
  /** The committee the form was opened to change; null when it was opened to subscribe. */
  committeeId: number | null;
  userId: string;
  settings: CommitteeSettings;
  now: Date;
}): Promise<
  | { ok: true; committee: Committee; created: boolean; announce: boolean }
  | { ok: false; code: CommitteeFormRefusal }
> {
  const [admin, channel] = await Promise.all([
    administratorStatus(access, adminUserIds, userId),
    access.channel(channelId).catch(() => 'unknown' as const),
  ]);
  if (admin.status === 'unknown') return { ok: false, code: 'admin_unknown' };
  if (admin.status === 'not_admin') return { ok: false, code: 'not_admin' };
  const channelRefusal = CHANNEL_REFUSALS[channel];
  if (channelRefusal) return { ok: false, code: channelRefusal };

  if (committeeId === null) {
    const created = await committees.subscribe(channelId, settings, { userId, now });
    if (created) return { ok: true, committee: created, created: true, announce: true };
    // The same form again (a second press while the first was saving) is the same subscription.
    const current = await committees.findActiveByChannel(channelId);
    if (current && current.createdByUserId === userId && sameSettings(current, settings))
      return { ok: true, committee: current, created: false, announce: false };
    return { ok: false, code: 'subscribed_meanwhile' };
  }
  const changed = await committees.changeSettings(committeeId, channelId, settings, now);
  if (!changed) return { ok: false, code: 'unsubscribed_meanwhile' };
  return { ok: true, committee: changed, created: false, announce: true };
}

/** `unsubscribe`: admins only; the app need not still be in the channel. */
export async function unsubscribeCommittee({
  committees,
  access,
  adminUserIds,
  channelId,
  userId,
  now,
}: {
  committees: CommitteesRepository;
  access: CommitteeAccess;
  adminUserIds: readonly string[];
  channelId: string;
  userId: string;
  now: Date;
}): Promise<{ ok: true; committee: Committee } | Refusal> {
  const admin = await checkAdministrator(access, adminUserIds, userId);
  if (!admin.ok) return admin;
  const committee = await committees.deactivate(channelId, now);
  if (!committee) return { ok: false, refusal: 'This channel is not subscribed to the digest.' };
  return { ok: true, committee };
}
