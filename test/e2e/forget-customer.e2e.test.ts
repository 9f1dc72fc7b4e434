import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { erasures, reminders, roundResponses, rounds } from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import { buildDigest } from '../../src/modules/digests/digests.build.js';
import { createDigestsRepository } from '../../src/modules/digests/digests.repository.js';
import { ERASED_TEXT } from '../../src/modules/erasure/erasure.content.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedCommittee, seedRound } from '../helpers/digests.js';
import { findAnywhere, rowHashes } from '../helpers/row-scan.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';
import { type Answers, responseState, roundFormState, walkThrough } from '../helpers/walk-through.js';

/**
 * `customers forget --name`, for a customer outside Slack. Two staff members typed the same patron's
 * name two ways ("Pat  Patron", "PAT PATRON"); the app knew them as one customer, and so does the
 * erasure, given a third spelling. Another patron, Robin, is left alone.
 */

const STAFF1 = 'USTAFFONE';
const STAFF2 = 'USTAFFTWO';
const OPERATOR = 'operator-ana';
const NOW = '2026-11-18T10:00:00Z';
const marker = (field: string) => `MK-${field}-y7`;
const PAT_ANSWERS: Answers = {
  needFromMe: marker('pat-need'),
  whyDependOnMe: marker('pat-why'),
  notAdequatelyProviding: marker('pat-not-providing'),
  concentrateOn: marker('pat-concentrate'),
  noLongerNeed: marker('pat-no-longer'),
  additionalComments: marker('pat-comments'),
};
const PAT_NOTES = [marker('note-about-pat-1'), marker('note-about-pat-2')];
const ROBIN_ANSWERS: Answers = {
  ...PAT_ANSWERS,
  needFromMe: marker('robin-need'),
  whyDependOnMe: marker('robin-why'),
  notAdequatelyProviding: marker('robin-not-providing'),
  concentrateOn: marker('robin-concentrate'),
  noLongerNeed: 'Nothing',
  additionalComments: marker('robin-comments'),
};

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

