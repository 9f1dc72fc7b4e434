import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { servicePoints } from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import { hashToken } from '../../src/lib/tokens.js';
import { createServicePointsRepository } from '../../src/modules/service-points/service-points.repository.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectWithinBlockKitLimits } from '../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../helpers/database.js';
import { getPage, walkUpRows, webEnv } from '../helpers/patron-pages.js';
import { readPdf } from '../helpers/pdf-pages.js';
import { type SlackRequest, slashCommand } from '../helpers/slack-requests.js';
import { type RecordedCall, type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';
import { visibleText } from '../helpers/slack-text.js';

const ADMIN = 'UADMIN';
const LISTED = 'ULISTED';
const MEMBER = 'UMEMBER';
const LEAD = 'U0LEAD42';
const PUBLIC_URL = 'http://radar.test';
const LINK = new RegExp(`${PUBLIC_URL}/s/([A-Za-z0-9_-]{24})`);

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

describeEachDatabase('/service-point end to end', (getDb) => {
  let app: TestApp;
  const clock = fixedClock(new Date());
  const db = () => getDb().handle.db;
  const start = async (env: Record<string, string> = webEnv(PUBLIC_URL)) => {
    app = await startTestApp({
      database: getDb(),
      standIn,
      clock,
      // trace: the most the app ever logs, so the checks on what the log holds are the strictest.
      env: { ADMIN_USER_IDS: LISTED, LOG_LEVEL: 'trace', ...env },
    });
  };

  beforeEach(async () => {
    standIn.reset();
    clock.set(new Date());
    standIn.addUser({ id: ADMIN, name: 'ada', is_admin: true });
    standIn.addUser({ id: LISTED, name: 'lis' });
    standIn.addUser({ id: MEMBER, name: 'mo' });
    standIn.addUser({ id: LEAD, name: 'lena' });
    standIn.addUser({ id: 'UBOTHELPER', name: 'helper', is_bot: true });
    await start();
  });
  afterEach(async () => {
    await app.stop();
  });

  const send = (request: SlackRequest) => app.send(request);
  const command = (userId: string, text: string) =>
    send({
      kind: 'command',
      fields: slashCommand({
        command: '/service-point',
        text,
        userId,
        channelId: 'C0GENERAL',
        responseUrl: app.responseUrl,
      }),
    });
  /** The command's reply through the response_url, checked against Block Kit's limits. */
  const reply = async (userId: string, text: string) => {
    const mark = standIn.calls.length;
    const ack = await command(userId, text);
    expect(ack.status).toBe(200);
    expect(ack.ms).toBeLessThan(3000);
    const call = await standIn.waitForCall('respond', (c) => standIn.calls.indexOf(c) >= mark, 20_000);
    expect(call.args.response_type).toBe('ephemeral');
    expectWithinBlockKitLimits('message', call.args);
    expect(call.violations ?? []).toEqual([]);
    return { args: call.args, shown: `${call.args.text}\n${visibleText(call.args.blocks ?? [])}`, mark };
  };
  const rows = () => db().select().from(servicePoints).orderBy(servicePoints.id);
  /** The files uploaded after `mark`, with the conversation each was shared into. */
  const uploadsAfter = (mark: number) => {
    const later = standIn.calls.slice(mark);
    const bytes = later.filter((c) => c.method === 'upload');
    const shared = later.filter((c) => c.method === 'files.completeUploadExternal');
    return { bytes: bytes.map((c) => c.args.bytes as Buffer), shared };
  };
  const dmPostsAfter = (mark: number, channel: string) =>
    standIn.calls.slice(mark).filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel);

  it('lets an admin add a point: stored with its token hashed, the link in the reply, the posters in a DM', async () => {
    const added = await reply(ADMIN, 'add \u201cReference desk\u201d unit:Reference');
    const link = LINK.exec(added.shown);
    expect(link).not.toBeNull();
    const [url, token] = link as unknown as [string, string];
    expect(added.shown).toContain('Added the service point');
    expect(added.shown).toContain('Reference desk');

    const [row] = await rows();
    expect(row).toMatchObject({
      name: 'Reference desk',
      nameKey: 'reference desk',
      unit: 'Reference',
      ownerUserId: ADMIN,
      createdByUserId: ADMIN,
      retiredAt: null,
    });
    expect(row?.tokenHash).toBe(hashToken(token));
    expect(row?.tokenHash).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row?.linkSalt).toMatch(/^[0-9a-f]{32}$/);

    // The posters: a note, then an A4 and a US Letter PDF, in the admin's DM; both codes open the link.
    const dm = `D${ADMIN.slice(1)}`;
    const notes = dmPostsAfter(added.mark, dm);
    expect(notes).toHaveLength(1);
    expectWithinBlockKitLimits('message', notes[0]?.args);
    expect(notes[0]?.violations ?? []).toEqual([]);
    const uploads = uploadsAfter(added.mark);
    expect(uploads.shared.map((c) => c.args.channel_id)).toEqual([dm, dm]);
    expect(uploads.shared.flatMap((c) => c.args.files.map((f: { title: string }) => f.title))).toEqual([
      'Poster for Reference desk (A4)',
      'Poster for Reference desk (US Letter)',
    ]);
    expect(uploads.bytes).toHaveLength(2);
    const pages = (await Promise.all(uploads.bytes.map((bytes) => readPdf(bytes)))).flat();
    expect(pages.map((page) => [Math.round(page.width), Math.round(page.height)])).toEqual([
      [595, 842],
      [612, 792],
    ]);
    for (const page of pages) {
      expect(page.qr).toBe(url);
      expect(page.text).toContain('Riverside Public Library');
    }

    // The link opens the point's walk-up page.
    const page = await getPage(app.baseUrl, `/s/${token}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Reference desk');

    // The log names ids, never the point's name or its link.
    expect(app.logs.text).toContain('service-point added');
    expect(app.logs.text).not.toContain(token);
    expect(app.logs.text).not.toContain('Reference desk');
  });

  it('takes a unit lead as owner, and people in ADMIN_USER_IDS count as admins', async () => {
    const added = await reply(LISTED, `add Maps &amp; Atlases unit:Maps owner:<@${LEAD}|lena>`);
    expect(added.shown).toContain('Maps & Atlases');
    const [row] = await rows();
    expect(row).toMatchObject({ name: 'Maps & Atlases', ownerUserId: LEAD, createdByUserId: LISTED });
    // The posters go to the admin who asked, not to the owner.
    expect(uploadsAfter(added.mark).shared.map((c) => c.args.channel_id)).toEqual([
      `D${LISTED.slice(1)}`,
      `D${LISTED.slice(1)}`,
    ]);
  });

  it('refuses someone who is not an admin, and stores and sends nothing', async () => {
    const refused = await reply(MEMBER, 'add "Reference desk" unit:Reference');
    expect(refused.shown).toContain('Only workspace admins and owners');
    expect(await rows()).toHaveLength(0);
    for (const text of ['list', 'poster "Reference desk"', 'retire "Reference desk"'])
      expect((await reply(MEMBER, text)).shown).toContain('Only workspace admins and owners');
    expect(standIn.callsTo('files.getUploadURLExternal')).toHaveLength(0);
    expect(standIn.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('refuses a duplicate name, a missing unit, an owner who is not a mention, and hostile text', async () => {
    await reply(ADMIN, 'add "Reference desk" unit:Reference');
    const duplicate = await reply(ADMIN, 'add "reference   DESK" unit:Circulation');
    expect(duplicate.shown).toContain('already an active service point with that name');
    expect(await rows()).toHaveLength(1);
    expect((await reply(ADMIN, 'add "Circulation desk"')).shown).toContain('Say which unit');
    expect((await reply(ADMIN, 'add "Circulation desk" unit:Circulation owner:lena')).shown).toContain(
      'as a mention',
    );
    expect(
      (await reply(ADMIN, 'add "Circulation desk" unit:Circulation owner:<@UBOTHELPER|helper>')).shown,
    ).toContain('not a bot');
    expect((await reply(ADMIN, 'add "<!channel> desk" unit:Circulation')).shown).toContain('plain words');
    expect((await reply(ADMIN, 'add "Desk\u001b[31m" unit:Circulation')).shown).toContain(
      'characters that are not text',
    );
    expect((await reply(ADMIN, `add "${'x'.repeat(81)}" unit:Circulation`)).shown).toContain(
      'at most 80 characters',
    );
    expect(await rows()).toHaveLength(1);
  });

  it('refuses to add or list when the patron pages are not set up', async () => {
    await app.stop();
    await start({});
    expect((await reply(ADMIN, 'add "Reference desk" unit:Reference')).shown).toContain('PUBLIC_URL');
    expect((await reply(ADMIN, 'list')).shown).toContain('PUBLIC_URL');
    expect(await rows()).toHaveLength(0);
  });

  it('lists the active points with unit, owner and link, and summarises a long list', async () => {
    expect((await reply(ADMIN, 'list')).shown).toContain('no active service points');
    await reply(ADMIN, 'add "Reference desk" unit:Reference');
    await reply(ADMIN, `add "Circulation *desk*" unit:Circulation owner:<@${LEAD}>`);
    const listed = await reply(ADMIN, 'list');
    expect(listed.args.text).toBe('2 active service points.');
    const blocks = JSON.stringify(listed.args.blocks);
    expect(listed.shown).toContain('Reference desk');
    expect(listed.shown).toContain('Circulation *desk*');
    expect(listed.shown).toContain('unit Circulation');
    expect(blocks).toContain(`"user_id":"${LEAD}"`);
    expect(blocks).toContain(`"user_id":"${ADMIN}"`);
    const [first] = await rows();
    const token = LINK.exec(listed.shown)?.[1] ?? '';
    expect(hashToken(token)).toBe(first?.tokenHash);

    // Many points: as many as fit, then how many more.
    const repository = createServicePointsRepository({ db: db() });
    for (let i = 0; i < 70; i++)
      await repository.add({
        name: `Branch ${i} ${'w'.repeat(60)}`,
        unit: 'u'.repeat(60),
        ownerUserId: ADMIN,
        createdByUserId: ADMIN,
        linkSalt: `salt-${i}`,
        tokenHash: hashToken(`token-${i}`),
        createdAt: new Date(),
      });
    const long = await reply(ADMIN, 'list');
    expect(long.args.text).toBe('72 active service points.');
    expect(long.args.blocks.length).toBeLessThanOrEqual(50);
    expect(long.shown).toMatch(/…and \d+ more not shown here/);
  });

  it('retires a point: its link shows the retired page, its answers stay, and its name is free again', async () => {
    const added = await reply(ADMIN, 'add "Reference desk" unit:Reference');
    const token = LINK.exec(added.shown)?.[1] ?? '';
    const [row] = await rows();
    await createServicePointsRepository({ db: db() }).addAnswer({
      servicePointId: row?.id ?? 0,
      experience: 7,
      expectation: 8,
      doBetter: null,
      noLongerNeed: null,
      language: 'en',
      suspectedSpam: false,
      createdAt: new Date(),
    });
    const retired = await reply(ADMIN, 'retire "reference desk"');
    expect(retired.shown).toContain('Retired the service point');
    const page = await getPage(app.baseUrl, `/s/${token}`);
    expect(page.html).toContain('This service point no longer takes answers');
    const [stored] = await rows();
    expect(stored?.retiredAt).not.toBeNull();
    const answers = await walkUpRows(db());
    expect(answers).toHaveLength(1);
    expect((await reply(ADMIN, 'list')).shown).toContain('no active service points');
    expect((await reply(ADMIN, 'retire "Reference desk"')).shown).toContain(
      'no active service point with that name',
    );
    expect((await reply(ADMIN, 'poster "Reference desk"')).shown).toContain(
      'no active service point with that name',
    );
    // A new point may take the name; it gets a new link.
    const again = await reply(ADMIN, 'add "Reference desk" unit:Reference');
    expect(LINK.exec(again.shown)?.[1]).not.toBe(token);
    expect(await rows()).toHaveLength(2);
  });

  it('sends the posters again on request, and says so when the DM cannot be opened', async () => {
    const added = await reply(ADMIN, 'add "Reference desk" unit:Reference');
    const url = LINK.exec(added.shown)?.[0];
    const resent = await reply(ADMIN, 'poster \u201cReference desk\u201d');
    expect(resent.shown).toContain('I’ve sent you the posters of');
    const uploads = uploadsAfter(resent.mark);
    expect(uploads.shared.map((c) => c.args.channel_id)).toEqual([
      `D${ADMIN.slice(1)}`,
      `D${ADMIN.slice(1)}`,
    ]);
    expect((await readPdf(uploads.bytes[1] as Buffer))[0]?.qr).toBe(url);

    standIn.on('conversations.open', () => ({ body: { ok: false, error: 'cannot_dm_bot' } }));
    const failed = await reply(ADMIN, 'poster "Reference desk"');
    expect(failed.shown).toContain('I couldn’t send you the posters');
    expect(app.logs.text).toContain('service point posters not sent');
  });

  it('answers help, an empty command and unknown words at once, with the help', async () => {
    for (const text of ['', 'help']) {
      const ack = await command(MEMBER, text);
      expect(ack.json.response_type).toBe('ephemeral');
      expect(ack.json.text).toContain('/service-point add "Reference desk" unit:Reference');
      expectWithinBlockKitLimits('message', ack.json);
    }
    const unknown = await command(ADMIN, 'remove <!channel> '.repeat(10));
    expect(unknown.json.text).toContain("I don't know");
    expect(unknown.json.text).toContain('/service-point list');
    expectWithinBlockKitLimits('message', unknown.json);
    expect(JSON.stringify(unknown.json.blocks)).toContain('remove');
    expect(await rows()).toHaveLength(0);
    expect(standIn.calls.filter((c: RecordedCall) => c.method === 'respond')).toHaveLength(0);
  });
});
