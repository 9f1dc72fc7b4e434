import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/db/client.js';
import { startTestApp, TEST_BOT_TOKEN, type TestApp } from '../helpers/app-harness.js';
import {
  createTestDatabase,
  databaseKinds,
  describeEachDatabase,
  type TestDatabase,
} from '../helpers/database.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-tcp-proxy.js';
import { TEST_SIGNING_SECRET } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';
import {
  type Answers,
  closeState,
  committeeState,
  noteState,
  planState,
  responseState,
  roundFormState,
  walkThrough,
} from '../helpers/walk-through.js';

/**
 * The log at LOG_LEVEL=trace, after everything people type has gone through the app, carries none
 * of it: every field gets a marker no log line may hold, and so do the names Slack's users.info
 * gives and the tokens. Three runs: a whole round trip (command, form, the customer's answers, the
 * result, an outside customer, an action plan with a note and its close, a committee's units), an
 * insert the database refuses, and PostgreSQL going away as the answers are being stored.
 */

const STAFF = 'USTAFF';
const CUSTOMER = 'UCUST';
const MANAGER = 'UMANAGER';
const ADMIN = 'UADMIN';
const PLAN_CHANNEL = 'CPLANS';
const COMMITTEE_CHANNEL = 'C0COMMITTEE';

const marker = (field: string) => `MK-${field}-q8z`;
const NAMES = {
  staff: marker('staff-name'),
  customer: marker('customer-name'),
  manager: marker('manager-name'),
  admin: marker('admin-name'),
};
const answersFor = (tag: string): Answers => ({
  needFromMe: marker(`${tag}-need`),
  whyDependOnMe: marker(`${tag}-why`),
  notAdequatelyProviding: marker(`${tag}-not-providing`),
  concentrateOn: marker(`${tag}-concentrate`),
  noLongerNeed: marker(`${tag}-no-longer`),
  additionalComments: marker(`${tag}-comments`),
});
const TYPED = {
  service: marker('service'),
  unit: marker('unit'),
  selfNote: marker('self-note'),
  outsideCustomer: marker('outside-customer'),
  outsideService: marker('outside-service'),
  strengths: marker('plan-strengths'),
  improvements: marker('plan-improvements'),
  step: marker('plan-step'),
  successMeasure: marker('plan-measure'),
  note: marker('plan-note'),
  closeNote: marker('close-note'),
  committeeUnits: marker('committee-units'),
};
const SECRETS = [TEST_BOT_TOKEN, TEST_SIGNING_SECRET];

/** Every marker and secret the log holds; the tests expect none. */
function leaks(log: string, extra: readonly string[] = []): string[] {
  const words = [
    ...Object.values(NAMES),
    ...Object.values(TYPED),
    ...Object.values(answersFor('round')),
    ...extra,
    ...SECRETS,
  ];
  return words.filter((word) => log.includes(word));
}

function addPeople(standIn: SlackStandIn) {
  standIn.addUser({ id: STAFF, name: 'sam', real_name: NAMES.staff, tz: 'Europe/London' });
  standIn.addUser({ id: CUSTOMER, name: 'casey', real_name: NAMES.customer, tz: 'Europe/London' });
  standIn.addUser({
    id: MANAGER,
    name: 'morgan',
    real_name: NAMES.manager,
    tz: 'Europe/London',
    is_admin: true,
  });
  standIn.addUser({ id: ADMIN, name: 'ada', real_name: NAMES.admin, tz: 'Europe/London', is_admin: true });
}

function report(name: string, facts: Record<string, unknown>) {
  if (process.env.FAULT_REPORT) console.info(name, facts);
}

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

