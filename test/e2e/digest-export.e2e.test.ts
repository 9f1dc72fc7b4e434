import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { auditLog } from '../../src/db/schema.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedCommittee, seedRound } from '../helpers/digests.js';
import { slashCommand } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/** `/service-digest export` over signed HTTP: admins only, the CSV once in the admin's DM. */
const ADMIN = 'UADMIN';
const MEMBER = 'UMEMBER';
const CHANNEL = 'C0COMMITTEE';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

describeEachDatabase('/service-digest export end to end', (getDb) => {
  let app: TestApp;
  const db = () => getDb().handle.db;

  beforeEach(async () => {
    standIn.reset();
    standIn.addUser({ id: ADMIN, name: 'ada', is_admin: true, tz: 'UTC' });
    standIn.addUser({ id: MEMBER, name: 'mo', tz: 'UTC' });
    app = await startTestApp({ database: getDb(), standIn, env: { LIBRARY_TIME_ZONE: 'UTC' } });
    await seedCommittee(db(), CHANNEL, { units: ['Reference'] });
    for (const [staff, self, customer] of [
      ['U1', 8, 5],
      ['U2', 7, 6],
      ['U3', 9, 4],
    ] as const)
      await seedRound(db(), {
        staff,
        unit: 'Reference',
        self,
        customer,
        completedAt: new Date('2026-11-17T12:00:00Z'),
      });
  });
  afterEach(async () => {
    await app.stop();
  });

  const command = (userId: string, text: string) =>
    app.send({
      kind: 'command',
      fields: slashCommand({
        command: '/service-digest',
        text,
        userId,
        channelId: CHANNEL,
        responseUrl: app.responseUrl,
      }),
    });
  const exports = () => db().select().from(auditLog).where(eq(auditLog.kind, 'digest_exported'));
  const settled = () => expect.poll(() => app.radar.slack.inFlight.size, { timeout: 5_000 }).toBe(0);

  it('sends an admin the CSV once, in their DM, and tells them so', async () => {
    expect((await command(ADMIN, 'export 2026-11-01 2026-W47')).status).toBe(200);
    const reply = await standIn.waitForCall('respond', (c) => String(c.args.text).includes('in your DM'));
    expect(reply.args.response_type).toBe('ephemeral');
    await settled();
    const uploads = standIn.callsTo('upload');
    expect(uploads).toHaveLength(1);
    const completed = standIn.callsTo('files.completeUploadExternal');
    expect(completed).toHaveLength(1);
    expect(String(completed[0]?.args.channel_id)).toMatch(/^D/);
    const csv = Buffer.from(uploads[0]?.args.bytes as Buffer).toString('utf8');
    const rows = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.filter((row) => row.kind === 'unit')).toEqual([
      expect.objectContaining({
        week: '2026-W47',
        name: 'Reference',
        self: '8',
        customer: '5',
        gap: '-3',
        light: 'red',
      }),
    ]);
    expect(rows.map((row) => row.week)).toContain('2026-W45');
    // The audit log has the export: who, which channel's figures, the range and the row count.
    expect(await exports()).toEqual([
      expect.objectContaining({
        actor: ADMIN,
        subject: CHANNEL,
        rows: rows.length,
        detail: { from: '2026-W44', to: '2026-W47', format: 'csv', sentTo: 'dm' },
      }),
    ]);
  });

  it('refuses someone who is not an admin, and sends nothing', async () => {
    expect((await command(MEMBER, 'export')).status).toBe(200);
    const reply = await standIn.waitForCall('respond');
    expect(String(reply.args.text)).toMatch(/admin/i);
    await settled();
    expect(standIn.callsTo('upload')).toEqual([]);
    expect(standIn.callsTo('files.completeUploadExternal')).toEqual([]);
    expect(await exports()).toEqual([]);
  });

  it('says what was wrong with a range, and sends nothing', async () => {
    expect((await command(ADMIN, 'export last-year')).status).toBe(200);
    const reply = await standIn.waitForCall('respond');
    expect(String(reply.args.text)).toContain('“last-year” is neither a date');
    await settled();
    expect(standIn.callsTo('upload')).toEqual([]);
  });

  it('echoes a range it cannot read as inert text, not as a mention or formatting', async () => {
    expect((await command(ADMIN, 'export <!channel>')).status).toBe(200);
    const reply = await standIn.waitForCall('respond');
    const text = String(reply.args.text);
    expect(text).toContain('is neither a date');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
    expect((await command(ADMIN, 'export 2026-W01 *2026*')).status).toBe(200);
    const formatted = await standIn.waitForCall('respond', (c) => String(c.args.text).includes('2026∗'));
    expect(String(formatted.args.text)).not.toContain('*2026*');
    await settled();
    expect(standIn.callsTo('upload')).toEqual([]);
  });
});
