import { describe, expect, it } from 'vitest';
import { committees as committeesTable } from '../../../src/db/schema.js';
import { createCommitteesRepository } from '../../../src/modules/committees/committees.repository.js';
import {
  type ChannelStatus,
  type CommitteeAccess,
  type CommitteeDraft,
  DEFAULT_SETTINGS,
  parseUnits,
  prepareCommitteeForm,
  saveCommitteeSettings,
  submitCommitteeSettings,
  unsubscribeCommittee,
  validateCommitteeDraft,
} from '../../../src/modules/committees/committees.usecases.js';
import { buildCommitteeModal, describeSettings } from '../../../src/modules/committees/committees.views.js';
import { committeeFormWords, committeeWords } from '../../../src/modules/committees/committees.words.js';
import { expectWithinBlockKitLimits } from '../../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../../helpers/database.js';

const draft = (overrides: Partial<CommitteeDraft> = {}): CommitteeDraft => ({
  scope: 'all',
  units: null,
  weekday: '1',
  hour: '9',
  timeZone: 'Europe/London',
  minGroupSize: '3',
  showIndividuals: false,
  ...overrides,
});

function access(
  people: Record<string, { isWorkspaceAdmin: boolean; timeZone: string | null } | 'unknown'>,
  channel: ChannelStatus = 'member',
): CommitteeAccess {
  return {
    person: async (userId) => people[userId] ?? { isWorkspaceAdmin: false, timeZone: null },
    channel: async () => channel,
  };
}

describe('the committee settings form', () => {
  it('accepts a complete form', () => {
    expect(validateCommitteeDraft(draft({ showIndividuals: true }))).toEqual({
      ok: true,
      settings: {
        units: [],
        weekday: 1,
        hour: 9,
        timeZone: 'Europe/London',
        minGroupSize: 3,
        showIndividuals: true,
      },
    });
  });

  it('reads units separated by commas or lines, without repeats', () => {
    expect(parseUnits(' Reference ,circulation\nREFERENCE;; Children’s  services ')).toEqual([
      'Reference',
      'circulation',
      'Children’s services',
    ]);
    const result = validateCommitteeDraft(draft({ scope: 'units', units: 'Reference, Maps' }));
    expect(result.ok && result.settings.units).toEqual(['Reference', 'Maps']);
    // Units typed but "all staff" chosen: all staff.
    const all = validateCommitteeDraft(draft({ scope: 'all', units: 'Reference' }));
    expect(all.ok && all.settings.units).toEqual([]);
  });

  it('names every mistake on its field', () => {
    expect(
      validateCommitteeDraft({
        scope: 'units',
        units: ' , ',
        weekday: '8',
        hour: '24',
        timeZone: 'Mars/Olympus_Mons',
        minGroupSize: '2',
        showIndividuals: false,
      }),
    ).toEqual({
      ok: false,
      errors: {
        units: 'units_missing',
        weekday: 'weekday_missing',
        hour: 'hour_missing',
        timeZone: 'time_zone_unknown',
        minGroupSize: 'min_group_size_out_of_range',
      },
    });
    expect(committeeFormWords('units_missing')).toContain('at least one unit');
    expect(committeeFormWords('weekday_missing')).toEqual(expect.any(String));
    expect(committeeFormWords('hour_missing')).toEqual(expect.any(String));
    expect(committeeFormWords('time_zone_unknown')).toContain('not a time zone');
    expect(committeeFormWords('min_group_size_out_of_range')).toContain('from 3 to 50');
    expect(validateCommitteeDraft(draft({ scope: null, timeZone: ' ' }))).toMatchObject({
      ok: false,
      errors: { scope: 'scope_missing', timeZone: 'time_zone_missing' },
    });
    expect(committeeFormWords('scope_missing')).toEqual(expect.any(String));
    expect(committeeFormWords('time_zone_missing')).toEqual(expect.any(String));
    expect(validateCommitteeDraft(draft({ scope: 'units', units: 'x'.repeat(61) }))).toMatchObject({
      ok: false,
      errors: { units: 'unit_too_long' },
    });
    expect(committeeFormWords('unit_too_long')).toContain('at most 60 characters');
    expect(validateCommitteeDraft(draft({ minGroupSize: '51' })).ok).toBe(false);
  });

  it('builds a modal within Slack’s limits, with the current settings filled in', () => {
    const longest = {
      ...DEFAULT_SETTINGS,
      units: Array.from({ length: 60 }, (_, index) => `${'Unit'.padEnd(25, 'x')} ${index}`),
      showIndividuals: true,
      timeZone: 'America/Argentina/ComodRivadavia',
    };
    const modal = buildCommitteeModal(
      { channelId: 'C123', settings: longest, existing: true, committeeId: 7 },
      'UADMIN',
      'Europe/London',
    );
    expectWithinBlockKitLimits('modal', modal);
    expect(JSON.parse(modal.private_metadata ?? '')).toEqual({
      v: 2,
      channelId: 'C123',
      adminUserId: 'UADMIN',
      committeeId: 7,
    });
    expect(JSON.stringify(modal)).toContain('America/Argentina/ComodRivadavia');
    expect(describeSettings(longest)).toContain('Individual rows: shown');
  });

  it('says the threshold in words: people, not rounds, and the library’s weeks', () => {
    const modal = buildCommitteeModal(
      { channelId: 'C123', settings: { ...DEFAULT_SETTINGS, minGroupSize: 4 }, existing: false },
      'UADMIN',
      'Australia/Sydney',
    );
    const words = JSON.stringify(modal);
    expect(words).toContain(
      'figures appear only when they come from at least N different staff members and N different customers',
    );
    expect(words).toContain('4 staff members and 4 customers');
    expect(words).toContain('Monday to Sunday in Australia/Sydney');
    expect(words).not.toMatch(/completed rounds than this/);
    expect(describeSettings({ ...DEFAULT_SETTINGS, minGroupSize: 4 })).toContain(
      'Figures appear only when they come from at least 4 different staff members and 4 different customers',
    );
  });
});