describeEachDatabase('the log at trace level', (getDb) => {
  let app: TestApp;
  const db = () => getDb().handle.db;
  beforeEach(async () => {
    standIn.reset();
    addPeople(standIn);
    app = await startTestApp({ database: getDb(), standIn, env: { LOG_LEVEL: 'trace' } });
  });
  afterEach(() => app.stop());

  it('holds no one’s words, names or tokens after a whole round trip, a plan and a committee', async () => {
    const walk = walkThrough(app, standIn, db);

    // A round with a customer in Slack, answered, and its result sent to the staff member.
    const form = await walk.openRoundModal(STAFF);
    const started = await walk.submit(
      STAFF,
      form,
      roundFormState({
        customerUserId: CUSTOMER,
        service: TYPED.service,
        unit: TYPED.unit,
        selfNote: TYPED.selfNote,
      }),
    );
    expect(started.body).toBe('');
    const round = await walk.latestRound(STAFF);
    await standIn.waitForCall('chat.postMessage', (c) => c.args.channel === CUSTOMER);
    const answering = await walk.openResponseModal(CUSTOMER, round.id, `D${CUSTOMER}`);
    expect(
      (await walk.submit(CUSTOMER, answering, responseState(answersFor('round'), '4', { share: true }))).body,
    ).toBe('');
    const result = await standIn.waitForCall(
      'chat.postMessage',
      (c) =>
        c.args.channel === STAFF && JSON.stringify(c.args.blocks).includes(answersFor('round').needFromMe),
    );
    // The words did travel, to Slack: only the log must not have them.
    expect(JSON.stringify(result.args)).toContain(TYPED.service);

    // An outside customer, typed by name.
    const outside = await walk.openRoundModal(STAFF);
    expect(
      (
        await walk.submit(
          STAFF,
          outside,
          roundFormState({ customerName: TYPED.outsideCustomer, service: TYPED.outsideService }),
        )
      ).body,
    ).toBe('');
    await standIn.waitForCall('chat.postMessage', (c) =>
      JSON.stringify(c.args).includes(TYPED.outsideCustomer),
    );

    // An action plan: written, a note, closed with a note.
    const planId = await walk.openPlan(MANAGER, STAFF, PLAN_CHANNEL);
    const writing = await walk.openPlanModal(STAFF, 'write', planId, PLAN_CHANNEL);
    const plan = planState(
      {
        strengths: TYPED.strengths,
        improvements: TYPED.improvements,
        steps: `- ${TYPED.step}`,
        successMeasure: TYPED.successMeasure,
      },
      { share: true },
    );
    expect((await walk.submit(STAFF, writing, plan)).body).toBe('');
    await standIn.waitForCall('chat.postMessage', (c) => JSON.stringify(c.args).includes(TYPED.step));
    const noting = await walk.openPlanModal(MANAGER, 'addNote', planId, PLAN_CHANNEL);
    expect((await walk.submit(MANAGER, noting, noteState(TYPED.note))).body).toBe('');
    await standIn.waitForCall('chat.postMessage', (c) => JSON.stringify(c.args).includes(TYPED.note));
    const closing = await walk.openPlanModal(STAFF, 'close', planId, PLAN_CHANNEL);
    expect((await walk.submit(STAFF, closing, closeState(TYPED.closeNote))).body).toBe('');
    await standIn.waitForCall('chat.postMessage', (c) => String(c.args.text).includes('Plan closed'));

    // A committee covering typed units.
    const settings = await walk.openCommitteeModal(ADMIN, COMMITTEE_CHANNEL);
    expect(
      (await walk.submit(ADMIN, settings, committeeState({ units: `${TYPED.committeeUnits}, Reference` })))
        .body,
    ).toBe('');
    await standIn.waitForCall('chat.postMessage', (c) => c.args.channel === COMMITTEE_CHANNEL);
    await walk.settled();

    const log = app.logs.text;
    // The log did record all this, down to the Web API calls.
    expect(log).toContain('"level":20');
    expect(log).toContain("apiCall('chat.postMessage') start");
    expect(log).toContain('round completed');
    report('log scan: round trip at trace', {
      sent: 'a round answered, an outside customer, a plan with a note and a close, committee units',
      answered: `${app.logs.lines.length} log lines`,
      lost: `${leaks(log).length} markers or tokens found in the log`,
    });
    expect(leaks(log)).toEqual([]);
  });

  it('holds no one’s words when the database refuses the insert, only its code and constraint', async () => {
    const walk = walkThrough(app, standIn, db);
    // A constraint the app does not expect: PostgreSQL's detail for it quotes the whole row, and
    // drizzle's message lists every parameter.
    await db().execute(
      sql`alter table round_responses add constraint log_scan_refuses check (position('REFUSE' in need_from_me) = 0)`,
    );
    try {
      const form = await walk.openRoundModal(STAFF);
      const started = await walk.submit(
        STAFF,
        form,
        roundFormState({ customerUserId: CUSTOMER, service: TYPED.service, unit: TYPED.unit }),
      );
      expect(started.body).toBe('');
      const round = await walk.latestRound(STAFF);
      const answering = await walk.openResponseModal(CUSTOMER, round.id, `D${CUSTOMER}`);
      const refused = answersFor('refused');
      refused.needFromMe = `REFUSE ${refused.needFromMe}`;
      const answered = await walk.submit(CUSTOMER, answering, responseState(refused));
      expect(answered.json?.response_action).toBe('errors');
      await walk.settled();

      const log = app.logs.text;
      const failure = app.logs.lines.find((line) => line.includes('could not record a response'));
      expect(failure).toBeDefined();
      expect(JSON.parse(failure as string)).toMatchObject({
        level: 50,
        round: round.id,
        err: { cause: { code: '23514', constraint: 'log_scan_refuses', table: 'round_responses' } },
      });
      const lost = leaks(log, Object.values(answersFor('refused')));
      report('log scan: an insert the database refuses', {
        sent: 'six answers, one breaking a constraint the app does not know',
        answered: `${answered.json?.response_action}; logged ${failure ? 'SQLSTATE 23514 and the constraint' : 'nothing'}`,
        lost: `${lost.length} markers or tokens found in the log`,
      });
      expect(lost).toEqual([]);
    } finally {
      await db().execute(sql`alter table round_responses drop constraint log_scan_refuses`);
    }
  });
});

