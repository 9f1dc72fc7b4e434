import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { homePictures } from '../../src/db/schema.js';
import { CIRCLES_BLOCK_ID, NOT_RATED_CELL } from '../../src/modules/home/home.customers.views.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectWithinBlockKitLimits } from '../helpers/block-kit-limits.js';
import { seedCustomerRound } from '../helpers/customer-rounds.js';
import { describeEachDatabase } from '../helpers/database.js';
import { homeOpened } from '../helpers/slack-requests.js';
import { type RecordedCall, type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

const STAFF = 'USTAFF';
const CASEY = 'UCASEY';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);

interface Block {
  type: string;
  block_id?: string;
  slack_file?: { id: string };
  alt_text?: string;
  rows?: { type: string; text: string }[][];
}
const blocksOf = (call: RecordedCall | undefined): Block[] => call?.args.view?.blocks ?? [];
const publishedFor = (userId: string): RecordedCall[] =>
  standIn.callsTo('views.publish').filter((call) => call.args.user_id === userId);

describeEachDatabase('the Home shows a staff member their customers and services, end to end', (getDb) => {
  let app: TestApp;
  const db = () => getDb().handle.db;
  let eventSeq = 0;

  beforeEach(async () => {
    standIn.reset();
    standIn.addUser({ id: STAFF, name: 'sam', real_name: 'Sam Staff', tz: 'UTC' });
    standIn.addUser({ id: CASEY, name: 'casey', real_name: 'Casey Customer', tz: 'UTC' });
    app = await startTestApp({ database: getDb(), standIn, overrides: { homeRepublishMs: 1_000 } });
  });
  afterEach(async () => {
    await app.stop();
  });

  const opened = (userId: string) => app.send(homeOpened(userId, `EvCIRCLES${++eventSeq}`));
  const settled = () => expect.poll(() => app.radar.slack.inFlight.size, { timeout: 5_000 }).toBe(0);

  it('publishes the uploaded circles and the services table the database holds, and uploads once while nothing changes', async () => {
    await seedCustomerRound(db(), {
      staff: STAFF,
      customer: { userId: CASEY },
      service: 'Interlibrary loans',
      segment: 'core',
      score: 5,
      createdAt: daysAgo(40),
    });
    await seedCustomerRound(db(), {
      staff: STAFF,
      customer: { userId: CASEY },
      service: 'Interlibrary loans',
      segment: 'core',
      score: 9,
      createdAt: daysAgo(20),
    });
    await seedCustomerRound(db(), {
      staff: STAFF,
      customer: { name: 'Pat <Patron>' },
      service: 'Local history',
      segment: 'occasional',
      score: 3,
      createdAt: daysAgo(10),
    });
    await seedCustomerRound(db(), {
      staff: STAFF,
      customer: { name: 'Dana Department' },
      service: 'Study rooms',
      segment: 'should_be',
      createdAt: daysAgo(5),
    });

    expect((await opened(STAFF)).status).toBe(200);
    await settled();
    const [home] = publishedFor(STAFF);
    expect(home?.violations ?? []).toEqual([]);
    expectWithinBlockKitLimits('home', home?.args.view);

    // One upload, through the external upload, shared in no channel.
    const completions = standIn.callsTo('files.completeUploadExternal');
    expect(completions).toHaveLength(1);
    expect(completions[0]?.args.channel_id).toBeUndefined();
    const [upload] = standIn.callsTo('upload');
    expect(
      Buffer.from(upload?.args.bytes ?? [])
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    const [stored] = await db().select().from(homePictures);
    expect(stored?.userId).toBe(STAFF);
    expect(stored?.fileId).toBe(upload?.args.file_id);

    const blocks = blocksOf(home);
    const image = blocks.find((block) => block.block_id === CIRCLES_BLOCK_ID);
    expect(image?.type).toBe('image');
    expect(image?.slack_file).toEqual({ id: stored?.fileId });
    // The alt text says who is in which ring, by the directory's name for the Slack customer.
    expect(image?.alt_text).toContain('Core (1): Casey Customer (9/10).');
    expect(image?.alt_text).toContain('Occasional (1): Pat <Patron> (3/10).');
    expect(image?.alt_text).toContain("Should be, but aren't (1): Dana Department (not rated yet).");
    expect(JSON.stringify(home?.args.view)).toContain(stored?.permalink ?? 'no permalink');

    const table = blocks.find((block) => block.type === 'table');
    expect(table?.rows?.map((row) => row.map((cell) => cell.text))).toEqual([
      ['Service', 'Casey Customer', 'Pat <Patron>'],
      ['Interlibrary loans', '9', NOT_RATED_CELL],
      ['Local history', NOT_RATED_CELL, '3'],
    ]);

    // Opened again with nothing changed: published again, with the same file, not uploaded again.
    await opened(STAFF);
    await settled();
    await expect.poll(() => publishedFor(STAFF).length, { timeout: 5_000 }).toBe(2);
    const again = blocksOf(publishedFor(STAFF)[1]).find((block) => block.block_id === CIRCLES_BLOCK_ID);
    expect(again?.slack_file).toEqual({ id: stored?.fileId });
    expect(standIn.callsTo('files.completeUploadExternal')).toHaveLength(1);
    expect(standIn.callsTo('files.getUploadURLExternal')).toHaveLength(1);
    expect(standIn.callsTo('files.delete')).toEqual([]);

    // Pat answers again, higher: a new picture, and the old file is deleted.
    await seedCustomerRound(db(), {
      staff: STAFF,
      customer: { name: 'Pat <Patron>' },
      service: 'Local history',
      segment: 'occasional',
      score: 8,
      createdAt: daysAgo(1),
    });
    await opened(STAFF);
    await settled();
    await expect.poll(() => publishedFor(STAFF).length, { timeout: 5_000 }).toBe(3);
    expect(standIn.callsTo('files.completeUploadExternal')).toHaveLength(2);
    expect(standIn.callsTo('files.delete').map((call) => call.args.file)).toEqual([stored?.fileId]);
    const [replaced] = await db().select().from(homePictures);
    expect(replaced?.fileId).not.toBe(stored?.fileId);
    const third = blocksOf(publishedFor(STAFF)[2]);
    expect(third.find((block) => block.block_id === CIRCLES_BLOCK_ID)?.slack_file).toEqual({
      id: replaced?.fileId,
    });
    expect(third.find((block) => block.type === 'table')?.rows?.[2]?.map((cell) => cell.text)).toEqual([
      'Local history',
      NOT_RATED_CELL,
      '8',
    ]);
  });
});
