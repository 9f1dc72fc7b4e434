import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { patronLinks, reminders, roundResponses } from '../../../src/db/schema.js';
import type { Dependencies } from '../../../src/dependencies.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { hashToken } from '../../../src/lib/tokens.js';
import { ANSWERED_ON_THE_WEB } from '../../../src/modules/rounds/rounds.content.js';
import {
  issuePatronLink,
  type PatronAnswerDraft,
  RESUBMIT_GRACE_MS,
} from '../../../src/modules/rounds/rounds.links.js';
import {
  announceRoundStarted,
  type RoundDraft,
  startRound,
} from '../../../src/modules/rounds/rounds.usecases.js';
import { expectWithinBlockKitLimits } from '../../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../../helpers/database.js';
import { testDependencies } from '../../helpers/dependencies.js';
import { type SlackStandIn, startSlackStandIn } from '../../helpers/slack-stand-in.js';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
  standIn.addUser({ id: 'USTAFF', name: 'sam', real_name: 'Sam Staff', tz: 'UTC' });
});
afterAll(() => standIn.close());

const PUBLIC_URL = 'https://radar.example.org';
const draft = (overrides: Partial<RoundDraft> = {}): RoundDraft => ({
  customerUserId: null,
  customerName: 'Pat Patron',
  previousService: null,
  newService: 'Study rooms',
  segment: 'regular',
  unit: 'Access',
  selfScore: '7',
  selfNote: null,
  interviewOn: '2026-11-30',
  ...overrides,
});
const answer = (overrides: Partial<PatronAnswerDraft> = {}): PatronAnswerDraft => ({
  answers: {
    needFromMe: 'A quiet room <script>alert(1)</script>',
    whyDependOnMe: 'You book them.',
    notAdequatelyProviding: '*Nothing* <!channel>',
    concentrateOn: 'Noise.',
    noLongerNeed: 'Paper forms.',
    additionalComments: null,
  },
  customerScore: '4',
  shareWithManager: false,
  ...overrides,
});

