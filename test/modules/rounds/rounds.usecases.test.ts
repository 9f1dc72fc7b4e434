import { WebClient } from '@slack/web-api';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { roundResponses, rounds as roundsTable, staffProfiles } from '../../../src/db/schema.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { createPeopleDirectory } from '../../../src/modules/people/people.directory.js';
import { createPeopleRepository } from '../../../src/modules/people/people.repository.js';
import { createRoundsRepository } from '../../../src/modules/rounds/rounds.repository.js';
import {
  interviewDayRefusal,
  listRounds,
  prepareRoundForm,
  type RoundDraft,
  recordResponse,
  startRound,
} from '../../../src/modules/rounds/rounds.usecases.js';
import { ROUND_WORDS, type RoundCode, roundWords } from '../../../src/modules/rounds/rounds.words.js';
import { createSlackPersonSource } from '../../../src/slack/person-source.js';
import { describeEachDatabase } from '../../helpers/database.js';
import { type SlackStandIn, startSlackStandIn } from '../../helpers/slack-stand-in.js';

/** The words a refusal code is shown with (undefined: no refusal). */
const wordsFor = (code: RoundCode | undefined) => (code ? roundWords(code) : undefined);

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
  standIn.addUser({ id: 'UCUST', name: 'casey', real_name: 'Casey Customer', tz: 'America/New_York' });
  standIn.addUser({ id: 'UBOTTY', name: 'helperbot', is_bot: true });
  standIn.addUser({ id: 'UGONE', name: 'gone', deleted: true });
  // Staff at the world's two calendar edges: a day ahead of UTC, and (for most of the day) behind it.
  standIn.addUser({ id: 'UKIRI', name: 'kiri', real_name: 'Kiri Staff', tz: 'Pacific/Kiritimati' });
  standIn.addUser({ id: 'UPAGO', name: 'pago', real_name: 'Pago Staff', tz: 'Pacific/Pago_Pago' });
  standIn.addUser({ id: 'UMARS', name: 'mars', real_name: 'Mars Staff', tz: 'Mars/Olympus_Mons' });
});
afterAll(() => standIn.close());

const STAFF = 'USTAFF';

const draft = (overrides: Partial<RoundDraft> = {}): RoundDraft => ({
  customerUserId: 'UCUST',
  customerName: null,
  previousService: null,
  newService: 'Interlibrary loans',
  segment: 'core',
  unit: 'Reference',
  selfScore: '8',
  selfNote: null,
  interviewOn: '2026-12-02',
  ...overrides,
});

const answers = {
  needFromMe: 'Books from other libraries, fast.',
  whyDependOnMe: 'You run the ILL desk.',
  notAdequatelyProviding: 'Status updates while I wait.',
  concentrateOn: 'Telling me when something is late.',
  noLongerNeed: 'The weekly printed list.',
  additionalComments: null,
};

