import { WebClient } from '@slack/web-api';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/client.js';
import { committees, digestPosts } from '../../../src/db/schema.js';
import { fixedClock } from '../../../src/lib/clock.js';
import {
  DIGEST_EVENT_TYPE,
  digestMetadata,
  runDigestTick,
  sendDigestNow,
} from '../../../src/modules/digests/digests.usecases.js';
import { digestWords } from '../../../src/modules/digests/digests.words.js';
import { METADATA_KEY_FIELD } from '../../../src/slack/messenger.js';
import { describeEachDatabase } from '../../helpers/database.js';
import { digestDepsFor, seedCommittee, seedRound } from '../../helpers/digests.js';
import { type RecordedCall, type SlackStandIn, startSlackStandIn } from '../../helpers/slack-stand-in.js';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

// Committees post on Mondays at 09:00 UTC; 2026-W47's digest is due from Monday 23 November 09:00.
const DUE = new Date('2026-11-23T09:00:00Z');
const minutes = (n: number) => new Date(DUE.getTime() + n * 60_000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const postsTo = (channel: string) =>
  standIn
    .callsTo('chat.postMessage')
    .filter((call) => call.args.channel === channel && call.reply?.body.ok === true);

describeEachDatabase('posting digests exactly once', (getDb) => {
  const db = () => getDb().handle.db;
  const clock = fixedClock(DUE);

  beforeEach(async () => {
    standIn.reset();
    clock.set(DUE);
    for (const [staff, self, customer] of [
      ['U1', 8, 5],
      ['U2', 7, 6],
      ['U3', 9, 4],
    ] as const) {
      await seedRound(db(), {
        staff,
        unit: 'Reference',
        self,
        customer,
        completedAt: new Date('2026-11-18T12:00:00Z'),
      });
    }
  });

  const rowFor = async (committeeId: number) =>
    (await db().select().from(digestPosts).where(eq(digestPosts.committeeId, committeeId)))[0];

  it('posts the due week once, with metadata, and its chart in the thread', async () => {
    const committee = await seedCommittee(db(), 'CCOMM');
    const deps = digestDepsFor(db(), standIn, clock);

    expect(await runDigestTick(deps, minutes(-1))).toMatchObject({ due: 0 });
    expect(postsTo('CCOMM')).toHaveLength(0);

    expect(await runDigestTick(deps, DUE)).toMatchObject({ due: 1, posted: 1 });
    const [post] = postsTo('CCOMM');
    expect(post?.args.metadata).toEqual({
      event_type: DIGEST_EVENT_TYPE,
      event_payload: { [METADATA_KEY_FIELD]: `digest:${committee.id}:2026-W47` },
    });
    expect(post?.violations ?? []).toEqual([]);
    const ts = post?.reply?.body.ts;
    expect(await rowFor(committee.id)).toMatchObject({
      week: '2026-W47',
      state: 'posted',
      attempts: 1,
      messageTs: ts,
      channelId: 'CCOMM',
    });

    const complete = await standIn.waitForCall('files.completeUploadExternal');
    expect(complete.args).toMatchObject({ channel_id: 'CCOMM', thread_ts: ts });
    const upload = await standIn.waitForCall('upload');
    expect((upload.args.bytes as Buffer).subarray(1, 4).toString()).toBe('PNG');

    // Later ticks in the same week do nothing.
    for (const later of [minutes(1), minutes(60), new Date('2026-11-29T23:00:00Z')])
      expect(await runDigestTick(deps, later)).toMatchObject({ due: 0 });
    expect(postsTo('CCOMM')).toHaveLength(1);
  });

  it('posts one digest per committee and week when two copies tick together', async () => {
    const channels = ['CONE', 'CTWO', 'CTHREE'];
    for (const channel of channels) await seedCommittee(db(), channel);
    // Slow posts widen the window in which the copies could trip over each other.
    standIn.on('chat.postMessage', async () => {
      await sleep(150);
      return undefined;
    });
    // The second copy has its own connection pool (on PostgreSQL, its own sessions).
    const { url } = getDb();
    const other = url ? await openDatabase({ databaseUrl: url, poolSize: 3 }) : undefined;
    try {
      const copyA = digestDepsFor(db(), standIn, clock, { instanceId: 'copy-a' });
      const copyB = digestDepsFor(other?.db ?? db(), standIn, clock, { instanceId: 'copy-b' });
      const reports = await Promise.all([
        runDigestTick(copyA, DUE),
        runDigestTick(copyB, DUE),
        runDigestTick(copyA, minutes(1)),
        runDigestTick(copyB, minutes(1)),
      ]);
      expect(reports.reduce((sum, report) => sum + report.posted, 0)).toBe(3);
    } finally {
      await other?.close();
    }
    for (const channel of channels) expect(postsTo(channel)).toHaveLength(1);
    expect(await db().select().from(digestPosts)).toHaveLength(3);
  });

  it('records a failed post with its reason, tells the admin once, and retries until it is posted once', async () => {
    const committee = await seedCommittee(db(), 'CGONE');
    const deps = digestDepsFor(db(), standIn, clock);
    let removed = true;
    standIn.on('chat.postMessage', (call) =>
      removed && call.args.channel === 'CGONE' ? { body: { ok: false, error: 'not_in_channel' } } : undefined,
    );
    standIn.on('conversations.history', (call) =>
      removed && call.args.channel === 'CGONE' ? { body: { ok: false, error: 'not_in_channel' } } : undefined,
    );

    expect(await runDigestTick(deps, DUE)).toMatchObject({ due: 1, failed: 1 });
    expect(await rowFor(committee.id)).toMatchObject({
      state: 'failed',
      lastError: 'not_in_channel',
      attempts: 1,
    });
    // Retried on the next tick (a minute later), and then further apart.
    expect(await runDigestTick(deps, minutes(1))).toMatchObject({ failed: 1 });
    expect(await runDigestTick(deps, minutes(2))).toMatchObject({ due: 1, busy: 1 });
    expect(await runDigestTick(deps, minutes(3))).toMatchObject({ failed: 1 });
    expect(await rowFor(committee.id)).toMatchObject({ state: 'failed', attempts: 3 });

    const notices = standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === 'UADMIN');
    expect(notices).toHaveLength(1);
    expect(String(notices[0]?.args.text)).toContain('/invite @Service Radar');

    removed = false; // someone invited the app back
    expect(await runDigestTick(deps, minutes(10))).toMatchObject({ posted: 1 });
    expect(postsTo('CGONE')).toHaveLength(1);
    expect(await rowFor(committee.id)).toMatchObject({ state: 'posted', attempts: 4, lastError: null });
    expect(await runDigestTick(deps, minutes(20))).toMatchObject({ due: 0 });
    expect(postsTo('CGONE')).toHaveLength(1);
  });

  it('tells a listed admin when the one who subscribed the channel has left', async () => {
    await seedCommittee(db(), 'CARCHIVED');
    const deps = digestDepsFor(db(), standIn, clock, { adminUserIds: ['UOTHERADMIN'] });
    standIn.on('chat.postMessage', (call) => {
      if (call.args.channel === 'CARCHIVED') return { body: { ok: false, error: 'is_archived' } };
      if (call.args.channel === 'UADMIN') return { body: { ok: false, error: 'user_not_found' } };
      return undefined;
    });
    expect(await runDigestTick(deps, DUE)).toMatchObject({ failed: 1 });
    expect(await runDigestTick(deps, minutes(1))).toMatchObject({ failed: 1 });
    const told = standIn
      .callsTo('chat.postMessage')
      .filter((call) => call.args.channel === 'UOTHERADMIN' && call.reply?.body.ok === true);
    expect(told).toHaveLength(1);
    expect(String(told[0]?.args.text)).toContain('archived');
  });

  it('never posts twice when a send times out but Slack posted it', async () => {
    const committee = await seedCommittee(db(), 'CSLOW');
    const deps = digestDepsFor(db(), standIn, clock, { timeoutMs: 300 });
    let slow = true;
    standIn.on('chat.postMessage', async () => {
      if (slow) await sleep(700);
      return undefined; // then Slack posts it after all
    });
    expect(await runDigestTick(deps, DUE)).toMatchObject({ uncertain: 1 });
    expect((await rowFor(committee.id))?.state).toBe('sending');
    await expect.poll(() => postsTo('CSLOW').length).toBe(1);
    slow = false;

    expect(await runDigestTick(deps, minutes(1))).toMatchObject({ posted: 1 });
    expect(postsTo('CSLOW')).toHaveLength(1);
    expect(await rowFor(committee.id)).toMatchObject({
      state: 'posted',
      messageTs: postsTo('CSLOW')[0]?.reply?.body.ts,
    });
  });

  it('posts once after an error that did not post', async () => {
    const committee = await seedCommittee(db(), 'C5XX');
    const deps = digestDepsFor(db(), standIn, clock);
    let failing = true;
    standIn.on('chat.postMessage', () => (failing ? { status: 503 } : undefined));
    expect(await runDigestTick(deps, DUE)).toMatchObject({ uncertain: 1 });
    failing = false;
    expect(await runDigestTick(deps, minutes(1))).toMatchObject({ posted: 1 });
    expect(postsTo('C5XX')).toHaveLength(1);
    expect((await rowFor(committee.id))?.state).toBe('posted');
    // It looked before posting again.
    expect(standIn.callsTo('conversations.history').length).toBeGreaterThan(0);
  });

  it('takes over a claim left by a copy that crashed, posting only if the digest is not there', async () => {
    const posted = await seedCommittee(db(), 'CCRASH1');
    const never = await seedCommittee(db(), 'CCRASH2');
    const crashedAt = minutes(1);
    for (const committee of [posted, never])
      await db().insert(digestPosts).values({
        committeeId: committee.id,
        week: '2026-W47',
        state: 'sending',
        claimedAt: crashedAt,
        claimedBy: 'crashed-copy',
      });
    // The crashed copy had posted the first one before dying.
    const client = new WebClient('xoxb-test', { slackApiUrl: standIn.url, retryConfig: { retries: 0 } });
    const metadata = digestMetadata(posted.id, '2026-W47');
    const earlier = await client.chat.postMessage({
      channel: 'CCRASH1',
      text: 'digest',
      metadata: { event_type: metadata.eventType, event_payload: { [METADATA_KEY_FIELD]: metadata.key } },
    });

    // Within the lease, the claim is left alone.
    const deps = digestDepsFor(db(), standIn, clock);
    expect(await runDigestTick(deps, minutes(3))).toMatchObject({ busy: 2 });
    expect(await runDigestTick(deps, minutes(5))).toMatchObject({ posted: 2 });
    expect(postsTo('CCRASH1')).toHaveLength(1);
    expect(await rowFor(posted.id)).toMatchObject({ state: 'posted', messageTs: earlier.ts, attempts: 2 });
    expect(postsTo('CCRASH2')).toHaveLength(1);
    expect((await rowFor(never.id))?.state).toBe('posted');
  });

  it('backs off on a rate limit and leaves the rest for the next tick', async () => {
    await seedCommittee(db(), 'CRATE1');
    await seedCommittee(db(), 'CRATE2');
    const deps = digestDepsFor(db(), standIn, clock);
    let limited = true;
    standIn.on('chat.postMessage', () =>
      limited ? { status: 429, headers: { 'retry-after': '30' } } : undefined,
    );
    expect(await runDigestTick(deps, DUE)).toMatchObject({ rateLimited: 1, due: 1 });
    limited = false;
    expect(await runDigestTick(deps, new Date(DUE.getTime() + 10_000))).toMatchObject({ posted: 1, busy: 1 });
    expect(await runDigestTick(deps, new Date(DUE.getTime() + 31_000))).toMatchObject({ posted: 1 });
    expect(postsTo('CRATE1')).toHaveLength(1);
    expect(postsTo('CRATE2')).toHaveLength(1);
  });

  it('carries on with the other committees when one cannot be processed', async () => {
    const broken = await seedCommittee(db(), 'CBROKEN');
    await seedCommittee(db(), 'CFINE');
    await db().update(committees).set({ timeZone: 'Not/AZone' }).where(eq(committees.id, broken.id));
    const deps = digestDepsFor(db(), standIn, clock);
    expect(await runDigestTick(deps, DUE)).toMatchObject({ posted: 1, uncertain: 1 });
    expect(postsTo('CFINE')).toHaveLength(1);
    expect(postsTo('CBROKEN')).toHaveLength(0);
  });

  it('sends a chosen finished week by hand through the same claim', async () => {
    const committee = await seedCommittee(db(), 'CHAND');
    const deps = digestDepsFor(db(), standIn, clock);
    const unfinished = await sendDigestNow(deps, 'CHAND', '2026-W48');
    expect(unfinished).toMatchObject({ ok: false, code: 'week_not_over' });
    expect(!unfinished.ok && digestWords(unfinished.code, unfinished.values)).toContain('not over yet');
    expect(await sendDigestNow(deps, 'CNOPE', undefined)).toMatchObject({
      ok: false,
      code: 'channel_not_subscribed',
      values: { channelId: 'CNOPE' },
    });
    expect(digestWords('channel_not_subscribed', { channelId: 'CNOPE' })).toBe(
      'Channel CNOPE is not subscribed to the digest.',
    );
    expect(await sendDigestNow(deps, 'CHAND', '2026-W47')).toMatchObject({ ok: true, outcome: 'posted' });
    expect(await sendDigestNow(deps, 'CHAND', '2026-W47')).toMatchObject({
      ok: true,
      outcome: 'already_posted',
    });
    // The schedule then finds it posted.
    expect(await runDigestTick(deps, DUE)).toMatchObject({ due: 0 });
    expect(postsTo('CHAND')).toHaveLength(1);
    expect((await rowFor(committee.id))?.state).toBe('posted');
  });

  it('does not upload a chart for an empty week, and posts it in one line', async () => {
    await seedCommittee(db(), 'CEMPTY', { units: ['Nobody here'] });
    const deps = digestDepsFor(db(), standIn, clock);
    expect(await runDigestTick(deps, DUE)).toMatchObject({ posted: 1 });
    const [post] = postsTo('CEMPTY') as [RecordedCall];
    expect(post.args.blocks).toHaveLength(1);
    expect(standIn.callsTo('files.getUploadURLExternal')).toHaveLength(0);
  });
});