// PGlite runs inside the app's process and cannot lose its connection: PostgreSQL only.
for (const kind of databaseKinds().filter((k) => k === 'postgres'))
  describe(`the log at trace level, when PostgreSQL goes mid-insert [${kind}]`, () => {
    let database: TestDatabase;
    let proxy: FaultProxy;
    let appHandle: DatabaseHandle;
    let app: TestApp;
    beforeAll(async () => {
      database = await createTestDatabase('postgres');
      proxy = await startFaultProxy(database.url as string);
      appHandle = await openDatabase({ databaseUrl: proxy.url, poolSize: 2 });
    });
    afterAll(async () => {
      await app?.stop();
      await appHandle?.close().catch(() => undefined);
      await proxy?.close();
      await database?.close();
    });

    it('holds no one’s words from the statements the outage broke', async () => {
      standIn.reset();
      addPeople(standIn);
      app = await startTestApp({
        database: { ...database, handle: appHandle },
        standIn,
        env: { LOG_LEVEL: 'trace' },
      });
      const walk = walkThrough(app, standIn, () => database.handle.db);
      const form = await walk.openRoundModal(STAFF);
      expect(
        (await walk.submit(STAFF, form, roundFormState({ customerUserId: CUSTOMER, service: TYPED.service })))
          .body,
      ).toBe('');
      const round = await walk.latestRound(STAFF);
      const answering = await walk.openResponseModal(CUSTOMER, round.id, `D${CUSTOMER}`);
      const lostAnswers = answersFor('outage');
      // The connection drops just as the insert carrying the answers is on its way to the server.
      const cut = proxy.cutWhenSent(lostAnswers.whyDependOnMe);
      const answered = await walk.submit(CUSTOMER, answering, responseState(lostAnswers));
      await cut;
      expect(answered.status).toBe(200);
      expect(answered.json?.response_action).toBe('errors');
      await walk.settled();

      const failure = app.logs.lines.find((line) => line.includes('could not record a response'));
      expect(failure).toBeDefined();
      expect(JSON.stringify(JSON.parse(failure as string).err)).toMatch(/"code":"[A-Z_0-9]+"/);

      // Again for a plan's note, stored by a single insert outside any transaction.
      const lostNote = marker('outage-note');
      const planId = await walk.openPlan(MANAGER, STAFF, PLAN_CHANNEL);
      const noting = await walk.openPlanModal(MANAGER, 'addNote', planId, PLAN_CHANNEL);
      const noteCut = proxy.cutWhenSent(lostNote);
      const noted = await walk.submit(MANAGER, noting, noteState(lostNote));
      await noteCut;
      expect(noted.json?.response_action).toBe('errors');
      await walk.settled();
      const noteFailure = app.logs.lines.find((line) => line.includes('could not add a note'));
      expect(noteFailure).toBeDefined();
      expect(JSON.stringify(JSON.parse(noteFailure as string).err)).toMatch(/"code":"[A-Z_0-9]+"/);

      const lost = leaks(app.logs.text, [...Object.values(lostAnswers), lostNote]);
      report('log scan: PostgreSQL cut as the answers, then a note, are inserted', {
        sent: 'six answers, then a plan note; the connection cut as each insert was sent',
        answered: `${answered.json?.response_action}, ${noted.json?.response_action}; both logged by code`,
        lost: `${lost.length} markers or tokens found in the log`,
      });
      expect(lost).toEqual([]);
    });
  });
