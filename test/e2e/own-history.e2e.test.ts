import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { auditLog } from '../../src/db/schema.js';
import { HOME_ACTIONS } from '../../src/modules/home/home.views.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedRound } from '../helpers/digests.js';
import { blockAction, slashCommand } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/** `/rate-service export`: a staff member's own rounds, with their customers' answers, by DM. */
const STAFF = 'USTAFF';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

describeEachDatabase('/rate-service export end to end', (getDb) => {
  let app: TestApp;
  const db = () => getDb().handle.db;

  beforeEach(async () => {
    standIn.reset();
    standIn.addUser({ id: STAFF, name: 'sam', tz: 'UTC' });
    app = await startTestApp({ database: getDb(), standIn });
  });
  afterEach(async () => {
    await app.stop();
  });

  const exportCommand = (userId: string) =>
    app.send({
      kind: 'command',
      fields: slashCommand({
        command: '/rate-service',
        text: 'export',
        userId,
        responseUrl: app.responseUrl,
      }),
    });

  it('sends the staff member their rounds and their customers’ answers, once, formula-safe; nobody else’s', async () => {
    await seedRound(db(), {
      staff: STAFF,
      unit: 'Reference',
      self: 8,
      customer: 5,
      completedAt: new Date('2026-10-01T12:00:00Z'),
      answers: '=HYPERLINK("http://x.test")',
    });
    await seedRound(db(), {
      staff: STAFF,
      unit: 'Reference',
      self: 6,
      createdAt: new Date('2026-11-01T12:00:00Z'),
    });
    await seedRound(db(), {
      staff: 'UOTHER',
      unit: 'Reference',
      self: 3,
      customer: 9,
      completedAt: new Date('2026-10-01T12:00:00Z'),
      answers: 'OTHER-WORDS',
    });

    expect((await exportCommand(STAFF)).status).toBe(200);
    const reply = await standIn.waitForCall('respond', (c) => String(c.args.text).includes('in your DM'));
    expect(String(reply.args.text)).toContain('Your 2 rounds are in your DM');
    await expect.poll(() => app.radar.slack.inFlight.size).toBe(0);
    const uploads = standIn.callsTo('upload');
    expect(uploads).toHaveLength(1);
    expect(String(standIn.callsTo('files.completeUploadExternal')[0]?.args.channel_id)).toMatch(/^D/);
    const csv = Buffer.from(uploads[0]?.args.bytes as Buffer).toString('utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).not.toContain('OTHER-WORDS');
    const rows = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      status: 'completed',
      self_score: '8',
      customer_score: '5',
      gap: '-3',
      segment: 'core',
      unit: 'Reference',
    });
    expect(rows[0]?.needFromMe).toBe('\'=HYPERLINK("http://x.test")');
    expect(rows[1]).toMatchObject({
      status: 'awaiting_customer',
      self_score: '6',
      customer_score: '',
      gap: '',
    });
    // Nobody's words in the log.
    expect(app.logs.text).not.toContain('HYPERLINK');
    // The audit log has the export: who, how many rounds, and nothing of what was in them.
    const entries = await db().select().from(auditLog);
    expect(entries).toEqual([
      expect.objectContaining({ kind: 'history_exported', actor: STAFF, subject: null, rows: 2, detail: {} }),
    ]);
    expect(JSON.stringify(entries)).not.toContain('HYPERLINK');
  });

  it('says so when there is nothing yet, and still sends the header', async () => {
    expect((await exportCommand(STAFF)).status).toBe(200);
    const reply = await standIn.waitForCall('respond');
    expect(String(reply.args.text)).toContain('not started a round yet');
    await expect.poll(() => standIn.callsTo('upload').length).toBe(1);
  });

  it('sends the same file from the Home tab’s button, and says so in a small modal', async () => {
    await seedRound(db(), {
      staff: STAFF,
      unit: 'Reference',
      self: 7,
      customer: 9,
      completedAt: new Date('2026-10-01T12:00:00Z'),
    });
    const clicked = await app.send({
      kind: 'interactive',
      payload: blockAction({
        userId: STAFF,
        actionId: HOME_ACTIONS.exportMine,
        value: 'me',
        container: { type: 'view', view_id: 'VHOME' },
        view: { id: 'VHOME', type: 'home', callback_id: '', private_metadata: '', state_values: {} } as never,
      }),
    });
    expect(clicked.status).toBe(200);
    const notice = await standIn.waitForCall('views.open');
    expect(JSON.stringify(notice.args.view)).toContain('Your round is in your DM');
    const uploads = standIn.callsTo('upload');
    expect(uploads).toHaveLength(1);
    const rows = parse(Buffer.from(uploads[0]?.args.bytes as Buffer).toString('utf8'), {
      bom: true,
      columns: true,
    }) as Record<string, string>[];
    expect(rows).toMatchObject([{ self_score: '7', customer_score: '9', gap: '2' }]);
  });
});
