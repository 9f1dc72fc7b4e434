import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../../src/db/client.js';
import { reminders } from '../../../src/db/schema.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/logger.js';
import { runRemindersTick } from '../../../src/modules/reminders/reminders.job.js';
import { REMINDER_EVENT_TYPE } from '../../../src/modules/reminders/reminders.outbox.js';
import { createRemindersRepository } from '../../../src/modules/reminders/reminders.repository.js';
import { createServicePointsRepository } from '../../../src/modules/service-points/service-points.repository.js';
import {
  scheduleOwnerWeeklyMessages,
  weeklyKey,
} from '../../../src/modules/service-points/service-points.weekly.js';
import { blockKitViolations } from '../../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../../helpers/database.js';
import { testDependencies } from '../../helpers/dependencies.js';
import { TEST_SETTINGS } from '../../helpers/reminders.js';
import { markErased, seedServicePoint, seedWalkUp } from '../../helpers/service-points.js';
import { type RecordedCall, type SlackStandIn, startSlackStandIn } from '../../helpers/slack-stand-in.js';

/**
 * A service point owner's weekly DM, through the real reminders tick (sweep, then outbox) and a
 * Slack stand-in. The week is 2026-W47 (16-22 November 2026, LIBRARY_TIME_ZONE UTC); the ticks run
 * on Tuesday 24 November at 10:00, inside the owners' London working hours.
 */
const NOW = new Date('2026-11-24T10:00:00Z');
const W47 = '2026-W47';
const day = (date: string, hour = 12) => new Date(`${date}T${String(hour).padStart(2, '0')}:00:00Z`);

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
  for (const id of ['UOWNER', 'UOWNER2', 'UOWNER3', 'UOWNER4'])
    standIn.addUser({ id, name: id.toLowerCase(), tz: 'Europe/London' });
});
afterAll(() => standIn.close());

const logLines: string[] = [];
const logger = createLogger(
  'debug',
  new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  }),
);

function depsOf(handle: DatabaseHandle, instanceId: string) {
  return testDependencies({
    db: handle.db,
    standIn,
    clock: fixedClock(NOW),
    logger,
    overrides: { instanceId, settings: { reminders: TEST_SETTINGS } },
  }).background.reminders;
}

/** The owner DMs that reached Slack, by reminder key (several parts of one DM have several keys). */
function weeklyDms(): RecordedCall[] {
  return standIn
    .callsTo('chat.postMessage')
    .filter(
      (call) =>
        call.reply?.body.ok === true &&
        call.args.metadata?.event_type === REMINDER_EVENT_TYPE &&
        String(call.args.text).startsWith('Walk-up answers'),
    );
}

