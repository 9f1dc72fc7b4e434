import { expect, it } from 'vitest';
import { servicePoints } from '../../../src/db/schema.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { hashToken } from '../../../src/lib/tokens.js';
import type { Messenger } from '../../../src/modules/messaging/messaging.port.js';
import type { AdministratorAccess } from '../../../src/modules/people/people.administrators.js';
import { createPeopleDirectory } from '../../../src/modules/people/people.directory.js';
import type { PersonAnswer, PersonSource } from '../../../src/modules/people/people.port.js';
import { createPeopleRepository } from '../../../src/modules/people/people.repository.js';
import { parseServicePointCommand } from '../../../src/modules/service-points/service-points.command.js';
import { servicePointToken } from '../../../src/modules/service-points/service-points.links.js';
import { createServicePointsRepository } from '../../../src/modules/service-points/service-points.repository.js';
import {
  runServicePointCommand,
  type ServicePointCommandDeps,
} from '../../../src/modules/service-points/service-points.usecases.js';
import { describeEachDatabase } from '../../helpers/database.js';

const LINKS = {
  publicUrl: 'https://radar.example.org',
  linkSecret: 'service-points-test-secret-0123456789abcdef',
  libraryName: 'Riverside Public Library',
};

/** What Slack says of each person; anyone else is a member. */
const access = (people: Record<string, boolean | 'unknown'>): AdministratorAccess => ({
  person: async (userId) => {
    const said = people[userId];
    if (said === 'unknown') return 'unknown';
    return { isWorkspaceAdmin: said ?? false, timeZone: null };
  },
});

/** What Slack's users.info says of each person; anyone not listed is not found. */
const source = (people: Record<string, PersonAnswer>): PersonSource => ({
  lookup: async (userId) => people[userId] ?? { kind: 'not_found' },
});
const person = (overrides: { isBot?: boolean; deleted?: boolean } = {}): PersonAnswer => ({
  kind: 'found',
  profile: { name: 'Lena', isBot: false, deleted: false, tz: null, ...overrides },
});

/** Records what the use cases send; every send succeeds. */
function recordingMessenger() {
  const sent: { method: 'post' | 'upload'; channel: string; filename?: string }[] = [];
  const messenger: Pick<Messenger, 'openDm' | 'post' | 'upload'> = {
    openDm: async (userId) => ({ ok: true, channel: `D-${userId}` }),
    post: async (channel) => {
      sent.push({ method: 'post', channel });
      return { ok: true, channel, ts: '1.2' };
    },
    upload: async (channel, file) => {
      sent.push({ method: 'upload', channel, filename: file.filename });
      return { ok: true, fileId: 'F1' };
    },
  };
  return { messenger, sent };
}