describeEachDatabase('a patron answers by link', (getDb) => {
  const clock = fixedClock('2026-11-25T15:00:00Z');
  let deps: Dependencies;
  beforeEach(() => {
    clock.set('2026-11-25T15:00:00Z');
    standIn.reset();
    deps = testDependencies({
      db: getDb().handle.db,
      standIn,
      clock,
      env: { PUBLIC_URL, LINK_SECRET: 'k'.repeat(64), ROUND_EXPIRY_DAYS: '21' },
    });
  });

  const start = async (overrides: Partial<RoundDraft> = {}, sourceViewId = `V${Math.random()}`) => {
    const result = await startRound({
      rounds: deps.repositories.rounds,
      directory: deps.interactive.directory,
      clock,
      links: deps.settings.patronLinks,
      staffUserId: 'USTAFF',
      staffTimeZone: 'UTC',
      sourceViewId,
      draft: draft(overrides),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result;
  };

  it('makes a link for an outside customer by default, keeps only its hash, and DMs it with its QR code', async () => {
    const { round, linkToken } = await start();
    expect(linkToken).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const [stored] = await getDb()
      .handle.db.select()
      .from(patronLinks)
      .where(eq(patronLinks.roundId, round.id));
    expect(stored?.tokenHash).toBe(hashToken(linkToken as string));
    expect(JSON.stringify(stored)).not.toContain(linkToken);
    expect(stored?.expiresAt.toISOString()).toBe('2026-12-16T15:00:00.000Z');

    await announceRoundStarted(deps.interactive.roundAnnouncements, { round, linkToken });
    const posts = standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === 'USTAFF');
    const message = posts.at(-1)?.args;
    expect(JSON.stringify(message?.blocks)).toContain(`${PUBLIC_URL}/r/${linkToken}`);
    expectWithinBlockKitLimits('message', message);
    expect(standIn.callsTo('files.completeUploadExternal').length).toBeGreaterThan(0);
  });

  it('makes no link when the staff member records the interview, nor when PUBLIC_URL is unset', async () => {
    const recorded = await start({ answerBy: 'record' });
    expect(recorded.linkToken).toBeUndefined();
    const refused = await startRound({
      rounds: deps.repositories.rounds,
      directory: deps.interactive.directory,
      clock,
      links: undefined,
      staffUserId: 'USTAFF',
      staffTimeZone: 'UTC',
      sourceViewId: 'VNOLINKS',
      draft: draft({ answerBy: 'link', newService: 'Printing' }),
    });
    expect(refused).toEqual({ ok: false, errors: { answerBy: 'link_unavailable' } });
    const [{ links } = { links: -1 }] = await getDb()
      .handle.db.select({ links: count() })
      .from(patronLinks)
      .where(eq(patronLinks.roundId, recorded.round.id));
    expect(links).toBe(0);
  });

  it('opens the page, stores one answer as the customer’s, and then refuses the used link', async () => {
    const { round, linkToken } = await start();
    const token = linkToken as string;
    const opened = await deps.patronLinks.open(token);
    expect(opened).toMatchObject({
      ok: true,
      page: { customerName: 'Pat Patron', service: 'Study rooms', staffName: 'Sam Staff' },
    });

    const missing = await deps.patronLinks.answer(
      token,
      answer({ customerScore: null, answers: { ...answer().answers, concentrateOn: '  ' } }),
    );
    expect(missing).toEqual({
      ok: false,
      errors: { customerScore: 'score_missing', concentrateOn: 'answer_missing' },
    });

    const results = await Promise.all(
      Array.from({ length: 20 }, () => deps.patronLinks.answer(token, answer())),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.filter((r) => r.ok && r.created)).toHaveLength(1);
    const responses = await getDb()
      .handle.db.select()
      .from(roundResponses)
      .where(eq(roundResponses.roundId, round.id));
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({
      customerScore: 4,
      answeredByUserId: ANSWERED_ON_THE_WEB,
      recordedOnBehalf: false,
    });
    const result = await getDb().handle.db.select().from(reminders).where(eq(reminders.roundId, round.id));
    expect(result.filter((r) => r.kind === 'round_result')).toHaveLength(1);

    expect(await deps.patronLinks.open(token)).toEqual({ ok: false, code: 'used' });
    // Sent again just after (a double click arriving once the first has committed): received, not
    // stored again; a minute later the link is used.
    expect(await deps.patronLinks.answer(token, answer({ customerScore: '9' }))).toEqual({
      ok: true,
      created: false,
    });
    clock.set(new Date(clock.now().getTime() + RESUBMIT_GRACE_MS));
    expect(await deps.patronLinks.answer(token, answer())).toEqual({ ok: false, code: 'used' });
    const after = await getDb()
      .handle.db.select()
      .from(roundResponses)
      .where(eq(roundResponses.roundId, round.id));
    expect(after.map((row) => row.customerScore)).toEqual([4]);
  });

  it('tells a patron the link is used when the staff member recorded the interview a moment before', async () => {
    const { round, linkToken } = await start({ newService: 'Archives' });
    const recorded = await deps.repositories.rounds.recordResponse(
      {
        roundId: round.id,
        customerScore: 7,
        needFromMe: 'Recorded at the desk.',
        whyDependOnMe: null,
        notAdequatelyProviding: null,
        concentrateOn: null,
        noLongerNeed: null,
        additionalComments: null,
        shareWithManager: false,
        answeredByUserId: 'USTAFF',
        recordedOnBehalf: true,
        sourceViewId: 'VRECORDED',
        createdAt: clock.now(),
      },
      clock.now(),
    );
    expect(recorded.created).toBe(true);
    expect(await deps.patronLinks.answer(linkToken as string, answer())).toEqual({ ok: false, code: 'used' });
    const responses = await getDb()
      .handle.db.select()
      .from(roundResponses)
      .where(eq(roundResponses.roundId, round.id));
    expect(responses.map((row) => row.customerScore)).toEqual([7]);
  });

  it('refuses unknown, malformed, expired and revoked links, and writes nothing', async () => {
    expect(await deps.patronLinks.open('A'.repeat(24))).toEqual({ ok: false, code: 'unknown' });
    expect(await deps.patronLinks.open("'; drop table rounds; --")).toEqual({
      ok: false,
      code: 'unknown',
    });
    const { linkToken } = await start({ newService: 'Maps' });
    clock.set('2026-12-16T15:00:00Z');
    expect(await deps.patronLinks.open(linkToken as string)).toEqual({ ok: false, code: 'expired' });
    expect(await deps.patronLinks.answer(linkToken as string, answer())).toEqual({
      ok: false,
      code: 'expired',
    });

    clock.set('2026-11-25T15:00:00Z');
    const cancelled = await start({ newService: 'Laptops' });
    expect(await deps.repositories.reminders.cancelRound(cancelled.round.id, 'USTAFF', clock.now())).toBe(
      'cancelled',
    );
    expect(await deps.patronLinks.answer(cancelled.linkToken as string, answer())).toEqual({
      ok: false,
      code: 'revoked',
    });
    const [{ n } = { n: -1 }] = await getDb().handle.db.select({ n: count() }).from(roundResponses);
    expect(n).toBe(0);
  });

  it('gives an open round a new link that replaces the old one', async () => {
    const { round, linkToken } = await start({ newService: 'Archives' });
    const fresh = await issuePatronLink(deps.repositories, round.id, new Date('2026-12-01T00:00:00Z'));
    expect(fresh).toBeDefined();
    expect(await deps.patronLinks.open(linkToken as string)).toEqual({ ok: false, code: 'unknown' });
    expect((await deps.patronLinks.open(fresh as string)).ok).toBe(true);
  });
});
