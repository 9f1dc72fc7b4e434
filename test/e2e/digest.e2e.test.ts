import type { ViewStateValue } from '@slack/bolt';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { auditLog, committees, digestPosts } from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import { COMMITTEE_MODAL, SHOW_INDIVIDUALS_VALUE } from '../../src/modules/committees/committees.views.js';
import {
  postTimeFor,
  shiftWeek,
  weekBounds,
  weekLabel,
  weekOf,
} from '../../src/modules/digests/digests.weeks.js';
import { WEB_API_SCOPES } from '../../src/slack/scopes.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectWithinBlockKitLimits } from '../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedRound } from '../helpers/digests.js';
import {
  checkboxes,
  plainInput,
  radio,
  type SlackRequest,
  slashCommand,
  staticSelect,
  viewSubmission,
} from '../helpers/slack-requests.js';
import { type RecordedCall, type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';
import { visibleText } from '../helpers/slack-text.js';

const ADMIN = 'UADMIN';
const MEMBER = 'UMEMBER';
const CHANNEL = 'C0COMMITTEE';
const ZONE = 'Europe/London';
// Slack's signatures (which Bolt checks against the real time) tie these tests to today: the weeks
// below are this week and the last one, in London (the library's zone and the committee's), and the
// committee posts on Mondays at 09:00. A committee is owed the digest of every week whose post time
// comes after it subscribed, so between Monday 00:00 and 09:00 the week that has just ended is owed
// too, and would go first: then the app's clock starts at 10:00 that Monday, a few hours ahead.
const NOW = (() => {
  const now = new Date();
  const mondayPost = postTimeFor(
    shiftWeek(weekOf(now, ZONE), -1),
    { weekday: 1, hour: 9, timeZone: ZONE },
    ZONE,
  );
  return now < mondayPost ? new Date(mondayPost.getTime() + 3_600_000) : now;
})();
const THIS_WEEK = weekOf(NOW, ZONE);
const LAST_WEEK = shiftWeek(THIS_WEEK, -1);
const POST_TIME = postTimeFor(THIS_WEEK, { weekday: 1, hour: 9, timeZone: ZONE }, ZONE);
const dayOf = (week: string, day: number) =>
  new Date(weekBounds(week, ZONE).start.getTime() + day * 86_400_000 + 12 * 3_600_000);
const later = (ms: number) => new Date(POST_TIME.getTime() + ms);

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

type StateValues = Record<string, Record<string, ViewStateValue>>;

function settingsState(overrides: Partial<Record<keyof typeof COMMITTEE_MODAL.blocks, ViewStateValue>> = {}) {
  const { blocks: ids, actionId } = COMMITTEE_MODAL;
  const values: Record<keyof typeof ids, ViewStateValue> = {
    scope: radio('all'),
    units: plainInput(null),
    weekday: staticSelect('1'),
    hour: staticSelect('9'),
    timeZone: plainInput('Europe/London'),
    minGroupSize: staticSelect('3'),
    showIndividuals: checkboxes([]),
    ...overrides,
  };
  const state: StateValues = {};
  for (const [key, value] of Object.entries(values))
    state[ids[key as keyof typeof ids]] = { [actionId]: value };
  return state;
}

describeEachDatabase('/service-digest end to end', (getDb) => {
  let app: TestApp;
  const clock = fixedClock(NOW);
  const db = () => getDb().handle.db;

  beforeEach(async () => {
    standIn.reset();
    clock.set(NOW);
    standIn.addUser({ id: ADMIN, name: 'ada', is_admin: true, tz: 'Europe/London' });
    standIn.addUser({ id: MEMBER, name: 'mo', tz: 'America/Chicago' });
    standIn.addUser({ id: 'U3', name: 'uma', real_name: 'Uma Upton' });
    app = await startTestApp({ database: getDb(), standIn, clock, env: { LIBRARY_TIME_ZONE: ZONE } });
  });
  afterEach(async () => {
    await app.stop();
  });

  const send = (request: SlackRequest) => app.send(request);
  const command = (userId: string, text: string, channelId = CHANNEL) =>
    send({
      kind: 'command',
      fields: slashCommand({
        command: '/service-digest',
        text,
        userId,
        channelId,
        responseUrl: app.responseUrl,
      }),
    });
  /** The next reply through the response_url after `since` calls. */
  const replyAfter = async (since: number) =>
    standIn.waitForCall('respond', (call) => standIn.calls.indexOf(call) >= since);
  const submit = (view: { id: string; private_metadata: string }, state: StateValues, userId = ADMIN) =>
    send({
      kind: 'interactive',
      payload: viewSubmission({
        userId,
        view: {
          id: view.id,
          callback_id: COMMITTEE_MODAL.callbackId,
          private_metadata: view.private_metadata,
          state_values: state,
        },
      }),
    });
  const openedModal = async (since: number) => {
    const call = await standIn.waitForCall(
      'views.open',
      (c) => standIn.calls.indexOf(c) >= since && c.args.view?.callback_id === COMMITTEE_MODAL.callbackId,
    );
    expect(call.violations ?? []).toEqual([]);
    return { ...call.args.view, id: await viewIdOf(call) } as {
      id: string;
      private_metadata: string;
      blocks: unknown[];
    };
  };
  /** The id Slack gave a view it opened (the reply is recorded just after the call). */
  const viewIdOf = async (call: RecordedCall) => {
    await expect.poll(() => call.reply).toBeDefined();
    return (call.reply?.body.view as { id: string } | undefined)?.id ?? '';
  };
  /**
   * This week's digests in the channel. (Run on a Monday morning, last week's digest is legitimately
   * due too, later that day: it is not counted.)
   */
  const digestsPosted = () =>
    standIn
      .callsTo('chat.postMessage')
      .filter(
        (call) =>
          call.args.channel === CHANNEL &&
          call.args.metadata?.event_type === 'service_radar_digest' &&
          String(call.args.metadata?.event_payload?.radar_key).endsWith(`:${THIS_WEEK}`),
      );

  it('subscribes a channel, previews, posts the weekly digest once with its chart, and unsubscribes', async () => {
    // help is answered in the acknowledgement itself.
    const help = await command(MEMBER, 'help');
    expect(help.json.text).toContain('/service-digest subscribe');

    // A member who is not an admin is refused, and gets no form.
    let mark = standIn.calls.length;
    expect((await command(MEMBER, 'subscribe')).status).toBe(200);
    expect((await replyAfter(mark)).args.text).toContain('Only workspace admins and owners');
    expect(standIn.callsTo('views.open')).toHaveLength(0);

    // The admin gets the form, with their own time zone filled in.
    mark = standIn.calls.length;
    await command(ADMIN, 'subscribe');
    const modal = await openedModal(mark);
    expectWithinBlockKitLimits('modal', modal);
    expect(JSON.stringify(modal.blocks)).toContain('Europe/London');

    // Mistakes come back on their fields, and nothing is saved.
    const wrong = await submit(
      modal,
      settingsState({ scope: radio('units'), units: plainInput(' '), timeZone: plainInput('Moon/Base') }),
    );
    expect(wrong.json).toEqual({
      response_action: 'errors',
      errors: {
        [COMMITTEE_MODAL.blocks.units]: expect.stringContaining('at least one unit'),
        [COMMITTEE_MODAL.blocks.timeZone]: expect.stringContaining('not a time zone'),
      },
    });
    // Someone else cannot submit the admin's form.
    expect((await submit(modal, settingsState(), MEMBER)).json?.response_action).toBe('errors');
    expect(await db().select().from(committees)).toHaveLength(0);

    // A good submission subscribes the channel, and the channel is told.
    const saved = await submit(
      modal,
      settingsState({ showIndividuals: checkboxes([SHOW_INDIVIDUALS_VALUE]) }),
    );
    expect(saved.body).toBe('');
    const [committee] = await db().select().from(committees);
    expect(committee).toMatchObject({
      channelId: CHANNEL,
      units: [],
      weekday: 1,
      hour: 9,
      timeZone: 'Europe/London',
      minGroupSize: 3,
      showIndividuals: true,
      createdByUserId: ADMIN,
      active: true,
    });
    const announced = await standIn.waitForCall('chat.postMessage', (c) => c.args.channel === CHANNEL);
    expect(announced.args.text).toContain('subscribed this channel');

    // Rounds: three last week; this week, three each by four staff members (twelve customers), with
    // private answers, so that each staff member's row can be shown.
    for (const [staff, self, customer, day] of [
      ['U1', 8, 5, 1],
      ['U2', 7, 7, 2],
      ['U3', 9, 4, 3],
    ] as const)
      await seedRound(db(), {
        staff,
        unit: 'Reference',
        self,
        customer,
        completedAt: dayOf(LAST_WEEK, day),
      });
    for (const [staff, self, customer, day] of [
      ['U1', 8, 6, 0],
      ['U2', 7, 7, 1],
      ['U3', 9, 5, 3],
      ['U4', 6, 8, 6],
    ] as const)
      for (const hour of [0, 1, 2])
        await seedRound(db(), {
          staff,
          unit: 'Reference',
          self,
          customer,
          completedAt: new Date(dayOf(THIS_WEEK, day).getTime() + hour * 3_600_000),
          answers: 'PRIVATE-ANSWER',
          noLongerNeed: 'The printed rota',
        });

    // Anyone in the channel may preview: only they see it, and it is last week's.
    mark = standIn.calls.length;
    await command(MEMBER, 'preview');
    const preview = await replyAfter(mark);
    expect(preview.args.response_type).toBe('ephemeral');
    expectWithinBlockKitLimits('message', preview.args);
    expect(JSON.stringify(preview.args.blocks)).toContain('Preview, only you can see this');
    expect(preview.args.text).toContain(`${weekLabel(LAST_WEEK)}: 3 completed rounds`);
    expect(digestsPosted()).toHaveLength(0);

    // Nothing before Monday 09:00; then the digest for 23-29 November, once, with its chart.
    await app.radar.scheduler.tick(later(-60_000));
    expect(digestsPosted()).toHaveLength(0);
    await app.radar.scheduler.tick(POST_TIME);
    const [digest] = digestsPosted() as [RecordedCall];
    expect(digest.violations ?? []).toEqual([]);
    expectWithinBlockKitLimits('message', digest.args);
    // self 3 x (8+7+9+6) = 90 (7.5), customer 3 x (6+7+5+8) = 78 (6.5): gap -1.0.
    expect(digest.args.text).toBe(
      `Service digest for ${weekLabel(THIS_WEEK)}: 12 completed rounds, average gap -1.0.`,
    );
    const shown = visibleText(digest.args.blocks);
    expect(shown).toContain('*Reference*');
    expect(shown).toContain('By staff member');
    // Names come from Slack (users.info), never as @-mentions that would notify people.
    expect(shown).toContain('*Uma Upton*  self 9.0 · customer 5.0 · gap *-4.0*');
    expect(shown).not.toContain('<@U3>');
    expect(shown).toContain('12 rounds where the customer named something they no longer need');
    expect(shown).not.toContain('PRIVATE-ANSWER');
    expect(shown).not.toContain('printed rota');
    const complete = await standIn.waitForCall('files.completeUploadExternal');
    expect(complete.args).toMatchObject({ channel_id: CHANNEL, thread_ts: digest.reply?.body.ts });
    const [row] = await db()
      .select()
      .from(digestPosts)
      .where(eq(digestPosts.committeeId, committee?.id ?? 0));
    expect(row).toMatchObject({ week: THIS_WEEK, state: 'posted', messageTs: digest.reply?.body.ts });

    await app.radar.scheduler.tick(later(60_000));
    await app.radar.scheduler.tick(later(2 * 86_400_000));
    expect(digestsPosted()).toHaveLength(1);

    // settings: members see them; the admin gets the form back, filled in.
    mark = standIn.calls.length;
    await command(MEMBER, 'settings');
    const settingsReply = await replyAfter(mark);
    const shownSettings = settingsReply.args.text as string;
    expect(shownSettings).toContain('Posted Mondays at 09:00 (Europe/London)');
    expect(shownSettings).toContain('Only workspace admins');
    // The units, as the admin typed them, are rich text beside the fallback.
    expect(settingsReply.violations ?? []).toEqual([]);
    expect(visibleText(settingsReply.args.blocks)).toContain('• Posted Mondays at 09:00 (Europe/London)');
    mark = standIn.calls.length;
    await command(ADMIN, 'settings');
    const settingsModal = await openedModal(mark);
    expect(JSON.stringify(settingsModal.blocks)).toContain('Show a row for each staff member');
    // The admin moves the digest to Tuesdays at 10, keeping the rest.
    expect(
      (
        await submit(
          settingsModal,
          settingsState({
            weekday: staticSelect('2'),
            hour: staticSelect('10'),
            showIndividuals: checkboxes([SHOW_INDIVIDUALS_VALUE]),
          }),
        )
      ).body,
    ).toBe('');
    await expect.poll(async () => (await db().select().from(committees))[0]?.hour).toBe(10);

    // Unsubscribing stops next week's digest.
    mark = standIn.calls.length;
    await command(MEMBER, 'unsubscribe');
    expect((await replyAfter(mark)).args.text).toContain('Only workspace admins');
    mark = standIn.calls.length;
    await command(ADMIN, 'unsubscribe');
    expect((await replyAfter(mark)).args.text).toContain('no more service digests');
    await app.radar.scheduler.tick(later(7 * 86_400_000));
    expect(digestsPosted()).toHaveLength(1);

    // The audit log has the admin's three changes, each with the settings it left, and nothing of
    // the member's refused attempts.
    const entries = await db().select().from(auditLog).orderBy(auditLog.id);
    expect(entries).toEqual([
      expect.objectContaining({
        kind: 'committee_subscribed',
        actor: ADMIN,
        subject: CHANNEL,
        rows: null,
        detail: expect.objectContaining({ weekday: 1, hour: 9, showIndividuals: true, units: [] }),
      }),
      expect.objectContaining({
        kind: 'committee_settings_changed',
        actor: ADMIN,
        subject: CHANNEL,
        detail: expect.objectContaining({ weekday: 2, hour: 10, timeZone: 'Europe/London' }),
      }),
      expect.objectContaining({ kind: 'committee_unsubscribed', actor: ADMIN, subject: CHANNEL }),
    ]);

    // Every Web API method the app called is one the manifest has a scope for.
    for (const call of standIn.calls.filter((c) => c.method !== 'upload' && c.method !== 'respond'))
      expect(Object.keys(WEB_API_SCOPES)).toContain(call.method);
  });

  it('asks to be invited when it is not in the channel', async () => {
    standIn.on('conversations.info', (call) =>
      call.args.channel === 'CELSEWHERE' ? { body: { ok: false, error: 'channel_not_found' } } : undefined,
    );
    const mark = standIn.calls.length;
    await command(ADMIN, 'subscribe', 'CELSEWHERE');
    expect((await replyAfter(mark)).args.text).toContain('Invite me with `/invite @Service Radar`');
    expect(standIn.callsTo('views.open')).toHaveLength(0);
  });

  it('opens a “checking” modal at once when Slack is slow, then shows the form in it', async () => {
    standIn.on('users.info', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      return undefined;
    });
    const response = await command(ADMIN, 'subscribe');
    expect(response.ms).toBeLessThan(1_000);
    const loading = await standIn.waitForCall('views.open');
    expect(JSON.stringify(loading.args.view)).toContain('Checking your permissions');
    const update = await standIn.waitForCall('views.update', undefined, 5_000);
    expect(update.args.view_id).toBe(await viewIdOf(loading));
    expect(update.args.view.callback_id).toBe(COMMITTEE_MODAL.callbackId);
    expectWithinBlockKitLimits('modal', update.args.view);
  });

  it('says what it accepts, and that preview needs a committee channel', async () => {
    expect((await command(MEMBER, 'launch')).json.text).toContain('/service-digest help');
    // What was typed comes back as typed, as code in rich text, and can neither mention nor restyle.
    const echoed = (await command(MEMBER, '*launch* <!channel>')).json;
    expectWithinBlockKitLimits('message', echoed);
    expect(visibleText(echoed.blocks)).toContain('`*launch* <!channel>`');
    expect(echoed.text).not.toContain('<!channel>');
    expect(echoed.text).not.toContain('*launch*');
    const mark = standIn.calls.length;
    await command(MEMBER, 'preview', 'CNOTYET');
    expect((await replyAfter(mark)).args.text).toContain('not a committee channel yet');
  });
});
