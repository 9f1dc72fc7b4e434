import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import {
  actionPlans,
  bestPractices,
  personSettings,
  reminders,
  rounds,
  slackEvents,
} from '../../src/db/schema.js';
import { HOME_ACTIONS } from '../../src/modules/home/home.views.js';
import { REMINDER_ACTIONS } from '../../src/modules/reminders/reminders.views.js';
import { ROUND_ACTIONS } from '../../src/modules/rounds/rounds.views.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectWithinBlockKitLimits } from '../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedCommittee, seedRound as seedHistory } from '../helpers/digests.js';
import { seedRound } from '../helpers/reminders.js';
import { blockAction, homeOpened } from '../helpers/slack-requests.js';
import { type RecordedCall, type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';
import { responseState, walkThrough } from '../helpers/walk-through.js';

const STAFF = 'USTAFF';
const CUSTOMER = 'UCUST';
const MANAGER = 'UMGR';
const ADMIN = 'UADMIN';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);

/** The Home views published for a person, in order. */
const publishedFor = (userId: string): RecordedCall[] =>
  standIn.callsTo('views.publish').filter((call) => call.args.user_id === userId);
const homeText = (call: RecordedCall | undefined) => JSON.stringify(call?.args.view ?? {});

describeEachDatabase('the Home tab end to end', (getDb) => {
  let app: TestApp;
  const db = () => getDb().handle.db;
  let eventSeq = 0;

  beforeEach(async () => {
    standIn.reset();
    standIn.addUser({ id: STAFF, name: 'sam', real_name: 'Sam Staff', tz: 'UTC' });
    standIn.addUser({ id: CUSTOMER, name: 'casey', real_name: 'Casey Customer', tz: 'UTC' });
    standIn.addUser({ id: MANAGER, name: 'morgan', real_name: 'Morgan Manager', tz: 'UTC' });
    standIn.addUser({ id: ADMIN, name: 'alex', real_name: 'Alex Admin', tz: 'UTC' });
    app = await startTestApp({
      database: getDb(),
      standIn,
      env: { MANAGER_USER_IDS: MANAGER, ADMIN_USER_IDS: ADMIN, CADENCE_DAYS: '90' },
      overrides: { homeRepublishMs: 1_500 },
    });
  });
  afterEach(async () => {
    await app.stop();
  });

  const opened = (userId: string, eventId = `EvHOME${++eventSeq}`, headers: Record<string, string> = {}) =>
    app.send(homeOpened(userId, eventId), { headers });
  const settled = () => expect.poll(() => app.radar.slack.inFlight.size, { timeout: 5_000 }).toBe(0);

  it('shows a staff member their open rounds, their gap over time and their plans, as the database says', async () => {
    const slackRound = await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: CUSTOMER,
      createdAt: daysAgo(2),
      service: 'Interlibrary loans',
    });
    const outside = await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: null,
      customerName: 'Pat <Patron>',
      createdAt: daysAgo(1),
      service: 'Local history',
    });
    for (const [self, customer, ago] of [
      [8, 5, 200],
      [7, 7, 100],
      [6, 9, 10],
    ] as const)
      await seedHistory(db(), { staff: STAFF, unit: 'Reference', self, customer, completedAt: daysAgo(ago) });
    // An old round, beyond the year, is not in the chart.
    await seedHistory(db(), {
      staff: STAFF,
      unit: 'Reference',
      self: 1,
      customer: 10,
      completedAt: daysAgo(400),
    });

    expect((await opened(STAFF)).status).toBe(200);
    await settled();
    const [home] = publishedFor(STAFF);
    expect(home).toBeDefined();
    expect(home?.violations ?? []).toEqual([]);
    expectWithinBlockKitLimits('home', home?.args.view);
    const text = homeText(home);
    expect(text).toContain('Your open rounds');
    expect(text).toContain('Interlibrary loans');
    expect(text).toContain('Pat <Patron>');
    // Buttons for each open round: ask again a Slack customer, record an outside one, cancel either.
    const buttons = (
      (home?.args.view.blocks ?? []) as { type: string; elements?: { action_id: string; value: string }[] }[]
    )
      .filter((block) => block.type === 'actions')
      .flatMap((block) => block.elements ?? [])
      .map((element) => `${element.action_id}:${element.value}`);
    expect(buttons).toEqual(
      expect.arrayContaining([
        `${HOME_ACTIONS.askAgain}:${slackRound.id}`,
        `${REMINDER_ACTIONS.cancelRound}:${slackRound.id}`,
        `${ROUND_ACTIONS.answer}:${outside.id}`,
        `${REMINDER_ACTIONS.cancelRound}:${outside.id}`,
        `${HOME_ACTIONS.planForMe}:me`,
      ]),
    );
    // The chart: three rounds of the last year, self 8, 7, 6 and customer 5, 7, 9; its takeaway in words.
    const chart = (
      (home?.args.view.blocks ?? []) as {
        type: string;
        chart?: { series: { data: { value: number }[] }[] };
      }[]
    ).find((block) => block.type === 'data_visualization');
    expect(chart?.chart?.series.map((series) => series.data.map((point) => point.value))).toEqual([
      [8, 7, 6],
      [5, 7, 9],
    ]);
    expect(text).toContain('Over 3 answered rounds in the last year');
    expect(text).not.toContain('For admins');
  });

  it('shows a customer the request waiting for their answer, with its button', async () => {
    const round = await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: CUSTOMER,
      createdAt: daysAgo(3),
      service: 'Study rooms',
    });
    await opened(CUSTOMER);
    await settled();
    const [home] = publishedFor(CUSTOMER);
    expectWithinBlockKitLimits('home', home?.args.view);
    const text = homeText(home);
    expect(text).toContain('Waiting for you');
    expect(text).toContain('Study rooms');
    expect(text).toContain(`"value":"${round.id}"`);
    expect(text).toContain(ROUND_ACTIONS.answer);
  });

  it('shows an admin the committees, who has not started a round and who muted reminders; nobody else sees them', async () => {
    await seedCommittee(db(), 'CCOMMITTEE');
    await seedHistory(db(), {
      staff: 'UQUIET',
      unit: 'Circulation',
      self: 7,
      customer: 7,
      completedAt: daysAgo(120),
    });
    await seedHistory(db(), {
      staff: 'UBUSY',
      unit: 'Circulation',
      self: 7,
      customer: 7,
      completedAt: daysAgo(5),
    });
    await db()
      .insert(personSettings)
      .values({ userId: 'UMUTED', mutedUntil: new Date(Date.now() + 5 * DAY) });

    await opened(ADMIN);
    await opened(STAFF);
    await settled();
    const admin = homeText(publishedFor(ADMIN)[0]);
    expect(admin).toContain('For admins');
    expect(admin).toContain('CCOMMITTEE');
    expect(admin).toContain('UQUIET');
    expect(admin).not.toContain('UBUSY');
    expect(admin).toContain('UMUTED');
    const staff = homeText(publishedFor(STAFF)[0]);
    expect(staff).not.toContain('For admins');
    expect(staff).not.toContain('UMUTED');
    expect(staff).not.toContain('UQUIET');
  });

  it('shows a manager the plans they manage, with the next check-in', async () => {
    const [plan] = await db()
      .insert(actionPlans)
      .values({
        staffUserId: STAFF,
        managerUserId: MANAGER,
        channelId: 'GPLAN',
        threadTs: '1700000000.000200',
        state: 'active',
        checkinEveryDays: 14,
        remeasureOn: '2027-03-01',
        writtenAt: new Date(),
      })
      .returning();
    const due = new Date(Date.now() + 3 * DAY);
    await db()
      .insert(reminders)
      .values({
        kind: 'plan_checkin',
        planId: plan?.id,
        recipientUserId: STAFF,
        dueAt: due,
        dedupeKey: `plan_checkin:${plan?.id}:1`,
      });
    await opened(MANAGER);
    await settled();
    const text = homeText(publishedFor(MANAGER)[0]);
    expect(text).toContain(`plan ${plan?.id}`);
    expect(text).toContain(`next check-in ${due.toISOString().slice(0, 10)}`);
    expect(text).toContain('re-measure on 2027-03-01');
  });

  it('publishes once for a retried event, and once for twenty changes inside the window', async () => {
    expect((await opened(STAFF, 'EvRETRIED')).status).toBe(200);
    expect(
      (await opened(STAFF, 'EvRETRIED', { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' }))
        .status,
    ).toBe(200);
    await settled();
    expect(publishedFor(STAFF)).toHaveLength(1);
    expect(await db().select().from(slackEvents).where(eq(slackEvents.eventId, 'EvRETRIED'))).toHaveLength(1);

    // Twenty changes right after a publish: one more publish, when the window has passed.
    for (let i = 0; i < 20; i++) app.radar.dependencies.listeners.home.refresh.changed([STAFF]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(publishedFor(STAFF)).toHaveLength(1);
    await expect.poll(() => publishedFor(STAFF).length, { timeout: 5_000 }).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(publishedFor(STAFF)).toHaveLength(2);
  });

  it('builds and sends nothing for a Home nobody has opened; once opened, changes republish it', async () => {
    // Changes for both, before either has opened the app's Home: nothing is built or sent.
    app.radar.dependencies.listeners.home.refresh.changed([STAFF, CUSTOMER]);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await settled();
    expect(standIn.callsTo('views.publish')).toEqual([]);
    expect(await db().select().from(personSettings)).toEqual([]);
    // The staff member opens theirs: it is published, remembered, and republished after a change.
    await opened(STAFF);
    await settled();
    expect(publishedFor(STAFF)).toHaveLength(1);
    const [remembered] = await db().select().from(personSettings).where(eq(personSettings.userId, STAFF));
    expect(remembered?.homeOpenedAt).toBeInstanceOf(Date);
    app.radar.dependencies.listeners.home.refresh.changed([STAFF, CUSTOMER]);
    await expect.poll(() => publishedFor(STAFF).length, { timeout: 5_000 }).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(publishedFor(CUSTOMER)).toEqual([]);
  });

  it('republishes after a change: a round cancelled from the Home is gone from it', async () => {
    const round = await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: CUSTOMER,
      createdAt: daysAgo(2),
      service: 'Maps',
    });
    await opened(STAFF);
    await settled();
    expect(homeText(publishedFor(STAFF)[0])).toContain('Maps');
    const clicked = await app.send({
      kind: 'interactive',
      payload: blockAction({
        userId: STAFF,
        actionId: REMINDER_ACTIONS.cancelRound,
        value: String(round.id),
        container: { type: 'view', view_id: 'VHOME' },
        view: { id: 'VHOME', type: 'home', callback_id: '', private_metadata: '', state_values: {} } as never,
      }),
    });
    expect(clicked.status).toBe(200);
    await expect.poll(() => publishedFor(STAFF).length, { timeout: 5_000 }).toBe(2);
    expect(homeText(publishedFor(STAFF)[1])).not.toContain('Maps');
    const [stored] = await db().select().from(rounds).where(eq(rounds.id, round.id));
    expect(stored?.status).toBe('cancelled');
  });

  it('ignores a malformed app_home_opened without publishing, recording or logging what it carried', async () => {
    const body = (event: Record<string, unknown>, eventId?: string) => ({
      token: 'legacy-verification-token',
      team_id: 'T1',
      api_app_id: 'A1',
      event,
      type: 'event_callback',
      ...(eventId ? { event_id: eventId } : {}),
      event_time: Math.floor(Date.now() / 1000),
    });
    for (const malformed of [
      body({ type: 'app_home_opened', tab: 'home' }, 'EvNOUSER'),
      body({ type: 'app_home_opened', user: 'not-a-user-MARKER', tab: 'home' }, 'EvBADUSER'),
      body({ type: 'app_home_opened', user: STAFF, tab: 'home' }),
    ]) {
      const sent = await app.send({ kind: 'event', body: malformed });
      expect(sent.status).toBe(200);
    }
    // The Messages tab needs nothing.
    expect(
      (
        await app.send({
          kind: 'event',
          body: body({ type: 'app_home_opened', user: STAFF, tab: 'messages' }, 'EvMSGTAB'),
        })
      ).status,
    ).toBe(200);
    await settled();
    expect(standIn.callsTo('views.publish')).toEqual([]);
    expect(
      (await db().select().from(slackEvents)).map((row) => row.eventId).filter((id) => id !== 'EvMSGTAB'),
    ).toEqual([]);
    expect(app.logs.text).not.toContain('MARKER');
  });

  it('refuses Ask again on someone else’s round from the Home, and schedules nothing', async () => {
    const theirs = await seedRound(db(), {
      staffUserId: 'UOTHERSTAFF',
      customerUserId: CUSTOMER,
      createdAt: daysAgo(2),
      service: 'Not yours',
    });
    const before = await db().select().from(reminders);
    const clicked = await app.send({
      kind: 'interactive',
      payload: blockAction({
        userId: STAFF,
        actionId: HOME_ACTIONS.askAgain,
        value: String(theirs.id),
        container: { type: 'view', view_id: 'VHOME' },
        view: { id: 'VHOME', type: 'home', callback_id: '', private_metadata: '', state_values: {} } as never,
      }),
    });
    expect(clicked.status).toBe(200);
    const notice = await standIn.waitForCall('views.open');
    expect(JSON.stringify(notice.args.view)).toContain('Nothing changed');
    await settled();
    expect(await db().select().from(reminders)).toEqual(before);
  });

  it('republishes both Homes when the customer answers: gone from Waiting and from open rounds, a point on the chart', async () => {
    const round = await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: CUSTOMER,
      createdAt: daysAgo(2),
      service: 'Reading lists',
    });
    await opened(STAFF);
    await opened(CUSTOMER);
    await settled();
    expect(homeText(publishedFor(STAFF)[0])).toContain('Reading lists');
    expect(homeText(publishedFor(CUSTOMER)[0])).toContain('Waiting for you');
    const walk = walkThrough(app, standIn, db);
    const form = await walk.openResponseModal(CUSTOMER, round.id, 'DCUST');
    const answered = await walk.submit(
      CUSTOMER,
      form,
      responseState(
        {
          needFromMe: 'Lists on time.',
          whyDependOnMe: 'You make them.',
          notAdequatelyProviding: 'Nothing.',
          concentrateOn: 'Speed.',
          noLongerNeed: 'Paper.',
          additionalComments: '',
        },
        '9',
      ),
    );
    expect(answered.body).toBe('');
    await expect.poll(() => publishedFor(STAFF).length, { timeout: 5_000 }).toBe(2);
    await expect.poll(() => publishedFor(CUSTOMER).length, { timeout: 5_000 }).toBe(2);
    const staffHome = homeText(publishedFor(STAFF)[1]);
    expect(staffHome).not.toContain('asks for your view');
    expect(staffHome).toContain('data_visualization');
    expect(staffHome).toContain('Over 1 answered round in the last year');
    expect(homeText(publishedFor(CUSTOMER)[1])).not.toContain('Waiting for you');
  });

  it('republishes after a round is cancelled from its reminder in the DM', async () => {
    const round = await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: CUSTOMER,
      createdAt: daysAgo(2),
      service: 'Genealogy',
    });
    await opened(STAFF);
    await settled();
    expect(homeText(publishedFor(STAFF)[0])).toContain('Genealogy');
    const clicked = await app.send({
      kind: 'interactive',
      payload: blockAction({
        userId: STAFF,
        actionId: REMINDER_ACTIONS.cancelRound,
        value: String(round.id),
        channelId: 'DSTAFF',
        responseUrl: app.responseUrl,
      }),
    });
    expect(clicked.status).toBe(200);
    await expect.poll(() => publishedFor(STAFF).length, { timeout: 5_000 }).toBe(2);
    expect(homeText(publishedFor(STAFF)[1])).not.toContain('Genealogy');
  });

  it('stays within Slack’s limits for someone with 500 rounds, 60 customers and 40 services', async () => {
    for (let i = 0; i < 500; i++)
      await seedHistory(db(), {
        staff: STAFF,
        unit: 'Reference',
        self: 1 + (i % 10),
        customer: 1 + ((i * 7) % 10),
        completedAt: daysAgo(1 + (i % 360)),
        customerUserId: `UC${i % 60}`,
      });
    for (let i = 0; i < 30; i++)
      await seedRound(db(), {
        staffUserId: STAFF,
        customerUserId: `UC${i}`,
        createdAt: daysAgo(1),
        service: `Service ${i % 40}`,
      });
    // Twenty best practices of the unit, half of them theirs (each with its Withdraw button).
    await db()
      .insert(bestPractices)
      .values(
        Array.from({ length: 20 }, (_, i) => ({
          authorUserId: i % 2 === 0 ? STAFF : `UPEER${i}`,
          unit: 'Reference',
          service: `Service ${i}`,
          whatYouDo: 'w'.repeat(1500),
          whyItWorks: 'y'.repeat(1500),
          sourceViewId: `VPRACTICE${i}`,
          createdAt: daysAgo(1 + i),
        })),
      );
    for (let i = 0; i < 25; i++)
      await seedRound(db(), {
        staffUserId: `UOTHER${i}`,
        customerUserId: STAFF,
        createdAt: daysAgo(1),
        service: `Desk ${i}`,
      });
    await opened(STAFF);
    await settled();
    const [home] = publishedFor(STAFF);
    expect(home?.violations ?? []).toEqual([]);
    expectWithinBlockKitLimits('home', home?.args.view);
    const text = homeText(home);
    expect(text).toContain('And 20 more open rounds');
    expect(text).toContain('And 15 more requests');
    expect(text).toContain('And 15 more practices');
    expect(text).toContain('by month');
  });
});