describeEachDatabase('committees', (getDb) => {
  const repo = () => createCommitteesRepository({ db: getDb().handle.db });
  const now = new Date('2026-11-25T10:00:00Z');

  it('lets only admins (Slack’s, or ADMIN_USER_IDS) open the form, in a channel the app is in', async () => {
    const people = {
      UADMIN: { isWorkspaceAdmin: true, timeZone: 'America/Chicago' },
      UPLAIN: { isWorkspaceAdmin: false, timeZone: 'Europe/Paris' },
      USLOW: 'unknown' as const,
    };
    const form = (userId: string, channel: ChannelStatus = 'member', adminUserIds: string[] = []) =>
      prepareCommitteeForm({
        committees: repo(),
        access: access(people, channel),
        adminUserIds,
        channelId: 'C123',
        userId,
      });
    expect(await form('UADMIN')).toMatchObject({
      ok: true,
      existing: false,
      settings: { ...DEFAULT_SETTINGS, timeZone: 'America/Chicago' },
    });
    expect(await form('UPLAIN')).toEqual({ ok: false, code: 'not_admin' });
    expect(committeeWords('not_admin')).toContain('Only workspace admins and owners');
    expect(await form('UPLAIN', 'member', ['UPLAIN'])).toMatchObject({
      ok: true,
      settings: { timeZone: 'Europe/Paris' },
    });
    expect(await form('USLOW')).toEqual({ ok: false, code: 'admin_unknown' });
    expect(await form('UADMIN', 'not_member')).toEqual({ ok: false, code: 'not_member' });
    expect(committeeWords('not_member')).toContain('/invite @Service Radar');
    expect(await form('UADMIN', 'archived')).toEqual({ ok: false, code: 'archived' });
    expect(await form('UADMIN', 'unknown')).toEqual({ ok: false, code: 'channel_unknown' });
    expect(
      await prepareCommitteeForm({
        committees: repo(),
        access: access(people),
        adminUserIds: [],
        channelId: 'D123',
        userId: 'UADMIN',
      }),
    ).toEqual({ ok: false, code: 'direct_message' });
  });

  it('subscribes once, then changes settings; two saves at once make one committee', async () => {
    const settings = { ...DEFAULT_SETTINGS, units: ['Reference'], timeZone: 'Europe/London' };
    const results = await Promise.all(
      [1, 2, 3].map((hour) =>
        saveCommitteeSettings({
          committees: repo(),
          channelId: 'C123',
          userId: 'UADMIN',
          settings: { ...settings, hour },
          now,
        }),
      ),
    );
    expect(results.filter((result) => result.created)).toHaveLength(1);
    const rows = await getDb().handle.db.select().from(committeesTable);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      channelId: 'C123',
      units: ['Reference'],
      active: true,
      createdByUserId: 'UADMIN',
    });

    const form = await prepareCommitteeForm({
      committees: repo(),
      access: access({ UADMIN: { isWorkspaceAdmin: true, timeZone: 'Asia/Tokyo' } }),
      adminUserIds: [],
      channelId: 'C123',
      userId: 'UADMIN',
    });
    // The form shows the committee's settings, not the admin's defaults.
    expect(form).toMatchObject({
      ok: true,
      existing: true,
      settings: { timeZone: 'Europe/London', units: ['Reference'] },
    });
  });

  it('re-checks a submitted form: admin status and the channel now, and only the committee it was opened for', async () => {
    const people = {
      UADMIN: { isWorkspaceAdmin: true, timeZone: null },
      UPLAIN: { isWorkspaceAdmin: false, timeZone: null },
      ULISTED: 'unknown' as const,
      USLOW: 'unknown' as const,
    };
    const submitted = (
      userId: string,
      committeeId: number | null,
      hour = 9,
      channel: ChannelStatus = 'member',
    ) =>
      submitCommitteeSettings({
        committees: repo(),
        access: access(people, channel),
        adminUserIds: ['ULISTED'],
        channelId: 'C123',
        committeeId,
        userId,
        settings: { ...DEFAULT_SETTINGS, hour },
        now,
      });
    const rows = () => getDb().handle.db.select().from(committeesTable);

    expect(await submitted('UPLAIN', null)).toEqual({ ok: false, code: 'not_admin' });
    expect(await submitted('USLOW', null)).toEqual({ ok: false, code: 'admin_unknown' });
    expect(await submitted('UADMIN', null, 9, 'not_member')).toEqual({ ok: false, code: 'not_member' });
    expect(await submitted('UADMIN', null, 9, 'archived')).toEqual({ ok: false, code: 'archived' });
    expect(await submitted('UADMIN', null, 9, 'unknown')).toEqual({ ok: false, code: 'channel_unknown' });
    expect(await rows()).toEqual([]);

    // Listed in ADMIN_USER_IDS: enough even while Slack does not answer.
    const first = await submitted('ULISTED', null, 8);
    expect(first).toMatchObject({ ok: true, created: true, announce: true, committee: { hour: 8 } });
    // The same form again is the same subscription, announced once; another one was too late.
    expect(await submitted('ULISTED', null, 8)).toMatchObject({ ok: true, created: false, announce: false });
    expect(await submitted('UADMIN', null, 10)).toEqual({ ok: false, code: 'subscribed_meanwhile' });
    const id = first.ok ? first.committee.id : 0;
    expect(await submitted('UADMIN', id, 11)).toMatchObject({
      ok: true,
      created: false,
      committee: { hour: 11 },
    });

    await repo().deactivate('C123', { userId: 'UADMIN', now });
    await repo().save('C123', DEFAULT_SETTINGS, { userId: 'UADMIN', now });
    // A form opened for the old committee changes neither it nor the new one.
    expect(await submitted('UADMIN', id, 12)).toEqual({ ok: false, code: 'unsubscribed_meanwhile' });
    expect((await rows()).map((row) => [row.active, row.hour])).toEqual(
      expect.arrayContaining([
        [false, 11],
        [true, DEFAULT_SETTINGS.hour],
      ]),
    );
    expect(committeeFormWords('admin_unknown')).toContain('press Submit again');
  });

  it('unsubscribes for admins only, and can subscribe again afresh', async () => {
    await saveCommitteeSettings({
      committees: repo(),
      channelId: 'C123',
      userId: 'UADMIN',
      settings: DEFAULT_SETTINGS,
      now,
    });
    const people = {
      UADMIN: { isWorkspaceAdmin: true, timeZone: null },
      UPLAIN: { isWorkspaceAdmin: false, timeZone: null },
    };
    const leave = (userId: string) =>
      unsubscribeCommittee({
        committees: repo(),
        access: access(people),
        adminUserIds: [],
        channelId: 'C123',
        userId,
        now,
      });
    expect(await leave('UPLAIN')).toEqual({ ok: false, code: 'not_admin' });
    expect(await leave('UADMIN')).toMatchObject({ ok: true, committee: { active: false } });
    expect(await leave('UADMIN')).toMatchObject({ ok: false, code: 'not_subscribed' });
    expect(committeeWords('not_subscribed')).toBe('This channel is not subscribed to the digest.');
    expect(await repo().findActiveByChannel('C123')).toBeUndefined();
    const again = await saveCommitteeSettings({
      committees: repo(),
      channelId: 'C123',
      userId: 'UADMIN',
      settings: DEFAULT_SETTINGS,
      now,
    });
    expect(again.created).toBe(true);
    expect(await getDb().handle.db.select().from(committeesTable)).toHaveLength(2);
  });
});