describeEachDatabase('customers forget', (getDb) => {
  let app: TestApp;
  const clock = fixedClock(NOW);
  const db = () => getDb().handle.db;
  const cli = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const code = await runCli(
      argv,
      { out: (text) => (out += text), err: (text) => (err += text) },
      { database: getDb().handle, env: { SUDO_USER: OPERATOR } },
    );
    return { code, out, err };
  };

  beforeEach(async () => {
    standIn.reset();
    standIn.addUser({ id: STAFF1, name: 'sam', tz: 'Europe/London' });
    standIn.addUser({ id: STAFF2, name: 'sky', tz: 'Europe/London' });
    app = await startTestApp({ database: getDb(), standIn, clock });
  });
  afterEach(() => app.stop());

  async function playHistory() {
    const walk = walkThrough(app, standIn, db);
    const start = async (staff: string, customerName: string, selfNote: string) => {
      const view = await walk.openRoundModal(staff);
      expect(
        (await walk.submit(staff, view, roundFormState({ customerName, service: 'Study rooms', selfNote })))
          .body,
      ).toBe('');
      await walk.settled();
      return walk.latestRound(staff);
    };
    const record = async (staff: string, roundId: number, answers: Answers) => {
      const view = await walk.openResponseModal(staff, roundId, `D${staff}`);
      expect((await walk.submit(staff, view, responseState(answers, '6'))).body).toBe('');
      await walk.settled();
    };
    const pat = await start(STAFF1, 'Pat  Patron', PAT_NOTES[0] as string);
    await record(STAFF1, pat.id, PAT_ANSWERS);
    const robin = await start(STAFF1, 'Robin Reader', marker('note-about-robin'));
    await record(STAFF1, robin.id, ROBIN_ANSWERS);
    // Still awaiting the interview with Pat: its reminder is pending.
    await start(STAFF2, 'PAT PATRON', PAT_NOTES[1] as string);
    // Colleagues in the same unit and week, so the week passes the digest's threshold of 3
    // different staff members and 3 different customers and its figures are published.
    for (const staff of ['UCOLLEAGUE', 'UCOLLEAGUE2', 'UCOLLEAGUE3'])
      await seedRound(db(), {
        staff,
        unit: 'Reference',
        self: 7,
        customer: 6,
        completedAt: new Date(NOW),
      });
    await app.radar.scheduler.tick(new Date(NOW));
  }

  it('erases the customer’s name, answers and the notes about them from every round, after a dry run; keeps the figures', async () => {
    await playHistory();
    const committee = await seedCommittee(db(), 'C0COMMITTEE', { timeZone: 'Europe/London' });
    const digest = () =>
      buildDigest({
        digests: createDigestsRepository({ db: db() }),
        committee,
        week: '2026-W47',
        libraryTimeZone: 'UTC',
        clock: fixedClock('2026-11-30T12:00:00Z'),
      });
    const digestBefore = await digest();
    expect(digestBefore.headline.rounds).toBe(5);
    const gone = ['Pat Patron', 'pat patron', ...Object.values(PAT_ANSWERS), ...PAT_NOTES];
    expect(await findAnywhere(db(), gone)).toContain(`rounds: pat patron`);
    const patRounds = await db()
      .select()
      .from(rounds)
      .where(eq(rounds.customerKey, 'name:pat patron'))
      .orderBy(rounds.id);
    expect(patRounds).toHaveLength(2);
    const open = patRounds.find((round) => round.status === 'awaiting_customer');
    const openReminders = await db()
      .select()
      .from(reminders)
      .where(sql`${reminders.roundId} = ${open?.id ?? 0} and ${reminders.state} = 'pending'`);
    expect(openReminders.length).toBeGreaterThan(0);

    const hashes = await rowHashes(db());
    const dry = await cli('customers', 'forget', '--name', '  pat   PATRON ', '--dry-run');
    expect(dry).toMatchObject({ code: 0, err: '' });
    expect(dry.out).toMatch(/^ {2}rounds\s+2$/m);
    expect(dry.out).toMatch(/^ {2}round_responses\s+1$/m);
    expect(await rowHashes(db())).toEqual(hashes);

    const real = await cli('customers', 'forget', '--name', '  pat   PATRON ');
    expect(real).toMatchObject({ code: 0, err: '' });
    expect(real.out.replace(/^.*\n/, '')).toContain(dry.out.split('\n').slice(1, 11).join('\n'));
    expect(real.out).not.toMatch(/pat/i);

    // Pat is nowhere: not the name (any spelling), not an answer, not a note about them.
    expect(await findAnywhere(db(), gone)).toEqual([]);
    // One pseudonym key for both rounds, so they still count as one customer; the open one stopped.
    const after = await db()
      .select()
      .from(rounds)
      .where(
        sql`${rounds.id} in (${sql.join(
          patRounds.map((round) => sql`${round.id}`),
          sql`, `,
        )})`,
      )
      .orderBy(rounds.id);
    expect(new Set(after.map((round) => round.customerKey)).size).toBe(1);
    expect(after[0]?.customerKey).toMatch(/^forgotten:[0-9a-f]+$/);
    for (const round of after) expect(round).toMatchObject({ customerName: ERASED_TEXT, selfNote: null });
    expect(after.map((round) => round.status).sort()).toEqual(['cancelled', 'completed']);
    for (const reminder of openReminders) {
      const [row] = await db().select().from(reminders).where(eq(reminders.id, reminder.id));
      expect(row).toMatchObject({ state: 'cancelled', lastError: 'person_forgotten' });
    }
    // The scores stay; Robin's round is untouched.
    const [score] = await db()
      .select()
      .from(roundResponses)
      .where(eq(roundResponses.roundId, patRounds[0]?.id ?? 0));
    expect(score?.customerScore).toBe(6);
    expect(await findAnywhere(db(), ['Robin Reader', ROBIN_ANSWERS.needFromMe])).toEqual([
      'round_responses: MK-robin-need-y7',
      'rounds: Robin Reader',
    ]);
    expect(await digest()).toEqual(digestBefore);

    const audit = await db().select().from(erasures);
    expect(audit).toEqual([
      {
        id: expect.any(Number),
        kind: 'outside_customer',
        requestedBy: OPERATOR,
        changed: expect.objectContaining({ rounds: 2, round_responses: 1 }),
        createdAt: expect.any(Date),
      },
    ]);
    expect(real.out).toContain(`Recorded as erasure ${audit[0]?.id} (requested by ${OPERATOR})`);
  });

  it('says so when no round has a customer by that name, exits 1 and changes nothing', async () => {
    await playHistory();
    const hashes = await rowHashes(db());
    for (const dryRun of [[], ['--dry-run']]) {
      const missing = await cli('customers', 'forget', '--name', 'Pat Patrons', ...dryRun);
      expect(missing.code).toBe(1);
      expect(missing.err).toContain('No round has an outside customer by that name: nothing to forget');
      expect(missing.out).toBe('');
    }
    const blank = await cli('customers', 'forget', '--name', '   ');
    expect(blank.code).not.toBe(0);
    expect(blank.err).toContain('expected the name as staff typed it');
    expect(await rowHashes(db())).toEqual(hashes);
  });
});
