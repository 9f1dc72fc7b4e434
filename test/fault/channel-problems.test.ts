import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { actionPlans, digestPosts, planNotes, reminders } from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import { DIGEST_EVENT_TYPE } from '../../src/modules/digests/digests.usecases.js';
import { NOTE_MODAL, PLAN_MODAL, PLAN_OPEN_MODAL } from '../../src/modules/plans/plans.views.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedCommittee, seedRound } from '../helpers/digests.js';
import {
  checkboxes,
  conversationsSelect,
  datePicker,
  plainInput,
  sealedMetadata,
  slashCommand,
  staticSelect,
  viewSubmission,
} from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * Channels the app cannot post in: it was never invited (not_in_channel), or the channel was
 * archived (is_archived). Whoever can fix it hears how (the manager for an action plan, the admin
 * who subscribed a committee), nothing crashes, nothing is retried forever, and nothing is doubled
 * once the channel works again.
 */

const STAFF = 'USTAFF';
const MANAGER = 'UMANAGER';
const ADMIN = 'UADMIN';
/** A private channel the manager chose for a plan (the stand-in says it is private, with the app in it). */
const PLANS = 'G0PLANS';
/** Where the manager typed the command. */
const TYPED_IN = 'C0GENERAL';
const COMMITTEE = 'C0COMMITTEE';
const NOW = '2026-11-24T10:00:00Z'; // Tuesday, 10:00 in London
// 2026-W47's digest is due on Monday 23 November at 09:00 UTC.
const DUE = new Date('2026-11-23T09:00:00Z');

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

const broken = new Map<string, string>();