describeEachDatabase('a service point owner’s weekly DM', (getDb) => {
  const db = () => getDb().handle.db;
  const extra: DatabaseHandle[] = [];
  afterAll(async () => {
    for (const handle of extra) await handle.close().catch(() => undefined);
  });

  async function seed() {
    standIn.reset();
    logLines.length = 0;
    const desk = await seedServicePoint(db(), { name: 'Reference desk', owner: 'UOWNER' });
    const quiet = await seedServicePoint(db(), { name: 'Quiet desk', owner: 'UOWNER2' });
    const spammed = await seedServicePoint(db(), { name: 'Spammed desk', owner: 'UOWNER3' });
    // Reference desk in W47: 4 answers (7/8, 5/9, 9/6 and 4/4: experience 25 = 6.25, shown 6.3; expected
    // 27 = 6.75, shown 6.8; gap -0.5), two with words; the fourth was erased (its scores stay, its words
    // go, even from a damaged row that still holds them); and a spam answer, left out.
    await seedWalkUp(db(), desk.id, {
      experience: 7,
      expectation: 8,
      at: day('2026-11-16'),
      doBetter: 'WORDS-ONE: more *chairs* <!channel> & `quiet`',
      noLongerNeed: 'WORDS-TWO: the fax',
    });
    await seedWalkUp(db(), desk.id, { experience: 5, expectation: 9, at: day('2026-11-18') });
    await seedWalkUp(db(), desk.id, {
      experience: 9,
      expectation: 6,
      at: day('2026-11-22', 23),
      doBetter: 'WORDS-THREE\nsecond line',
    });
    await seedWalkUp(db(), desk.id, {
      experience: 1,
      expectation: 1,
      at: day('2026-11-19'),
      doBetter: 'SPAM-WORDS buy now',
      spam: true,
    });
    const erased = await seedWalkUp(db(), desk.id, {
      experience: 4,
      expectation: 4,
      at: day('2026-11-20'),
      doBetter: 'ERASED-WORDS',
    });
    await markErased(db(), erased, day('2026-11-23'), true);
    // Quiet desk: answers the week before only. Spammed desk: only spam in W47.
    await seedWalkUp(db(), quiet.id, {
      experience: 8,
      expectation: 8,
      at: day('2026-11-10'),
      doBetter: 'OLD-WORDS',
    });
    await seedWalkUp(db(), spammed.id, {
      experience: 2,
      expectation: 2,
      at: day('2026-11-17'),
      doBetter: 'SPAM-ONLY',
      spam: true,
    });
    return { desk, quiet, spammed };
  }

  it('sends each owner one DM with the week’s written answers and figures, whatever number of ticks or copies', async () => {
    const { desk } = await seed();
    const database = getDb();
    // Two copies of the app: on PostgreSQL each with its own pool, as two processes would be.
    const second = database.url
      ? await openDatabase({ databaseUrl: database.url, poolSize: 3 })
      : database.handle;
    if (database.url) extra.push(second);
    const copies = [depsOf(database.handle, 'copy-a'), depsOf(second, 'copy-b')];
    await Promise.all(copies.map((deps) => runRemindersTick(deps, NOW)));
    await Promise.all(copies.map((deps) => runRemindersTick(deps, new Date(NOW.getTime() + 60_000))));
    await runRemindersTick(copies[0] as (typeof copies)[0], new Date(NOW.getTime() + 3_600_000));

    const dms = weeklyDms();
    expect(dms).toHaveLength(1);
    const [dm] = dms as [RecordedCall];
    expect(dm.args.channel).toBe('UOWNER');
    expect(dm.args.metadata.event_payload.radar_key).toMatch(/^reminder:\d+$/);
    const rows = await db().select().from(reminders).where(eq(reminders.kind, 'service_point_weekly'));
    expect(rows.map((row) => [row.dedupeKey, row.state, row.servicePointId, row.recipientUserId])).toEqual([
      [weeklyKey(desk.id, W47), 'sent', desk.id, 'UOWNER'],
    ]);
    expect(weeklyKey(desk.id, W47)).toBe(`service_point_weekly:${desk.id}:2026-W47`);

    const payload = JSON.stringify(dm.args.blocks);
    for (const words of [
      'WORDS-ONE: more *chairs* <!channel> & `quiet`',
      'WORDS-TWO: the fax',
      'WORDS-THREE\\nsecond line',
    ])
      expect(payload).toContain(words);
    // Patrons' words go only into rich_text quotes, never into mrkdwn.
    const quotes = (dm.args.blocks as { type: string; elements?: { type: string }[] }[])
      .filter((block) => block.type === 'rich_text')
      .flatMap((block) => block.elements ?? [])
      .filter((element) => element.type === 'rich_text_quote');
    expect(quotes).toHaveLength(3);
    for (const block of dm.args.blocks as { type: string }[])
      if (block.type !== 'rich_text') expect(JSON.stringify(block)).not.toContain('WORDS-');
    expect(dm.args.text).not.toContain('WORDS');
    expect(payload).toContain('*Answers*\\n4');
    expect(payload).toContain('6.3 / 10');
    expect(payload).toContain('6.8 / 10');
    expect(payload).toContain('-0.5: expectations not met, by 0.5');
    expect(payload).toContain('1 answer that looked like spam is left out');
    expect(blockKitViolations('message', { text: dm.args.text, blocks: dm.args.blocks })).toEqual([]);

    // Spam, erased answers and other weeks' words are in no DM; no patron's words in any log line.
    const everything = JSON.stringify(standIn.calls.map((call) => call.args));
    for (const words of ['SPAM-WORDS', 'SPAM-ONLY', 'ERASED-WORDS', 'OLD-WORDS'])
      expect(everything).not.toContain(words);
    expect(logLines.join('')).not.toMatch(/WORDS|SPAM-ONLY/);
  });

  it('sends no DM for a point without answers that week, nor for one with only spam', async () => {
    const { quiet, spammed } = await seed();
    const deps = depsOf(getDb().handle, 'copy-a');
    await runRemindersTick(deps, NOW);
    const rows = await db().select().from(reminders).where(eq(reminders.kind, 'service_point_weekly'));
    expect(rows.map((row) => row.servicePointId)).not.toContain(quiet.id);
    expect(rows.map((row) => row.servicePointId)).not.toContain(spammed.id);
    expect(weeklyDms().map((call) => call.args.channel)).toEqual(['UOWNER']);
    // The week before is not swept again from this week's ticks: the quiet desk's W46 stays unsent.
    expect(JSON.stringify(standIn.calls.map((call) => call.args))).not.toContain('OLD-WORDS');
  });

  it('splits a long week over several DMs, each inside Block Kit limits, every answer once and in order', async () => {
    standIn.reset();
    const desk = await seedServicePoint(db(), { name: 'Busy desk', owner: 'UOWNER4' });
    const count = 30;
    for (let index = 0; index < count; index++)
      await seedWalkUp(db(), desk.id, {
        experience: 1 + (index % 10),
        expectation: 5,
        at: new Date(day('2026-11-16').getTime() + index * 60_000),
        doBetter: `LONG-${String(index).padStart(2, '0')} ${'d'.repeat(990)}`,
        noLongerNeed: `NEED-${String(index).padStart(2, '0')} ${'n'.repeat(990)}`,
      });
    const deps = depsOf(getDb().handle, 'copy-a');
    const sweep = {
      servicePoints: createServicePointsRepository({ db: db() }),
      reminders: createRemindersRepository({ db: db() }),
      libraryTimeZone: 'UTC',
    };
    const queued = await scheduleOwnerWeeklyMessages(sweep, NOW);
    expect(queued).toBeGreaterThan(1);
    expect(await scheduleOwnerWeeklyMessages(sweep, NOW)).toBe(0);
    // Each part waits for the one before it: one tick a minute sends them all, in order.
    for (let tick = 0; tick <= queued; tick++)
      await runRemindersTick(deps, new Date(NOW.getTime() + tick * 61_000));
    const dms = weeklyDms().filter((call) => call.args.channel === 'UOWNER4');
    expect(dms).toHaveLength(queued);
    const seen: string[] = [];
    for (const [index, dm] of dms.entries()) {
      expect(blockKitViolations('message', { text: dm.args.text, blocks: dm.args.blocks })).toEqual([]);
      expect(dm.args.blocks.length).toBeLessThanOrEqual(50);
      expect(dm.args.text).toContain(`part ${index + 1} of ${queued}`);
      seen.push(...(JSON.stringify(dm.args.blocks).match(/LONG-\d\d/g) ?? []));
    }
    expect(seen).toEqual(
      Array.from({ length: count }, (_, index) => `LONG-${String(index).padStart(2, '0')}`),
    );
    const keys = (await db().select().from(reminders).where(eq(reminders.servicePointId, desk.id))).map(
      (row) => row.dedupeKey,
    );
    expect(keys.sort()).toEqual(
      Array.from({ length: queued }, (_, index) => weeklyKey(desk.id, W47, index + 1)).sort(),
    );
  });
});
