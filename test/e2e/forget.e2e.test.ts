import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { rowsOf } from '../../src/db/client.js';
import { auditLog, committees, erasures, reminders, rounds, staffProfiles } from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import { hashToken, newSalt, newToken } from '../../src/lib/tokens.js';
import { buildDigest } from '../../src/modules/digests/digests.build.js';
import { createDigestsRepository } from '../../src/modules/digests/digests.repository.js';
import { ERASURE_TABLES } from '../../src/modules/erasure/erasure.content.js';
import { PLAN_ACTIONS, PLAN_MODAL } from '../../src/modules/plans/plans.views.js';
import { createServicePointsRepository } from '../../src/modules/service-points/service-points.repository.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase, type TestDatabase } from '../helpers/database.js';
import { seedRound } from '../helpers/digests.js';
import { findAnywhere, rowHashes } from '../helpers/row-scan.js';
import { blockAction, slashCommand } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';
import {
  type Answers,
  closeState,
  committeeState,
  noteState,
  planState,
  practiceState,
  responseState,
  roundFormState,
  walkThrough,
} from '../helpers/walk-through.js';

/**
 * `people forget`, through the real app and the operator CLI. One person, UTARGET, does everything
 * a person can: starts rounds (a customer in Slack, one outside Slack whose answers they record, one
 * still awaiting its customer), answers a colleague's round as a customer, writes an action plan,
 * manages a colleague's plan (a note, a step marked, the close), subscribes a committee and mutes
 * their reminders. Every field they type holds a marker, and so does their Slack name. Afterwards no
 * row of any table holds their id, their name or any marker of theirs; the digest of that week says
 * exactly what it said; one audit row records the counts, without the id.
 */

const TARGET = 'UTARGET';
const CUSTOMER = 'UCUST';
const CUSTOMER2 = 'UCUSTTWO';
const OTHER = 'UOTHER';
const MANAGER = 'UMANAGER';
const PLANS = 'CPLANS';
const COMMITTEE = 'C0COMMITTEE';
const OPERATOR = 'operator-ana';
// Wednesday of 2026-W47, 10:00 in London.
const NOW = '2026-11-18T10:00:00Z';

const marker = (field: string) => `MK-${field}-z9`;
const TARGET_NAME = marker('target-slack-name');
const answersBy = (tag: string): Answers => ({
  needFromMe: marker(`${tag}-need`),
  whyDependOnMe: marker(`${tag}-why`),
  notAdequatelyProviding: marker(`${tag}-not-providing`),
  concentrateOn: marker(`${tag}-concentrate`),
  noLongerNeed: marker(`${tag}-no-longer`),
  additionalComments: marker(`${tag}-comments`),
});
/** Everything the target typed. */
const TYPED = {
  service: marker('t-service'),
  selfNote: marker('t-self-note'),
  outsideService: marker('t-outside-service'),
  outsideNote: marker('t-outside-note'),
  openService: marker('t-open-service'),
  openNote: marker('t-open-note'),
  strengths: marker('t-strengths'),
  improvements: marker('t-improvements'),
  step: marker('t-step'),
  successMeasure: marker('t-measure'),
  noteAsManager: marker('t-note-as-manager'),
  closeAsManager: marker('t-close-as-manager'),
  practiceWhat: marker('t-practice-what'),
  practiceWhy: marker('t-practice-why'),
  practiceService: marker('t-practice-service'),
};
const RECORDED = answersBy('t-recorded'); // the outside customer's answers, typed by the target
const AS_CUSTOMER = answersBy('t-as-customer'); // the target's own answers to a colleague
/** Written to or about the target alone: their customer's answers, a note on their plan, a note about them as customer. */
const ABOUT_TARGET = {
  ...Object.fromEntries(Object.entries(answersBy('c-to-target')).map(([k, v]) => [`c-${k}`, v])),
  managerNote: marker('m-note-on-target-plan'),
  otherNoteAboutTarget: marker('o-note-about-target'),
};
/** Other people's words and identities, which stay. */
const KEPT = {
  outsideCustomer: marker('outside-customer-name'),
  otherService: marker('o-service'),
  otherStrengths: marker('o-strengths'),
  otherStep: marker('o-step'),
};
const GONE = [
  TARGET,
  TARGET_NAME,
  ...Object.values(TYPED),
  ...Object.values(RECORDED),
  ...Object.values(AS_CUSTOMER),
  ...Object.values(ABOUT_TARGET),
];

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

