import type { Committee } from '../../db/schema.js';
import { isValidTimeZone } from '../../lib/calendar.js';
import { cleanText } from '../../lib/text.js';
import {
  type AdministratorAccess,
  type AdministratorRefusal,
  administratorStatus,
  checkAdministrator,
} from '../people/people.administrators.js';
import { LIMITS } from '../rounds/rounds.content.js';
import { type CommitteeSettings, type CommitteesRepository, settingsOf } from './committees.repository.js';

export const MIN_GROUP_SIZE = 3;
export const MAX_GROUP_SIZE = 50;
/** A committee may follow at most this many units (the modal's text input holds them comma-separated). */
export const MAX_UNITS = 60;
/** The most the units field may hold, as typed. */
export const UNITS_INPUT_MAX = 2000;

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
export interface CommitteeAccess extends AdministratorAccess {
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

/** Who may not act, or where the app cannot post: said by the command and by the settings form. */
type AccessRefusal = AdministratorRefusal | 'not_member' | 'archived' | 'direct_message' | 'channel_unknown';

/** Why a committee command changed nothing; the sentences are in committees.words.ts. */
export type CommitteeCode = AccessRefusal | 'not_subscribed';

export type Refusal = { ok: false; code: CommitteeCode };

async function checkChannel(access: CommitteeAccess, channelId: string): Promise<Refusal | undefined> {
  const status = await access.channel(channelId).catch(() => 'unknown' as const);
  switch (status) {
    case 'member':
      return undefined;
    case 'not_member':
    case 'archived':
    case 'direct_message':
      return { ok: false, code: status };
    default:
      return { ok: false, code: 'channel_unknown' };
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
  if (channelId.startsWith('D')) return { ok: false, code: 'direct_message' };
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

/** A field's mistake; the sentences are in committees.words.ts. */
export type CommitteeFieldCode =
  | 'scope_missing'
  | 'units_input_too_long'
  | 'units_missing'
  | 'units_too_many'
  | 'unit_too_long'
  | 'weekday_missing'
  | 'hour_missing'
  | 'time_zone_missing'
  | 'time_zone_unknown'
  | 'min_group_size_out_of_range';

export type DraftResult =
  | { ok: true; settings: CommitteeSettings }
  | { ok: false; errors: Partial<Record<CommitteeField, CommitteeFieldCode>> };

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
  const errors: Partial<Record<CommitteeField, CommitteeFieldCode>> = {};
  const scope = draft.scope === 'units' || draft.scope === 'all' ? draft.scope : undefined;
  if (!scope) errors.scope = 'scope_missing';
  let units: string[] = [];
  if (scope === 'units') {
    if ((draft.units ?? '').length > UNITS_INPUT_MAX) {
      errors.units = 'units_input_too_long';
    } else {
      units = parseUnits(draft.units);
      const tooLong = units.find((unit) => unit.length > LIMITS.unit);
      if (units.length === 0) errors.units = 'units_missing';
      else if (units.length > MAX_UNITS) errors.units = 'units_too_many';
      else if (tooLong) errors.units = 'unit_too_long';
    }
  }
  const weekday = wholeNumber(draft.weekday, 1, 7);
  if (weekday === undefined) errors.weekday = 'weekday_missing';
  const hour = wholeNumber(draft.hour, 0, 23);
  if (hour === undefined) errors.hour = 'hour_missing';
  const timeZone = cleanText(draft.timeZone);
  if (!timeZone) errors.timeZone = 'time_zone_missing';
  else if (!isValidTimeZone(timeZone) || timeZone.length > 64) errors.timeZone = 'time_zone_unknown';
  const minGroupSize = wholeNumber(draft.minGroupSize, MIN_GROUP_SIZE, MAX_GROUP_SIZE);
  if (minGroupSize === undefined) errors.minGroupSize = 'min_group_size_out_of_range';
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
 * in committees.words.ts; plain text, as Slack shows field errors.
 */
export type CommitteeFormRefusal =
  | 'out_of_date'
  | AccessRefusal
  | 'unsubscribed_meanwhile'
  | 'subscribed_meanwhile';

/** Every code the settings form can show: a field's mistake, or why the form changed nothing. */
export type CommitteeFormCode = CommitteeFieldCode | CommitteeFormRefusal;

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
  const changed = await committees.changeSettings(committeeId, channelId, settings, { userId, now });
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
  const committee = await committees.deactivate(channelId, { userId, now });
  if (!committee) return { ok: false, code: 'not_subscribed' };
  return { ok: true, committee };
}