describeEachDatabase('channel problems', (getDb) => {
  let app: TestApp;
  const clock = fixedClock(NOW);
  const db = () => getDb().handle.db;

  beforeEach(async () => {
    standIn.reset();
    broken.clear();
    clock.set(NOW);
    standIn.addUser({ id: STAFF, name: 'sam', tz: 'Europe/London' });
    standIn.addUser({ id: MANAGER, name: 'morgan', tz: 'Europe/London', is_admin: true });
    standIn.addUser({ id: ADMIN, name: 'ada', tz: 'Europe/London', is_admin: true });
    // Posts into a broken channel (or a thread in it) fail as Slack fails them.
    standIn.on('chat.postMessage', (call) => {
      const error = broken.get(String(call.args.channel));
      return error ? { body: { ok: false, error } } : undefined;
    });
    app = await startTestApp({ database: getDb(), standIn, clock });
  });
  afterEach(() => app.stop());

  const dmsTo = (userId: string) =>
    standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === userId);
  const settle = () => expect.poll(() => app.radar.slack.inFlight.size, { timeout: 10_000 }).toBe(0);

  /**
   * `/action-plan @staff`, then the manager's form with a private channel chosen: the form's
   * acknowledgement, and what the form says once Slack has answered the post.
   */
  async function openPlanIn(channelId: string) {
    const mark = standIn.calls.length;
    const response = await app.send({
      kind: 'command',
      fields: slashCommand({
        command: '/action-plan',
        text: `<@${STAFF}>`,
        userId: MANAGER,
        channelId: TYPED_IN,
        responseUrl: app.responseUrl,
      }),
    });
    expect(response.status).toBe(200);
    const opened = await standIn.waitForCall(
      'views.open',
      (c) => standIn.calls.indexOf(c) >= mark && c.args.view?.callback_id === PLAN_OPEN_MODAL.callbackId,
    );
    await expect.poll(() => opened.reply?.body.ok).toBe(true);
    const viewId = (opened.reply?.body.view as { id: string } | undefined)?.id ?? '';
    const submitted = await app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId: MANAGER,
        view: {
          id: viewId,
          callback_id: PLAN_OPEN_MODAL.callbackId,
          private_metadata: opened.args.view.private_metadata,
          state_values: {
            [PLAN_OPEN_MODAL.blocks.channel]: { [PLAN_OPEN_MODAL.actionId]: conversationsSelect(channelId) },
          },
        },
      }),
    });
    expect(submitted.json.response_action).toBe('update');
    const told = await standIn.waitForCall('views.update', (c) => c.args.view_id === viewId);
    return JSON.stringify(told.args.view);
  }

  it.each([
    ['not_in_channel', '/invite @Service Radar'],
    ['is_archived', 'archived'],
  ])(
    'opening a plan in a private channel that answers %s tells the manager how to fix it, and stores nothing',
    async (error, fix) => {
      broken.set(PLANS, error);
      const told = await openPlanIn(PLANS);
      expect(told).toContain("Couldn't open the plan");
      expect(told).toContain(fix);
      expect(await db().select().from(actionPlans)).toHaveLength(0);
      // Nothing where the command was typed, nor through its response URL.
      expect(standIn.calls.filter((c) => c.args.channel === TYPED_IN)).toEqual([]);
      expect(standIn.callsTo('respond')).toEqual([]);
      expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
    },
  );

  it('a plan whose channel is archived later: the note is kept, the check-in fails once, the manager hears each time', async () => {
    expect(await openPlanIn(PLANS)).toContain(`is open in <#${PLANS}>`);
    const [plan] = await db().select().from(actionPlans);
    if (!plan) throw new Error('no plan');
    const { blocks: ids, actionId } = PLAN_MODAL;
    const written = await app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId: STAFF,
        view: {
          id: 'VPLANARCH',
          callback_id: PLAN_MODAL.callbackId,
          private_metadata: sealedMetadata(PLAN_MODAL.callbackId, STAFF, { planId: plan.id }),
          state_values: {
            [ids.strengths]: { [actionId]: plainInput('Catalogue.') },
            [ids.improvements]: { [actionId]: plainInput('Updates.') },
            [ids.steps]: { [actionId]: plainInput('- Reply within a day') },
            [ids.successMeasure]: { [actionId]: plainInput('Fewer emails.') },
            [ids.checkinEvery]: { [actionId]: staticSelect('7') },
            [ids.remeasureOn]: { [actionId]: datePicker('2027-01-20') },
            [ids.share]: { [actionId]: checkboxes([]) },
          },
        },
      }),
    });
    expect(written.body).toBe('');
    await settle();
    expect(dmsTo(MANAGER)).toHaveLength(0);

    // The channel is archived.
    broken.set(PLANS, 'is_archived');
    const noted = await app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId: STAFF,
        view: {
          id: 'VNOTEARCH',
          callback_id: NOTE_MODAL.callbackId,
          private_metadata: sealedMetadata(NOTE_MODAL.callbackId, STAFF, { planId: plan.id }),
          state_values: { [NOTE_MODAL.block]: { [NOTE_MODAL.actionId]: plainInput('Done the first step.') } },
        },
      }),
    });
    expect(noted.status).toBe(200);
    expect(noted.body).toBe('');
    expect(await db().select().from(planNotes)).toHaveLength(1);
    await settle();
    expect(dmsTo(MANAGER)).toHaveLength(1);
    expect(JSON.stringify(dmsTo(MANAGER)[0]?.args.blocks)).toContain('archived');

    // The first check-in is due: it cannot go into the thread, so it fails with the reason, the
    // manager is told, and a later tick does not try again.
    const [checkin] = (await db().select().from(reminders).where(eq(reminders.planId, plan.id)))
      .filter((row) => row.kind === 'plan_checkin')
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    if (!checkin) throw new Error('no check-in');
    clock.set(checkin.dueAt);
    await app.radar.scheduler.tick(checkin.dueAt);
    const [failed] = await db().select().from(reminders).where(eq(reminders.id, checkin.id));
    expect(failed).toMatchObject({ state: 'failed', lastError: 'is_archived' });
    expect(dmsTo(MANAGER)).toHaveLength(2);
    const attempts = standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === PLANS).length;
    const later = new Date(checkin.dueAt.getTime() + 3_600_000);
    clock.set(later);
    await app.radar.scheduler.tick(later);
    expect(standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === PLANS)).toHaveLength(
      attempts,
    );
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
  });

  it.each(['not_in_channel', 'is_archived'])(
    'a digest to a channel that answers %s: the admin is told once, it is retried, and posted once when fixed',
    async (error) => {
      for (const [staff, self, customer] of [
        ['U1', 8, 5],
        ['U2', 7, 6],
        ['U3', 9, 4],
      ] as const)
        await seedRound(db(), {
          staff,
          unit: 'Reference',
          self,
          customer,
          completedAt: new Date('2026-11-18T12:00:00Z'),
        });
      const committee = await seedCommittee(db(), COMMITTEE, { timeZone: 'UTC' });
      broken.set(COMMITTEE, error);
      const posted = () =>
        standIn
          .callsTo('chat.postMessage')
          .filter(
            (call) =>
              call.args.channel === COMMITTEE &&
              call.args.metadata?.event_type === DIGEST_EVENT_TYPE &&
              call.reply?.body.ok === true,
          );

      for (const minutes of [0, 1, 5, 30]) {
        const at = new Date(DUE.getTime() + minutes * 60_000);
        clock.set(at);
        await app.radar.scheduler.tick(at);
      }
      expect(posted()).toHaveLength(0);
      const notices = dmsTo(ADMIN);
      expect(notices).toHaveLength(1);
      expect(String(notices[0]?.args.text)).toContain(`<#${COMMITTEE}>`);
      const [row] = await db().select().from(digestPosts).where(eq(digestPosts.committeeId, committee.id));
      expect(row).toMatchObject({ state: 'failed', lastError: error });

      // Someone invites the app back (or unarchives the channel): the next retry posts it, once.
      broken.delete(COMMITTEE);
      for (const hours of [2, 3, 26]) {
        const at = new Date(DUE.getTime() + hours * 3_600_000);
        clock.set(at);
        await app.radar.scheduler.tick(at);
      }
      expect(posted()).toHaveLength(1);
      expect(dmsTo(ADMIN)).toHaveLength(1);
      const [done] = await db().select().from(digestPosts).where(eq(digestPosts.committeeId, committee.id));
      expect(done?.state).toBe('posted');
    },
  );
});