describeEachDatabase('service point use cases', (getDb) => {
  const clock = fixedClock(new Date('2026-03-02T10:00:00Z'));
  const directory = (people: Record<string, PersonAnswer>) =>
    createPeopleDirectory({
      source: source(people),
      people: createPeopleRepository({ db: getDb().handle.db }),
      clock,
    });
  const deps = (overrides: Partial<ServicePointCommandDeps> = {}): ServicePointCommandDeps => ({
    servicePoints: createServicePointsRepository({ db: getDb().handle.db }),
    directory: directory({ U0LEAD42: person() }),
    access: access({ UADMIN: true }),
    adminUserIds: ['ULISTED'],
    messenger: recordingMessenger().messenger,
    clock,
    links: LINKS,
    ...overrides,
  });
  const run = (d: ServicePointCommandDeps, userId: string, text: string) => {
    const parsed = parseServicePointCommand(text);
    if (parsed.action === 'help' || parsed.action === 'unknown') throw new Error(`not a command: ${text}`);
    return runServicePointCommand(d, userId, parsed);
  };
  const rows = () => getDb().handle.db.select().from(servicePoints);

  it('adds a point whose stored hash is of the link’s token, and sends a note and two posters', async () => {
    const { messenger, sent } = recordingMessenger();
    const outcome = await run(deps({ messenger }), 'UADMIN', 'add "Reference desk" unit:Reference');
    expect(outcome).toMatchObject({ ok: true, kind: 'added', posters: { ok: true } });
    const [row] = await rows();
    const token = servicePointToken(LINKS.linkSecret, row?.linkSalt ?? '');
    expect(row?.tokenHash).toBe(hashToken(token));
    expect(outcome.ok && outcome.kind === 'added' && outcome.point.url).toBe(
      `https://radar.example.org/s/${token}`,
    );
    expect(sent).toEqual([
      { method: 'post', channel: 'D-UADMIN' },
      { method: 'upload', channel: 'D-UADMIN', filename: `service-point-${row?.id}-poster-a4.pdf` },
      { method: 'upload', channel: 'D-UADMIN', filename: `service-point-${row?.id}-poster-letter.pdf` },
    ]);
  });

  it('refuses before anything else when the person is not an admin, or Slack does not say', async () => {
    const d = deps({ access: access({ USILENT: 'unknown' }) });
    expect(await run(d, 'UMEMBER', 'add "Reference desk" unit:Reference')).toEqual({
      ok: false,
      code: 'not_admin',
    });
    // Even a mistake in what was typed is not answered to someone who may not use the command.
    expect(await run(d, 'UMEMBER', 'add "Reference desk"')).toEqual({ ok: false, code: 'not_admin' });
    expect(await run(d, 'USILENT', 'list')).toEqual({ ok: false, code: 'admin_unknown' });
    // ADMIN_USER_IDS stand when Slack is silent.
    const listed = deps({ access: access({ ULISTED: 'unknown' }) });
    expect(await run(listed, 'ULISTED', 'list')).toMatchObject({ ok: true, kind: 'listed' });
    expect(await rows()).toHaveLength(0);
  });

  it('stores one point when the same name is added twice at once', async () => {
    const d = deps();
    const outcomes = await Promise.all(
      ['Reference desk', 'REFERENCE  desk', 'reference desk'].map((name) =>
        run(d, 'UADMIN', `add "${name}" unit:Reference`),
      ),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok)).toEqual([
      { ok: false, code: 'name_taken' },
      { ok: false, code: 'name_taken' },
    ]);
    expect(await rows()).toHaveLength(1);
  });

  it('retires without the patron pages set up, but adds, lists and sends posters only with them', async () => {
    await run(deps(), 'UADMIN', 'add "Reference desk" unit:Reference');
    const unset = deps({ links: undefined });
    for (const text of ['add "Circulation" unit:Circulation', 'list', 'poster "Reference desk"'])
      expect(await run(unset, 'UADMIN', text)).toEqual({ ok: false, code: 'links_not_configured' });
    expect(await run(unset, 'UADMIN', 'retire "Reference desk"')).toMatchObject({
      ok: true,
      kind: 'retired',
    });
    expect(await run(unset, 'UADMIN', 'retire "Reference desk"')).toEqual({ ok: false, code: 'not_found' });
  });

  it('says which posters were not sent when Slack refuses', async () => {
    const { messenger } = recordingMessenger();
    const failing = deps({
      messenger: {
        ...messenger,
        upload: async () => ({ ok: false, kind: 'undeliverable', error: 'not_in_channel' }),
      },
    });
    const outcome = await run(failing, 'UADMIN', 'add "Reference desk" unit:Reference');
    expect(outcome).toMatchObject({
      ok: true,
      kind: 'added',
      posters: { ok: false, error: 'not_in_channel' },
    });
    // The point is stored all the same: the posters can be asked for again.
    expect(await rows()).toHaveLength(1);
    expect(await run(deps(), 'UADMIN', 'poster "Reference desk"')).toMatchObject({
      ok: true,
      kind: 'posters_sent',
      posters: { ok: true },
    });
  });

  it('takes as owner only a person in the workspace whom Slack knows', async () => {
    const d = deps({
      directory: directory({
        U0LEAD42: person(),
        UBOT1: person({ isBot: true }),
        UGONE1: person({ deleted: true }),
        USLOW1: { kind: 'unavailable', cause: new Error('timeout') },
      }),
    });
    const add = (owner: string, name: string) =>
      run(d, 'UADMIN', `add "${name}" unit:Reference owner:<@${owner}>`);
    expect(await add('UBOT1', 'Desk 1')).toEqual({ ok: false, code: 'owner_bot' });
    expect(await add('UGONE1', 'Desk 2')).toEqual({ ok: false, code: 'owner_left' });
    expect(await add('UNOBODY', 'Desk 3')).toEqual({ ok: false, code: 'owner_unknown' });
    expect(await add('USLOW1', 'Desk 4')).toEqual({ ok: false, code: 'owner_lookup_failed' });
    expect(await rows()).toHaveLength(0);
    expect(await add('U0LEAD42', 'Desk 5')).toMatchObject({ ok: true, point: { ownerUserId: 'U0LEAD42' } });
    // Naming oneself needs no look-up.
    expect(await add('UADMIN', 'Desk 6')).toMatchObject({ ok: true, point: { ownerUserId: 'UADMIN' } });
  });

  it('sends nothing when a poster cannot be drawn, and keeps the point', async () => {
    const { messenger, sent } = recordingMessenger();
    // A QR code holds at most about 2,300 characters at this error correction.
    const links = { ...LINKS, publicUrl: `https://radar.example.org/${'a'.repeat(3000)}` };
    const outcome = await run(deps({ messenger, links }), 'UADMIN', 'add "Reference desk" unit:Reference');
    expect(outcome).toMatchObject({
      ok: true,
      kind: 'added',
      posters: { ok: false, error: 'poster_not_drawn' },
    });
    expect(sent).toEqual([]);
    expect(await rows()).toHaveLength(1);
  });
});
