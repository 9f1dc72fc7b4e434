import { asc, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import {
  actionPlans,
  bestPractices,
  committees,
  planNotes,
  planSteps,
  roundResponses,
  rounds,
} from '../../src/db/schema.js';
import { ROUND_MODAL } from '../../src/modules/rounds/rounds.views.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import {
  cleanLine,
  cleanParagraph,
  hasControlCharacter,
  hostile,
  PDF,
  RLO,
} from '../helpers/hostile-text.js';
import type { PostResult } from '../helpers/slack-requests.js';
import { plainInput, staticSelect } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';
import {
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
 * A NUL, terminal escapes, a C1 control and an open bidi override in every text field of every
 * modal, through signed HTTP. PostgreSQL refuses NUL in text, so this used to fail the insert and
 * answer "please press the button again", which could never succeed. The rule now: control
 * characters are removed where Slack input is read (and again by the modules' own cleaning), the
 * words are stored, and a bidi override is closed at the end of its line.
 */

const STAFF = 'USTAFF';
const CUSTOMER = 'UCUST';
const MANAGER = 'UMANAGER';
const ADMIN = 'UADMIN';
const PLAN_CHANNEL = 'CPLANS';
const COMMITTEE_CHANNEL = 'C0COMMITTEE';
const CLOSED_LINE = `${RLO}x${PDF}`;

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

describeEachDatabase('control characters in every text field', (getDb) => {
  let app: TestApp;
  const db = () => getDb().handle.db;
  const answers: PostResult[] = [];
  beforeEach(async () => {
    standIn.reset();
    standIn.addUser({ id: STAFF, name: 'sam', tz: 'Europe/London' });
    standIn.addUser({ id: CUSTOMER, name: 'casey', tz: 'Europe/London' });
    standIn.addUser({ id: MANAGER, name: 'morgan', tz: 'Europe/London', is_admin: true });
    standIn.addUser({ id: ADMIN, name: 'ada', tz: 'Europe/London', is_admin: true });
    app = await startTestApp({ database: getDb(), standIn });
    answers.length = 0;
  });
  afterEach(() => app.stop());

  /** Submits and expects the form accepted: no error on any field, and never "press again". */
  const accepted = async (result: Promise<PostResult>) => {
    const answer = await result;
    answers.push(answer);
    expect(answer.body).not.toContain('press the button again');
    expect(answer.body).toBe('');
  };

  /** Every row of every table, as PostgreSQL prints it: none may hold a control character. */
  async function rowsWithControlCharacters(): Promise<string[]> {
    const tables = rowsOf<{ tablename: string }>(
      await db().execute(sql`select tablename from pg_tables where schemaname = 'public'`),
    ).map((row) => row.tablename);
    const found: string[] = [];
    for (const table of tables) {
      const rows = rowsOf<{ row: string }>(
        await db().execute(sql.raw(`select t::text as row from "${table}" t`)),
      );
      for (const { row } of rows)
        if (hasControlCharacter(row)) found.push(`${table}: ${JSON.stringify(row)}`);
    }
    return found;
  }

  it('stores the words without them, in every modal, and never asks to press again', async () => {
    const walk = walkThrough(app, standIn, db);

    // The round form: an outside customer's name, the service, the unit, the note.
    await accepted(
      walk.openRoundModal(STAFF).then((view) =>
        walk.submit(
          STAFF,
          view,
          roundFormState({
            customerName: hostile('Pat'),
            service: hostile('Loans'),
            unit: hostile('Reference'),
            selfNote: hostile('I answer fast'),
          }),
        ),
      ),
    );
    const [outside] = await db().select().from(rounds);
    expect(outside).toMatchObject({
      customerName: cleanLine('Pat'),
      service: cleanLine('Loans'),
      unit: cleanLine('Reference'),
      selfNote: cleanParagraph('I answer fast'),
    });

    // An earlier service picked from the select: its value is ours unless forged, as here.
    const picked = roundFormState({ customerUserId: CUSTOMER, service: '' });
    picked[ROUND_MODAL.blocks.newService] = { [ROUND_MODAL.actionId]: plainInput(null) };
    picked[ROUND_MODAL.blocks.previousService] = {
      [ROUND_MODAL.actionId]: staticSelect(hostile('Reading lists')),
    };
    await accepted(walk.openRoundModal(STAFF).then((view) => walk.submit(STAFF, view, picked)));
    const round = await walk.latestRound(STAFF);
    expect(round.service).toBe(cleanLine('Reading lists'));

    // The customer's six answers.
    await standIn.waitForCall('chat.postMessage', (c) => c.args.channel === CUSTOMER);
    const typedAnswers = {
      needFromMe: hostile('need'),
      whyDependOnMe: hostile('why'),
      notAdequatelyProviding: hostile('not providing'),
      concentrateOn: hostile('concentrate'),
      noLongerNeed: hostile('no longer'),
      additionalComments: hostile('comments'),
    };
    await accepted(
      walk
        .openResponseModal(CUSTOMER, round.id, `D${CUSTOMER}`)
        .then((view) => walk.submit(CUSTOMER, view, responseState(typedAnswers, '4', { share: true }))),
    );
    const [response] = await db().select().from(roundResponses);
    expect(response).toMatchObject({
      needFromMe: cleanParagraph('need'),
      whyDependOnMe: cleanParagraph('why'),
      notAdequatelyProviding: cleanParagraph('not providing'),
      concentrateOn: cleanParagraph('concentrate'),
      noLongerNeed: cleanParagraph('no longer'),
      additionalComments: cleanParagraph('comments'),
    });

    // A best practice: what they do, why it works, the service, the unit.
    await accepted(
      walk.openPracticeModal(STAFF).then((view) =>
        walk.submit(
          STAFF,
          view,
          practiceState({
            whatYouDo: hostile('call back'),
            whyItWorks: hostile('no waiting'),
            service: hostile('Loans'),
            unit: hostile('Reference'),
          }),
        ),
      ),
    );
    const [practice] = await db().select().from(bestPractices);
    expect(practice).toMatchObject({
      whatYouDo: cleanParagraph('call back'),
      whyItWorks: cleanParagraph('no waiting'),
      service: cleanLine('Loans'),
      unit: cleanLine('Reference'),
    });

    // The action plan: its four prompts, then a note, then the closing note.
    const planId = await walk.openPlan(MANAGER, STAFF, PLAN_CHANNEL);
    await accepted(
      walk.openPlanModal(STAFF, 'write', planId, PLAN_CHANNEL).then((view) =>
        walk.submit(
          STAFF,
          view,
          planState(
            {
              strengths: hostile('strengths'),
              improvements: hostile('improvements'),
              steps: `- ${hostile('reply in a day')}`,
              successMeasure: hostile('fewer emails'),
            },
            { share: true },
          ),
        ),
      ),
    );
    const [plan] = await db().select().from(actionPlans);
    expect(plan).toMatchObject({
      strengths: cleanParagraph('strengths'),
      improvements: cleanParagraph('improvements'),
      successMeasure: cleanParagraph('fewer emails'),
    });
    // The NEL inside the hostile text is a line break, and steps are one per line.
    const steps = await db().select().from(planSteps).orderBy(asc(planSteps.position));
    expect(steps.map((step) => step.text)).toEqual(['reply in a day', CLOSED_LINE]);
    await walk.settled();

    await accepted(
      walk
        .openPlanModal(MANAGER, 'addNote', planId, PLAN_CHANNEL)
        .then((view) => walk.submit(MANAGER, view, noteState(hostile('good progress')))),
    );
    const [note] = await db().select().from(planNotes);
    expect(note?.text).toBe(cleanParagraph('good progress'));
    await accepted(
      walk
        .openPlanModal(STAFF, 'close', planId, PLAN_CHANNEL)
        .then((view) => walk.submit(STAFF, view, closeState(hostile('emails halved')))),
    );
    const [closed] = await db().select().from(actionPlans);
    expect(closed).toMatchObject({ state: 'closed', outcomeNote: cleanParagraph('emails halved') });

    // The committee settings: the units and the time zone.
    await accepted(
      walk.openCommitteeModal(ADMIN, COMMITTEE_CHANNEL).then((view) =>
        walk.submit(
          ADMIN,
          view,
          committeeState({
            units: `${hostile('Branch')}, Reference`,
            timeZone: 'Europe/\u0000London\u001b[0m',
          }),
        ),
      ),
    );
    const [committee] = await db().select().from(committees);
    // Units are one per line or comma, so the NEL starts another one.
    expect(committee).toMatchObject({
      units: ['Branch', CLOSED_LINE, 'Reference'],
      timeZone: 'Europe/London',
    });
    await walk.settled();

    const found = await rowsWithControlCharacters();
    if (process.env.FAULT_REPORT)
      console.info('control characters in every text field', {
        sent: `NUL, ESC/CSI/OSC, C1 and an open RLO in ${answers.length} forms (round x2, response, plan, note, close, committee)`,
        answered: answers.map((answer) => (answer.body === '' ? 'accepted' : answer.body)).join(', '),
        lost: `${found.length} stored rows with a control character; the words themselves kept`,
      });
    expect(found).toEqual([]);
  });
});