function parseCounts(out: string): Record<string, number> {
  return Object.fromEntries(
    [...out.matchAll(/^ {2}([a-z_]+)\s+(\d+)$/gm)].map((match) => [match[1] as string, Number(match[2])]),
  );
}

describeEachDatabase('people forget', (getDb) => {
  let app: TestApp;
  const clock = fixedClock(NOW);
  const db = () => getDb().handle.db;

  const cli = async (database: TestDatabase, ...argv: string[]) => {
    let out = '';
    let err = '';
    const code = await runCli(
      argv,
      { out: (text) => (out += text), err: (text) => (err += text) },
      { database: database.handle, env: { SUDO_USER: OPERATOR } },
    );
    return { code, out, err };
  };

  beforeEach(async () => {
    standIn.reset();
    clock.set(NOW);
    standIn.addUser({
      id: TARGET,
      name: 'tess',
      real_name: TARGET_NAME,
      tz: 'Europe/London',
      is_admin: true,
    });
    standIn.addUser({ id: CUSTOMER, name: 'casey', tz: 'Europe/London' });
    standIn.addUser({ id: CUSTOMER2, name: 'cam', tz: 'Europe/London' });
    standIn.addUser({ id: OTHER, name: 'olly', tz: 'Europe/London' });
    standIn.addUser({ id: MANAGER, name: 'morgan', tz: 'Europe/London', is_admin: true });
    app = await startTestApp({ database: getDb(), standIn, clock });
  });
  afterEach(() => app.stop());

  /** Everything UTARGET does, through signed requests to the app. */
  async function playHistory() {
    const walk = walkThrough(app, standIn, db);
    const startRound = async (staff: string, form: Parameters<typeof roundFormState>[0]) => {
      const view = await walk.openRoundModal(staff);
      expect((await walk.submit(staff, view, roundFormState(form))).body).toBe('');
      await walk.settled();
      return walk.latestRound(staff);
    };
    const answer = async (who: string, roundId: number, answers: Answers, score: string) => {
      const view = await walk.openResponseModal(who, roundId, `D${who}`);
      expect((await walk.submit(who, view, responseState(answers, score))).body).toBe('');
      await walk.settled();
    };

    // The target's rounds: a customer in Slack who answers, an outside customer, one left open.
    const withCustomer = await startRound(TARGET, {
      customerUserId: CUSTOMER,
      service: TYPED.service,
      selfNote: TYPED.selfNote,
    });
    await answer(CUSTOMER, withCustomer.id, answersBy('c-to-target'), '5');
    const outside = await startRound(TARGET, {
      customerName: KEPT.outsideCustomer,
      service: TYPED.outsideService,
      selfNote: TYPED.outsideNote,
    });
    await answer(TARGET, outside.id, RECORDED, '6');
    await startRound(TARGET, {
      customerUserId: CUSTOMER2,
      service: TYPED.openService,
      selfNote: TYPED.openNote,
    });

    // A colleague's round, with the target as the customer.
    const asCustomer = await startRound(OTHER, {
      customerUserId: TARGET,
      service: KEPT.otherService,
      selfNote: ABOUT_TARGET.otherNoteAboutTarget,
    });
    await answer(TARGET, asCustomer.id, AS_CUSTOMER, '9');

    // The target's own plan, opened by a manager: written by the target, a manager's note, a step marked.
    const noShare = (state: ReturnType<typeof planState>) => {
      const { [PLAN_MODAL.blocks.share]: _share, ...rest } = state;
      return rest;
    };
    const ownPlan = await walk.openPlan(MANAGER, TARGET, PLANS);
    const writing = await walk.openPlanModal(TARGET, 'write', ownPlan, PLANS);
    const written = noShare(
      planState({
        strengths: TYPED.strengths,
        improvements: TYPED.improvements,
        steps: `- ${TYPED.step}\n- ${TYPED.step}-2`,
        successMeasure: TYPED.successMeasure,
      }),
    );
    expect((await walk.submit(TARGET, writing, written)).body).toBe('');
    await walk.settled();
    const noting = await walk.openPlanModal(MANAGER, 'addNote', ownPlan, PLANS);
    expect((await walk.submit(MANAGER, noting, noteState(ABOUT_TARGET.managerNote))).body).toBe('');
    await walk.settled();

    // A colleague's plan the target manages: the target's note, a step they mark, their close.
    const managed = await walk.openPlan(TARGET, OTHER, PLANS);
    const otherWriting = await walk.openPlanModal(OTHER, 'write', managed, PLANS);
    const otherPlan = noShare(
      planState({
        strengths: KEPT.otherStrengths,
        improvements: 'Replying sooner',
        steps: `- ${KEPT.otherStep}`,
        successMeasure: 'Fewer follow-ups',
      }),
    );
    expect((await walk.submit(OTHER, otherWriting, otherPlan)).body).toBe('');
    await walk.settled();
    const [step] = rowsOf<{ id: number }>(
      await db().execute(sql`select id from plan_steps where plan_id = ${managed} order by position limit 1`),
    );
    await app.send({
      kind: 'interactive',
      payload: blockAction({
        userId: TARGET,
        actionId: PLAN_ACTIONS.markStep,
        value: String(step?.id),
        channelId: PLANS,
        responseUrl: app.responseUrl,
      }),
    });
    await walk.settled();
    const managerNote = await walk.openPlanModal(TARGET, 'addNote', managed, PLANS);
    expect((await walk.submit(TARGET, managerNote, noteState(TYPED.noteAsManager))).body).toBe('');
    await walk.settled();
    const closing = await walk.openPlanModal(TARGET, 'close', managed, PLANS);
    expect((await walk.submit(TARGET, closing, closeState(TYPED.closeAsManager))).body).toBe('');
    await walk.settled();

    // A committee the target subscribed, and their mute.
    const settings = await walk.openCommitteeModal(TARGET, COMMITTEE);
    expect((await walk.submit(TARGET, settings, committeeState({ units: 'Reference' }))).body).toBe('');
    await walk.settled();
    const muted = await app.send({
      kind: 'command',
      fields: slashCommand({ command: '/rate-service', text: 'mute 7', userId: TARGET }),
    });
    expect(muted.status).toBe(200);
    await walk.settled();

    // A best practice they shared, from the Home tab's button.
    const practice = await walk.openPracticeModal(TARGET);
    expect(
      (
        await walk.submit(
          TARGET,
          practice,
          practiceState({
            whatYouDo: TYPED.practiceWhat,
            whyItWorks: TYPED.practiceWhy,
            service: TYPED.practiceService,
            unit: 'Reference',
          }),
        )
      ).body,
    ).toBe('');
    await walk.settled();

    // Two colleagues' rounds in the same unit and week, so the week's figures are shown.
    for (const staff of ['UCOLLEAGUE1', 'UCOLLEAGUE2'])
      await seedRound(db(), {
        staff,
        unit: 'Reference',
        self: 7,
        customer: 6,
        completedAt: new Date('2026-11-17T12:00:00Z'),
      });

    // A service point the target added and owns, and one they own that a colleague added.
    const points = createServicePointsRepository({ db: db() });
    for (const [name, createdBy] of [
      ['Reference desk', TARGET],
      ['Map room', 'UCOLLEAGUE1'],
    ] as const)
      await points.add({
        name,
        unit: 'Reference',
        ownerUserId: TARGET,
        createdByUserId: createdBy,
        linkSalt: newSalt(),
        tokenHash: hashToken(newToken()),
        createdAt: new Date(NOW),
      });

    // The scheduler gives the open round its reminders. An invitation sent to the target months ago
    // holds their id in its key too.
    await app.radar.scheduler.tick(new Date(NOW));
    await db()
      .insert(reminders)
      .values({
        kind: 'cadence',
        recipientUserId: TARGET,
        dueAt: new Date('2026-06-01T09:00:00Z'),
        state: 'sent',
        sentAt: new Date('2026-06-01T09:00:00Z'),
        dedupeKey: `cadence:${TARGET}:${withCustomer.id}`,
      });
  }

  const weekDigest = async () => {
    const [committee] = await db().select().from(committees).where(eq(committees.channelId, COMMITTEE));
    if (!committee) throw new Error('no committee');
    return buildDigest({
      digests: createDigestsRepository({ db: db() }),
      committee,
      week: '2026-W47',
      libraryTimeZone: 'UTC',
      clock: fixedClock('2026-11-30T12:00:00Z'),
    });
  };
  const distinctStaff = async () =>
    rowsOf<{ n: number }>(
      await db().execute(sql`select count(distinct staff_user_id)::int as n from rounds`),
    )[0]?.n;

  it('leaves no row holding the person’s id, name or words; keeps the digest’s figures; records the erasure', async () => {
    await playHistory();
    // Everything is there to begin with, in the tables one would expect.
    const before = await findAnywhere(db(), [...GONE, ...Object.values(KEPT)]);
    for (const expected of [
      `rounds: ${TARGET}`,
      `round_responses: ${TARGET}`,
      `reminders: ${TARGET}`,
      `action_plans: ${TARGET}`,
      `plan_steps: ${TARGET}`,
      `plan_notes: ${TARGET}`,
      `committees: ${TARGET}`,
      `audit_log: ${TARGET}`,
      `staff_profiles: ${TARGET}`,
      `person_settings: ${TARGET}`,
      `slack_users: ${TARGET}`,
      `slack_users: ${TARGET_NAME}`,
      `service_points: ${TARGET}`,
      `best_practices: ${TARGET}`,
      `best_practices: ${TYPED.practiceWhat}`,
      `rounds: ${TARGET_NAME}`,
      `round_responses: ${RECORDED.needFromMe}`,
      `action_plans: ${TYPED.closeAsManager}`,
      `plan_notes: ${TYPED.noteAsManager}`,
    ])
      expect(before).toContain(expected);
    const pending = await db()
      .select()
      .from(reminders)
      .where(sql`${reminders.state} = 'pending' and ${reminders.recipientUserId} = ${TARGET}`);
    expect([...new Set(pending.map((row) => row.kind))].sort()).toEqual([
      'interview_due',
      'plan_checkin',
      'plan_remeasure',
    ]);
    const digestBefore = await weekDigest();
    expect(digestBefore.headline.rounds).toBe(5);
    const staffBefore = await distinctStaff();

    // A dry run: the counts, and not one row changed.
    const hashes = await rowHashes(db());
    const dry = await cli(getDb(), 'people', 'forget', TARGET, '--dry-run');
    expect(dry).toMatchObject({ code: 0, err: '' });
    expect(dry.out).toContain('Dry run: nothing changed');
    expect(await rowHashes(db())).toEqual(hashes);

    // The real run prints the same counts and records them.
    const real = await cli(getDb(), 'people', 'forget', TARGET);
    expect(real).toMatchObject({ code: 0, err: '' });
    const counts = parseCounts(real.out);
    expect(Object.keys(counts)).toEqual([...ERASURE_TABLES]);
    expect(parseCounts(dry.out)).toEqual(counts);
    expect(counts).toMatchObject({
      rounds: 4,
      round_responses: 3,
      action_plans: 2,
      plan_notes: 2,
      committees: 1,
      staff_profiles: 1,
      person_settings: 1,
      slack_users: 1,
      service_points: 2,
      best_practices: 1,
      audit_log: 1,
    });
    const audit = await db().select().from(erasures);
    expect(audit).toEqual([
      {
        id: expect.any(Number),
        kind: 'person',
        requestedBy: OPERATOR,
        changed: counts,
        createdAt: expect.any(Date),
      },
    ]);
    expect(real.out).toContain(`Recorded as erasure ${audit[0]?.id} (requested by ${OPERATOR})`);
    expect(JSON.stringify(audit)).not.toMatch(/UTARGET|MK-|forgotten/);
    // The audit log keeps what they did by their pseudonym, and has the erasure by the operator.
    const entries = await db().select().from(auditLog).orderBy(auditLog.id);
    expect(entries.map((entry) => [entry.kind, entry.actor])).toEqual([
      ['committee_subscribed', (await db().select().from(committees))[0]?.createdByUserId],
      ['erasure', `cli:${OPERATOR}`],
    ]);
    expect(entries[0]?.actor).toMatch(/^forgotten-/);
    expect(entries[1]?.rows).toBe(Object.values(counts).reduce((sum, count) => sum + count, 0));
    const listed = await cli(getDb(), 'erasures', 'list', '--json');
    expect(JSON.parse(listed.out)).toEqual([
      { id: audit[0]?.id, kind: 'person', requestedBy: OPERATOR, at: expect.any(String), changed: counts },
    ]);
    const table = await cli(getDb(), 'erasures', 'list');
    expect(table.out).toMatch(
      new RegExp(
        `person\\s+${OPERATOR}\\s+\\S+\\s+rounds 4, round_responses 3, reminders \\d+, action_plans 2`,
      ),
    );

    // No table holds the id, the name or a word of theirs (the audit row included)...
    expect(await findAnywhere(db(), GONE)).toEqual([]);
    // ...while other people's words and identities stay where they were.
    const kept = await findAnywhere(db(), [...Object.values(KEPT), CUSTOMER, 'Reference']);
    for (const expected of [
      `rounds: ${KEPT.outsideCustomer}`,
      `rounds: ${KEPT.otherService}`,
      `action_plans: ${KEPT.otherStrengths}`,
      `plan_steps: ${KEPT.otherStep}`,
      `rounds: ${CUSTOMER}`,
      `staff_profiles: Reference`,
    ])
      expect(kept).toContain(expected);

    // Their rounds count as one anonymous person, in their unit; the open one stopped.
    expect(await distinctStaff()).toBe(staffBefore);
    const pseudonyms = await db()
      .selectDistinct({ staff: rounds.staffUserId })
      .from(rounds)
      .where(sql`${rounds.staffUserId} like 'forgotten-%'`);
    expect(pseudonyms).toHaveLength(1);
    const pseudonym = pseudonyms[0]?.staff as string;
    expect(await db().select().from(staffProfiles).where(eq(staffProfiles.userId, pseudonym))).toMatchObject([
      { unit: 'Reference' },
    ]);
    const theirs = await db().select().from(rounds).where(eq(rounds.staffUserId, pseudonym));
    expect(theirs.map((round) => round.status).sort()).toEqual(['cancelled', 'completed', 'completed']);
    const asCustomer = await db().select().from(rounds).where(eq(rounds.staffUserId, OTHER));
    expect(asCustomer).toMatchObject([
      { customerUserId: null, customerKey: expect.stringMatching(/^forgotten:/) },
    ]);
    expect(asCustomer[0]?.customerKey.slice('forgotten:'.length)).toBe(pseudonym.slice('forgotten-'.length));

    // The digest of that week gives exactly the figures it gave. The one thing that moves is not a
    // figure of the week but what is still to come: the next check-in, which was the forgotten
    // person's, and their check-ins are cancelled.
    const digestAfter = await weekDigest();
    expect(digestBefore.followUps.plans.nextCheckin).not.toBeNull();
    expect(digestAfter.followUps.plans.nextCheckin).toBeNull();
    const withoutNext = (data: typeof digestBefore) => ({
      ...data,
      followUps: { ...data.followUps, plans: { ...data.followUps.plans, nextCheckin: 'not compared' } },
    });
    expect(withoutNext(digestAfter)).toEqual(withoutNext(digestBefore));

    // Nothing is pending for them, and nothing reaches them later.
    expect(
      await db()
        .select()
        .from(reminders)
        .where(
          sql`${reminders.state} = 'pending' and ${reminders.recipientUserId} in (${TARGET}, ${pseudonym})`,
        ),
    ).toEqual([]);
    const cancelled = await db()
      .select()
      .from(reminders)
      .where(
        inArray(
          reminders.id,
          pending.map((row) => row.id),
        ),
      );
    for (const row of cancelled)
      expect(row).toMatchObject({ state: 'cancelled', lastError: 'person_forgotten' });
    const mark = standIn.calls.length;
    await app.radar.scheduler.tick(new Date('2026-11-25T10:00:00Z'));
    await app.radar.scheduler.tick(new Date('2026-12-16T10:00:00Z'));
    // Past the cadence (90 days): quiet staff are invited to start a round, but not a pseudonym.
    await app.radar.scheduler.tick(new Date('2027-03-01T10:00:00Z'));
    await app.radar.scheduler.tick(new Date('2027-03-01T10:05:00Z'));
    const sentLater = standIn.calls.slice(mark).filter((call) => call.method === 'chat.postMessage');
    expect(JSON.stringify(sentLater.map((call) => call.args))).not.toMatch(/UTARGET|forgotten-/);
    const toPseudonym = await db().select().from(reminders).where(eq(reminders.recipientUserId, pseudonym));
    expect(toPseudonym.filter((row) => !['sent', 'cancelled'].includes(row.state))).toEqual([]);

    // Asked again, there is nothing left to forget: said so, exit 1, nothing written.
    const again = await cli(getDb(), 'people', 'forget', TARGET);
    expect(again.code).toBe(1);
    expect(again.err).toContain(`No row holds ${TARGET}: nothing to forget`);
    expect(await db().select().from(erasures)).toHaveLength(1);
  });

  it('refuses something that is not a user id, and changes nothing', async () => {
    const hashes = await rowHashes(db());
    const wrong = await cli(getDb(), 'people', 'forget', 'tess');
    expect(wrong.code).not.toBe(0);
    expect(wrong.err).toContain('expected a Slack user id such as U0123ABCD');
    expect(await rowHashes(db())).toEqual(hashes);
  });
});
