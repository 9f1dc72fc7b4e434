import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { bestPractices, rounds, staffProfiles } from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import { PRACTICE_ACTIONS, PRACTICE_MODAL } from '../../src/modules/practices/practices.views.js';
import { PRACTICE_WORDS } from '../../src/modules/practices/practices.words.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectWithinBlockKitLimits } from '../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedCommittee, seedRound } from '../helpers/digests.js';
import { PDF, RLO } from '../helpers/hostile-text.js';
import { blockAction, homeOpened } from '../helpers/slack-requests.js';
import { type RecordedCall, type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';
import { slackTexts } from '../helpers/slack-text.js';
import { type OpenedView, practiceState, walkThrough } from '../helpers/walk-through.js';

/**
 * Best practices through the real app over signed HTTP: shared from the Home's button (and from a
 * hidden strength's result), listed once in the next digest of the committees covering the author's
 * unit and in no other, on the unit's Home tabs, withdrawn by the author alone and gone from then on.
 */

const AUTHOR = 'UAUTHOR';
const COLLEAGUE = 'UCOLLEAGUE';
const REFERENCE = 'CREFERENCE';
const CIRCULATION = 'CCIRCULATION';
// Wednesday of 2026-W47 (16-22 November, UTC); its digest goes out on Monday 23 November at 09:00.
const NOW = '2026-11-18T10:00:00Z';
const W47_POST = new Date('2026-11-23T09:00:30Z');
const W48_POST = new Date('2026-11-30T09:00:30Z');

/** Hostile words: markup, mrkdwn, a mention of everyone, an open bidi override. */
const WHAT = `<script>alert(1)</script> *bold* <!channel> I phone patrons when loans arrive ${RLO}x`;
const WHY = '_They_ plan their visit; ~nothing~ waits. `code` <@U123>';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

describeEachDatabase('best practices end to end', (getDb) => {
  let app: TestApp;
  const clock = fixedClock(NOW);
  const db = () => getDb().handle.db;

  beforeEach(async () => {
    standIn.reset();
    clock.set(NOW);
    standIn.addUser({ id: AUTHOR, name: 'ari', real_name: 'Ari Author', tz: 'UTC' });
    standIn.addUser({ id: COLLEAGUE, name: 'cole', real_name: 'Cole League', tz: 'UTC' });
    app = await startTestApp({ database: getDb(), standIn, clock, overrides: { homeRepublishMs: 1_000 } });
    await db()
      .insert(staffProfiles)
      .values([
        { userId: AUTHOR, unit: 'Reference' },
        { userId: COLLEAGUE, unit: 'reference' },
      ]);
    await seedCommittee(db(), REFERENCE, { units: ['Reference'] });
    await seedCommittee(db(), CIRCULATION, { units: ['Circulation'] });
  });
  afterEach(() => app.stop());

  const walk = () => walkThrough(app, standIn, db);
  const share = async (view: OpenedView, what = WHAT, service = 'Interlibrary loans') =>
    walk().submit(
      AUTHOR,
      view,
      practiceState({ whatYouDo: what, whyItWorks: WHY, service, unit: 'Reference' }),
    );
  const clickFromHome = (userId: string, actionId: string, value: string) =>
    app.send({
      kind: 'interactive',
      payload: blockAction({
        userId,
        actionId,
        value,
        container: { type: 'view', view_id: 'VHOME' },
        view: { id: 'VHOME', type: 'home', callback_id: '', private_metadata: '', state_values: {} },
      }),
    });
  /** The person opens the app's Home (from then on, changes republish it). */
  const openHome = (userId: string, eventId: string) => app.send(homeOpened(userId, eventId));
  const homesOf = (userId: string): RecordedCall[] =>
    standIn.callsTo('views.publish').filter((call) => call.args.user_id === userId);
  const buttonsOf = (call: RecordedCall | undefined) =>
    ((call?.args.view?.blocks ?? []) as { type: string; elements?: { action_id: string; value: string }[] }[])
      .filter((block) => block.type === 'actions')
      .flatMap((block) => block.elements ?? [])
      .map((element) => `${element.action_id}:${element.value}`);
  const postedTo = (channel: string): RecordedCall[] =>
    standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === channel);
  const opened = async (since: number) => {
    const call = await standIn.waitForCall(
      'views.open',
      (c) => standIn.calls.indexOf(c) >= since && c.args.view?.callback_id !== PRACTICE_MODAL.callbackId,
    );
    return JSON.stringify(call.args.view);
  };

  it('shares from the form: errors on their fields and nothing stored, then one practice for a double submission', async () => {
    // The author works from their Home: they have opened it.
    expect((await openHome(AUTHOR, 'EvAUTHORHOME')).status).toBe(200);
    await expect.poll(() => homesOf(AUTHOR).length, { timeout: 5_000 }).toBe(1);
    const view = await walk().openPracticeModal(AUTHOR);
    const openedCall = standIn.callsTo('views.open').at(-1);
    expectWithinBlockKitLimits('modal', openedCall?.args.view);
    expect(JSON.stringify(openedCall?.args.view)).toContain('"initial_value":"Reference"');

    const refused = await walk().submit(
      AUTHOR,
      view,
      practiceState({ whatYouDo: '  ', whyItWorks: WHY, service: 's'.repeat(76), unit: 'Reference' }),
    );
    expect(JSON.parse(refused.body)).toEqual({
      response_action: 'errors',
      errors: {
        [PRACTICE_MODAL.blocks.whatYouDo]: PRACTICE_WORDS.what_missing,
        [PRACTICE_MODAL.blocks.service]: PRACTICE_WORDS.service_too_long,
      },
    });
    expect(await db().select().from(bestPractices)).toEqual([]);
    // The form was sealed for its author: submitted by anyone else, it is refused and stores nothing.
    const someoneElse = await walk().submit(
      COLLEAGUE,
      view,
      practiceState({ whatYouDo: 'Not mine', whyItWorks: WHY, service: 'Loans', unit: 'Reference' }),
    );
    expect(JSON.parse(someoneElse.body)).toEqual({
      response_action: 'errors',
      errors: { [PRACTICE_MODAL.blocks.whatYouDo]: PRACTICE_WORDS.practice_form_out_of_date },
    });
    expect(await db().select().from(bestPractices)).toEqual([]);

    expect((await share(view)).body).toBe('');
    expect((await share(view)).body).toBe('');
    await walk().settled();
    const rows = await db().select().from(bestPractices);
    expect(rows).toHaveLength(1);
    // Stored as typed, its open override closed so it cannot reorder what follows it.
    expect(rows[0]).toMatchObject({ authorUserId: AUTHOR, unit: 'Reference', whatYouDo: `${WHAT}${PDF}` });

    // The author's Home is republished with it, their own, with its Withdraw button.
    await expect.poll(() => homesOf(AUTHOR).length, { timeout: 5_000 }).toBeGreaterThan(1);
    const home = homesOf(AUTHOR).at(-1);
    expect(home?.violations ?? []).toEqual([]);
    expectWithinBlockKitLimits('home', home?.args.view);
    const text = JSON.stringify(home?.args.view);
    expect(text).toContain('Best practices in your unit');
    expect(buttonsOf(home)).toEqual(
      expect.arrayContaining([
        `${PRACTICE_ACTIONS.withdraw}:${rows[0]?.id}`,
        `${PRACTICE_ACTIONS.share}:home`,
      ]),
    );
    const texts = slackTexts(home?.args.view);
    expect(texts.literal.some((s) => s.includes(`${WHAT}${PDF}`))).toBe(true);
    for (const s of texts.mrkdwn) expect(s).not.toMatch(/<!channel>|<script>|\*bold\*/);
  });

  it('prefills the service from a hidden strength’s round, only the staff member’s own', async () => {
    const own = await seedRound(db(), { staff: AUTHOR, unit: 'Reference', self: 5, customer: 9 });
    const theirs = await seedRound(db(), { staff: COLLEAGUE, unit: 'Reference', self: 5, customer: 9 });
    const [ownRound] = await db().select().from(rounds).where(eq(rounds.id, own));
    await walk().openPracticeModal(AUTHOR, String(own));
    const fromOwn = JSON.stringify(standIn.callsTo('views.open').at(-1)?.args.view);
    expect(fromOwn).toContain(`"initial_value":"${ownRound?.service}"`);
    await walk().openPracticeModal(AUTHOR, String(theirs));
    const fromTheirs = standIn.callsTo('views.open').at(-1)?.args.view as { blocks: { block_id?: string }[] };
    const serviceBlock = JSON.stringify(
      fromTheirs.blocks.find((block) => block.block_id === PRACTICE_MODAL.blocks.service),
    );
    expect(serviceBlock).not.toContain('initial_value');
  });

  it('lists a practice once, in the next digest of the committee covering its unit; a withdrawn one is gone', async () => {
    expect((await openHome(AUTHOR, 'EvAUTHORHOME2')).status).toBe(200);
    const first = await walk().openPracticeModal(AUTHOR);
    expect((await share(first, `${WHAT} (W47)`)).body).toBe('');
    await walk().settled();

    await app.radar.scheduler.tick(W47_POST);
    await walk().settled();
    const [w47] = postedTo(REFERENCE);
    expect(w47).toBeDefined();
    expect(w47?.violations ?? []).toEqual([]);
    expectWithinBlockKitLimits('message', w47?.args);
    const w47Texts = slackTexts(w47?.args);
    expect(w47Texts.literal.some((s) => s.includes(`${WHAT} (W47)`))).toBe(true);
    expect(JSON.stringify(w47?.args.blocks)).toContain(`"type":"user","user_id":"${AUTHOR}"`);
    for (const s of w47Texts.mrkdwn) expect(s).not.toMatch(/<!channel>|<script>|\*bold\*|<@U123>/);
    // The committee of another unit gets its digest, and hears nothing of it.
    expect(postedTo(CIRCULATION)).toHaveLength(1);
    expect(JSON.stringify(postedTo(CIRCULATION))).not.toContain('I phone patrons');

    // The next week: two more, one withdrawn by its author; a colleague may not withdraw the other.
    clock.set('2026-11-25T10:00:00Z');
    const second = await walk().openPracticeModal(AUTHOR);
    expect((await share(second, 'Kept in W48')).body).toBe('');
    const third = await walk().openPracticeModal(AUTHOR);
    expect((await share(third, 'Withdrawn in W48')).body).toBe('');
    await walk().settled();
    const rows = await db().select().from(bestPractices);
    const idOf = (what: string) => rows.find((row) => row.whatYouDo === what)?.id as number;

    let mark = standIn.calls.length;
    expect(
      (await clickFromHome(COLLEAGUE, PRACTICE_ACTIONS.withdraw, String(idOf('Kept in W48')))).status,
    ).toBe(200);
    expect(await opened(mark)).toContain(PRACTICE_WORDS.not_yours);
    mark = standIn.calls.length;
    expect(
      (await clickFromHome(AUTHOR, PRACTICE_ACTIONS.withdraw, String(idOf('Withdrawn in W48')))).status,
    ).toBe(200);
    expect(await opened(mark)).toContain(PRACTICE_WORDS.withdrawn);
    await walk().settled();
    const stored = await db().select().from(bestPractices);
    expect(stored.find((row) => row.id === idOf('Kept in W48'))?.withdrawnAt).toBeNull();
    expect(stored.find((row) => row.id === idOf('Withdrawn in W48'))?.withdrawnAt).not.toBeNull();

    // The author's Home is republished without the withdrawn one.
    await expect
      .poll(
        () => {
          const latest = JSON.stringify(homesOf(AUTHOR).at(-1)?.args.view ?? {});
          return latest.includes('Kept in W48') && !latest.includes('Withdrawn in W48');
        },
        { timeout: 5_000 },
      )
      .toBe(true);

    await app.radar.scheduler.tick(W48_POST);
    await walk().settled();
    const w48 = postedTo(REFERENCE)[1];
    expect(w48).toBeDefined();
    expectWithinBlockKitLimits('message', w48?.args);
    const w48Text = JSON.stringify(w48?.args.blocks);
    expect(w48Text).toContain('Kept in W48');
    expect(w48Text).not.toContain('Withdrawn in W48');
    expect(w48Text).not.toContain('(W47)');

    // A colleague opening their Home sees the kept one, without a Withdraw button, and not the withdrawn.
    expect((await openHome(COLLEAGUE, 'EvPRACTICES1')).status).toBe(200);
    await expect.poll(() => homesOf(COLLEAGUE).length, { timeout: 5_000 }).toBe(1);
    const colleagueHome = JSON.stringify(homesOf(COLLEAGUE)[0]?.args.view);
    expect(colleagueHome).toContain('Kept in W48');
    expect(colleagueHome).not.toContain('Withdrawn in W48');
    expect(buttonsOf(homesOf(COLLEAGUE)[0]).filter((b) => b.startsWith(PRACTICE_ACTIONS.withdraw))).toEqual(
      [],
    );
    const remaining = await db().select().from(bestPractices).where(eq(bestPractices.authorUserId, AUTHOR));
    expect(remaining).toHaveLength(3);
  });
});