describeEachDatabase('rounds use cases', (getDb) => {
  const clock = fixedClock('2026-11-25T15:00:00Z');
  let deps: ReturnType<typeof build>;
  const build = () => {
    const { db } = getDb().handle;
    const rounds = createRoundsRepository({ db });
    const client = new WebClient('xoxb-test', { slackApiUrl: standIn.url, retryConfig: { retries: 0 } });
    const directory = createPeopleDirectory({
      source: createSlackPersonSource(client),
      people: createPeopleRepository({ db }),
      clock,
    });
    return { db, rounds, directory, clock };
  };
  beforeEach(() => {
    deps = build();
    clock.set('2026-11-25T15:00:00Z');
  });

  const start = (overrides: Partial<RoundDraft> = {}, sourceViewId = `V${Math.random()}`) =>
    startRound({ ...deps, staffUserId: STAFF, sourceViewId, draft: draft(overrides) });

  it('stores a round for a Slack customer and remembers the unit', async () => {
    const result = await start();
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.created).toBe(true);
    expect(result.round).toMatchObject({
      staffUserId: STAFF,
      customerUserId: 'UCUST',
      customerName: 'Casey Customer',
      customerKey: 'slack:UCUST',
      service: 'Interlibrary loans',
      serviceKey: 'interlibrary loans',
      segment: 'core',
      unit: 'Reference',
      selfScore: 8,
      status: 'awaiting_customer',
      interviewOn: '2026-12-02',
    });
    const [profile] = await deps.db.select().from(staffProfiles).where(eq(staffProfiles.userId, STAFF));
    expect(profile?.unit).toBe('Reference');
  });

  it('prefills the unit and offers earlier services, most recent first', async () => {
    await start({ newService: 'Reference desk' }, 'V1');
    clock.advance(60_000);
    await start({ newService: 'Interlibrary loans', unit: 'Research' }, 'V2');
    const form = await prepareRoundForm({ rounds: deps.rounds, clock, staffUserId: STAFF });
    expect(form.unit).toBe('Research');
    expect(form.previousServices).toEqual(['Interlibrary loans', 'Reference desk']);
    expect(form.interviewOn).toBe('2026-12-02');
  });

  it('starts a newcomer from nothing: no unit, no earlier services', async () => {
    await start({ newService: 'Reference desk' }, 'V1');
    const form = await prepareRoundForm({ rounds: deps.rounds, clock, staffUserId: 'UNEWCOMER' });
    expect(form.unit).toBeNull();
    expect(form.previousServices).toEqual([]);
  });

  it('stores an outside customer by name', async () => {
    const result = await start({ customerUserId: null, customerName: '  Pat   Patron ' });
    expect(result.ok && result.round.customerKey).toBe('name:pat patron');
    expect(result.ok && result.round.customerName).toBe('Pat Patron');
  });

  it.each([
    [{ customerUserId: STAFF }, 'customer', "can't be your own customer"],
    [{ customerUserId: 'UBOTTY' }, 'customer', "bot can't"],
    [{ customerUserId: 'UGONE' }, 'customer', 'left the workspace'],
    [{ customerUserId: 'UNOBODY' }, 'customer', "isn't in this workspace"],
    [{ customerUserId: null }, 'customer', 'Choose your customer'],
    [{ customerName: 'Pat' }, 'customer', 'not both'],
    [{ newService: '   ' }, 'service', 'which service'],
    [{ newService: 'x'.repeat(76) }, 'service', '75 characters'],
    [{ segment: 'vip' }, 'segment', 'kind of customer'],
    [{ unit: '' }, 'unit', 'department'],
    [{ selfScore: '0' }, 'selfScore', '1 (low) to 10'],
    [{ selfScore: '11' }, 'selfScore', '1 (low) to 10'],
    [{ selfScore: '7.5' }, 'selfScore', '1 (low) to 10'],
    [{ selfNote: 'n'.repeat(501) }, 'selfNote', '500 characters'],
    [{ interviewOn: '2026-02-30' }, 'interviewOn', 'Choose the day'],
    [{ interviewOn: '2026-11-01' }, 'interviewOn', 'today or a later day'],
    [{ interviewOn: '2028-01-01' }, 'interviewOn', 'within the next year'],
  ] as const)('refuses %o with a message on %s and writes nothing', async (overrides, field, message) => {
    const result = await start(overrides as Partial<RoundDraft>);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(wordsFor(result.errors[field as keyof typeof result.errors])).toContain(message);
    const [{ value }] = (await deps.db.select({ value: count() }).from(roundsTable)) as [{ value: number }];
    expect(value).toBe(0);
  });

  describe("the interview day, in the staff member's own calendar", () => {
    // 11:00 UTC on 25 November: 26 November 01:00 in Kiritimati (UTC+14), 25 November 00:00 in
    // Pago Pago (UTC-11). UTC's own today, 25 November, is yesterday for one of them.
    beforeEach(() => clock.set('2026-11-25T11:00:00Z'));
    const startAs = (staffUserId: string, interviewOn: string) =>
      startRound({ ...deps, staffUserId, sourceViewId: `V${Math.random()}`, draft: draft({ interviewOn }) });
    const staffLookups = (userId: string) =>
      standIn.callsTo('users.info').filter((call) => call.args.user === userId).length;

    it.each([
      // The last column: whether the verdict needed the staff member's zone (a users.info call).
      ['UKIRI', '2026-11-25', 'interview_day_past', 1],
      ['UKIRI', '2026-11-26', undefined, 0],
      ['UKIRI', '2027-11-26', undefined, 1],
      ['UKIRI', '2027-11-27', 'interview_day_too_far', 0],
      ['UPAGO', '2026-11-24', 'interview_day_past', 1],
      ['UPAGO', '2026-11-25', undefined, 1],
      ['UPAGO', '2027-11-25', undefined, 1],
      ['UPAGO', '2027-11-26', 'interview_day_too_far', 1],
    ] as const)('%s choosing %s: %s', async (staff, interviewOn, refusal, lookups) => {
      const before = staffLookups(staff);
      const result = await startAs(staff, interviewOn);
      expect(result.ok ? undefined : result.errors.interviewOn).toBe(refusal);
      expect(staffLookups(staff) - before).toBe(lookups);
      const [{ value }] = (await deps.db.select({ value: count() }).from(roundsTable)) as [{ value: number }];
      expect(value).toBe(refusal ? 0 : 1);
    });

    it('does not ask Slack for the zone of a day that is fine in every calendar', async () => {
      const before = staffLookups('UKIRI');
      const result = await startAs('UKIRI', '2026-12-02');
      expect(result.ok).toBe(true);
      expect(staffLookups('UKIRI') - before).toBe(0);
    });

    it('treats a profile zone no calendar knows as unknown, not as UTC', async () => {
      // Strict in UTC, 24 November is yesterday; a zone Slack sends that this runtime cannot read
      // gets the lenient check, as no zone at all does.
      const before = staffLookups('UMARS');
      const result = await startAs('UMARS', '2026-11-24');
      expect(result.ok).toBe(true);
      expect(staffLookups('UMARS') - before).toBe(1);
    });

    it('gives the benefit of the doubt when Slack does not know the staff member', async () => {
      // USTAFF is not in the stand-in: their zone is unknown, and a day that is today somewhere stands.
      const before = staffLookups(STAFF);
      const result = await startAs(STAFF, '2026-11-24');
      expect(result.ok).toBe(true);
      expect(staffLookups(STAFF) - before).toBe(1);
      expect(interviewDayRefusal('2026-11-23', clock.now(), undefined)).toBe('interview_day_past');
      expect(interviewDayRefusal('2027-11-27', clock.now(), undefined)).toBe('interview_day_too_far');
    });
  });

  it('starts the form on the library calendar', async () => {
    clock.set('2026-11-25T11:00:00Z');
    const inKiritimati = await prepareRoundForm({
      ...deps,
      staffUserId: STAFF,
      timeZone: 'Pacific/Kiritimati',
    });
    const inPagoPago = await prepareRoundForm({ ...deps, staffUserId: STAFF, timeZone: 'Pacific/Pago_Pago' });
    expect([inKiritimati.interviewOn, inPagoPago.interviewOn]).toEqual(['2026-12-03', '2026-12-02']);
  });

  it('refuses a second open round for the same customer and service, in any letter case', async () => {
    expect((await start({}, 'V1')).ok).toBe(true);
    const second = await start({ newService: 'INTERLIBRARY   loans' }, 'V2');
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.errors.service).toBe('duplicate_open_round');
    if (!second.ok) expect(wordsFor(second.errors.service)).toContain('already have an open round');
    expect((await start({ newService: 'Reference desk' }, 'V3')).ok).toBe(true);
  });

  it('treats the same view submitted twice as one round', async () => {
    const first = await start({}, 'VSAME');
    const second = await start({}, 'VSAME');
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(second.created).toBe(false);
    expect(second.round.id).toBe(first.round.id);
  });

  it('stores one round when the same view arrives many times at once', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => start({}, 'VBURST')));
    expect(results.every((result) => result.ok)).toBe(true);
    expect(results.filter((result) => result.ok && result.created)).toHaveLength(1);
    const [{ value }] = (await deps.db.select({ value: count() }).from(roundsTable)) as [{ value: number }];
    expect(value).toBe(1);
  });

  it('records the customer response, completes the round and computes the gap', async () => {
    const started = await start({ selfScore: '9' });
    if (!started.ok) throw new Error('round not started');
    clock.advance(3 * 86_400_000);
    const result = await recordResponse({
      ...deps,
      roundId: started.round.id,
      userId: 'UCUST',
      sourceViewId: 'VRESP',
      draft: { answers, customerScore: '5', shareWithManager: false, customerAgreed: false },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.round.status).toBe('completed');
    expect(result.round.completedAt?.toISOString()).toBe('2026-11-28T15:00:00.000Z');
    expect(result.response).toMatchObject({
      customerScore: 5,
      recordedOnBehalf: false,
      answeredByUserId: 'UCUST',
    });
    const listed = await listRounds({ rounds: deps.rounds });
    expect(listed[0]).toMatchObject({ id: started.round.id, selfScore: 9, customerScore: 5, gap: -4 });
  });

  it('lets only the named customer answer, and only once', async () => {
    const started = await start();
    if (!started.ok) throw new Error('round not started');
    const attempt = (userId: string, sourceViewId: string) =>
      recordResponse({
        ...deps,
        roundId: started.round.id,
        userId,
        sourceViewId,
        draft: { answers, customerScore: '7', shareWithManager: false, customerAgreed: false },
      });
    const stranger = await attempt('USTRANGER', 'VX1');
    expect(!stranger.ok && stranger.errors.form).toBe('not_yours');
    expect(!stranger.ok && wordsFor(stranger.errors.form)).toContain('meant for someone else');
    const staff = await attempt(STAFF, 'VX2');
    expect(!staff.ok && wordsFor(staff.errors.form)).toContain('meant for someone else');
    expect((await attempt('UCUST', 'VX3')).ok).toBe(true);
    const again = await attempt('UCUST', 'VX4');
    expect(!again.ok && again.errors.form).toBe('completed');
    expect(!again.ok && wordsFor(again.errors.form)).toContain('already been answered');
    const resubmitted = await attempt('UCUST', 'VX3');
    expect(resubmitted.ok && !resubmitted.created).toBe(true);
    const [{ value }] = (await deps.db.select({ value: count() }).from(roundResponses)) as [
      { value: number },
    ];
    expect(value).toBe(1);
  });

  it('lets the staff member record an outside customer’s interview', async () => {
    const started = await start({ customerUserId: null, customerName: 'Pat Patron' });
    if (!started.ok) throw new Error('round not started');
    const result = await recordResponse({
      ...deps,
      roundId: started.round.id,
      userId: STAFF,
      sourceViewId: 'VOB',
      draft: { answers, customerScore: '10', shareWithManager: false, customerAgreed: true },
    });
    expect(result.ok && result.onBehalf).toBe(true);
    expect(result.ok && result.response.recordedOnBehalf).toBe(true);
    expect(result.ok && result.response.shareWithManager).toBe(false);
  });

  it('stores the customer’s opt-in to share with the manager only when they tick it', async () => {
    const ticked = await start({ newService: 'Loans' });
    const unticked = await start({ newService: 'Archives' }, 'VSTART2');
    if (!ticked.ok || !unticked.ok) throw new Error('round not started');
    const answer = (roundId: number, sourceViewId: string, shareWithManager: boolean) =>
      recordResponse({
        ...deps,
        roundId,
        userId: 'UCUST',
        sourceViewId,
        draft: { answers, customerScore: '6', shareWithManager, customerAgreed: false },
      });
    expect((await answer(ticked.round.id, 'VSHARE', true)).ok).toBe(true);
    expect((await answer(unticked.round.id, 'VKEEP', false)).ok).toBe(true);
    const stored = await deps.db.select().from(roundResponses);
    expect(Object.fromEntries(stored.map((row) => [row.roundId, row.shareWithManager]))).toEqual({
      [ticked.round.id]: true,
      [unticked.round.id]: false,
    });
  });

  it('refuses a recorded interview without the confirmation that the customer agreed, and writes nothing', async () => {
    const started = await start({ customerUserId: null, customerName: 'Pat Patron' });
    if (!started.ok) throw new Error('round not started');
    const result = await recordResponse({
      ...deps,
      roundId: started.round.id,
      userId: STAFF,
      sourceViewId: 'VNOCONSENT',
      draft: { answers, customerScore: '10', shareWithManager: true, customerAgreed: false },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors)).toEqual(['consent']);
    expect(result.errors.consent).toBe('consent_missing');
    expect(wordsFor(result.errors.consent)).toBe(ROUND_WORDS.consent_missing);
    const [{ value }] = (await deps.db.select({ value: count() }).from(roundResponses)) as [
      { value: number },
    ];
    expect(value).toBe(0);
    const [round] = await deps.db.select().from(roundsTable);
    expect(round?.status).toBe('awaiting_customer');
  });

  it('refuses missing answers and bad scores without writing', async () => {
    const started = await start();
    if (!started.ok) throw new Error('round not started');
    const result = await recordResponse({
      ...deps,
      roundId: started.round.id,
      userId: 'UCUST',
      sourceViewId: 'VBAD',
      draft: {
        answers: { ...answers, whyDependOnMe: '  ', noLongerNeed: 'y'.repeat(1501) },
        customerScore: '11',
        shareWithManager: false,
        customerAgreed: false,
      },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['customerScore', 'noLongerNeed', 'whyDependOnMe']);
    const [round] = await deps.db.select().from(roundsTable);
    expect(round?.status).toBe('awaiting_customer');
  });

  it('keeps scores within 1-10 and one open round per customer and service in the database itself', async () => {
    const started = await start();
    if (!started.ok) throw new Error('round not started');
    const { id: _id, ...copy } = started.round;
    await expect(
      deps.db.insert(roundsTable).values({ ...copy, sourceViewId: 'VDIRECT', selfScore: 11 }),
    ).rejects.toThrow();
    await expect(deps.db.insert(roundsTable).values({ ...copy, sourceViewId: 'VDIRECT2' })).rejects.toThrow();
    await expect(
      deps.db
        .insert(roundsTable)
        .values({ ...copy, sourceViewId: 'VDIRECT3', serviceKey: 'other', customerUserId: STAFF }),
    ).rejects.toThrow();
    await expect(
      deps.db.insert(roundResponses).values({
        ...answers,
        roundId: 999_999,
        customerScore: 5,
        answeredByUserId: 'U',
        recordedOnBehalf: false,
        sourceViewId: 'VFK',
      }),
    ).rejects.toThrow();
  });
});
