import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { reminders, roundResponses } from '../../src/db/schema.js';
import { announceRoundStarted, startRound } from '../../src/modules/rounds/rounds.usecases.js';
import { ROUND_ACTIONS } from '../../src/modules/rounds/rounds.views.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectWithinBlockKitLimits } from '../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../helpers/database.js';
import { CookieJar, getPage, postPage, SECURITY_HEADERS, webEnv } from '../helpers/patron-pages.js';
import { blockAction } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';
import { slackTexts } from '../helpers/slack-text.js';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
  standIn.addUser({ id: 'USTAFF', name: 'sam', real_name: 'Sam Staff', tz: 'UTC' });
});
afterAll(() => standIn.close());

const HOSTILE = '<script>alert(1)</script> <img src=x onerror=alert(2)> <!channel> *bold* \u202Eevil';
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const answers = {
  needFromMe: `Quiet rooms ${HOSTILE}`,
  whyDependOnMe: 'You book them.',
  notAdequatelyProviding: 'Updates.',
  concentrateOn: 'Noise.',
  noLongerNeed: 'Paper forms.',
  additionalComments: '',
};

describeEachDatabase('a named patron’s page over HTTP', (getDb) => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  const roundWithLink = async (service = 'Study rooms') => {
    app = await startTestApp({ database: getDb(), standIn, env: webEnv() });
    const deps = app.radar.dependencies;
    const started = await startRound({
      rounds: deps.repositories.rounds,
      directory: deps.interactive.directory,
      clock: deps.clock,
      links: deps.settings.patronLinks,
      staffUserId: 'USTAFF',
      staffTimeZone: 'UTC',
      sourceViewId: `V-${service}`,
      draft: {
        customerUserId: null,
        customerName: 'Pat Patron',
        previousService: null,
        newService: service,
        segment: 'regular',
        unit: 'Access',
        selfScore: '8',
        selfNote: null,
        interviewOn: inDays(3),
      },
    });
    if (!started.ok || !started.linkToken) throw new Error('no link');
    return { app, round: started.round, path: `/r/${started.linkToken}`, token: started.linkToken };
  };

  it('asks the six questions in the library’s name, stores one answer, tells the staff member, then refuses the used link', async () => {
    const { app, round, path } = await roundWithLink();
    const jar = new CookieJar();
    const page = await getPage(app.baseUrl, path, jar);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Sam Staff');
    expect(page.html).toContain('What service or product do you need from me in order to do your job well?');
    expect(page.html).toContain('Committees see group figures only, never yours alone.');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(page.headers.get(name)).toBe(value);

    const missing = await postPage(
      app.baseUrl,
      path,
      { csrf: page.csrf ?? '', lang: 'en', ...answers, concentrateOn: '', customerScore: '' },
      jar,
    );
    expect(missing.status).toBe(422);
    expect(missing.html).toContain('href="#concentrateOn"');
    // What was typed comes back, escaped: nothing in it runs.
    expect(missing.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(missing.html).not.toContain('<script>');
    expect(
      await getDb().handle.db.select().from(roundResponses).where(eq(roundResponses.roundId, round.id)),
    ).toEqual([]);

    const posts = await Promise.all(
      Array.from({ length: 50 }, () =>
        postPage(
          app.baseUrl,
          path,
          { csrf: page.csrf ?? '', lang: 'en', ...answers, customerScore: '5', shareWithManager: 'yes' },
          jar,
        ),
      ),
    );
    expect(posts.filter((p) => p.status === 200).length).toBeGreaterThan(0);
    for (const post of posts) expect([200, 410]).toContain(post.status);
    const stored = await getDb()
      .handle.db.select()
      .from(roundResponses)
      .where(eq(roundResponses.roundId, round.id));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ customerScore: 5, shareWithManager: true, recordedOnBehalf: false });
    await expect.poll(() => app.radar.slack.inFlight.size).toBe(0);
    const results = await getDb().handle.db.select().from(reminders).where(eq(reminders.roundId, round.id));
    expect(results.filter((r) => r.kind === 'round_result')).toHaveLength(1);
    // The hostile answer reaches the staff member's DM as literal text: nothing in it formats,
    // mentions or reorders.
    const result = await standIn.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === 'USTAFF' && String(c.args.text).includes('rated your service 5/10'),
    );
    const texts = slackTexts(result.args);
    expect(texts.literal.join('\n')).toContain('Quiet rooms <script>alert(1)</script>');
    for (const shown of texts.mrkdwn) {
      expect(shown).not.toContain('<!channel>');
      expect(shown).not.toContain('<script>');
    }
    // The right-to-left override is kept (people who write right to left use it) but closed inside
    // its own text, so it cannot reorder what the message says after it.
    const withOverride = texts.literal.filter((shown) => shown.includes('\u202E'));
    expect(withOverride.length).toBeGreaterThan(0);
    for (const shown of withOverride) expect(shown).toMatch(/\u202E[^\u202C]*\u202C/);
    expect(texts.fallback.join('')).not.toContain('\u202E');

    const used = await getPage(app.baseUrl, path, new CookieJar());
    expect(used.status).toBe(410);
    expect(used.html).toContain('This link has been used');
    expect(app.logs.text).not.toContain(path.slice(3));
  });

  it('answers 404 for unknown and malformed tokens and 410 for a cancelled round, in Spanish when asked', async () => {
    const { app, round, path } = await roundWithLink('Maps');
    expect((await getPage(app.baseUrl, `/r/${'A'.repeat(24)}`, new CookieJar())).status).toBe(404);
    expect((await getPage(app.baseUrl, '/r/%E0%A4%A', new CookieJar())).status).toBe(404);
    expect((await getPage(app.baseUrl, "/r/'%20or%201=1", new CookieJar())).status).toBe(404);
    const spanish = await getPage(app.baseUrl, path, new CookieJar(), {
      'accept-language': 'es-MX,es;q=0.9',
    });
    expect(spanish.html).toContain('lang="es"');
    await app.radar.dependencies.repositories.reminders.cancelRound(round.id, 'USTAFF', new Date());
    const revoked = await getPage(app.baseUrl, path, new CookieJar());
    expect(revoked.status).toBe(410);
    expect(revoked.html).toContain('This link was withdrawn');
  });

  it('sends the staff member a new link on “Send a new link”: the old one stops working, no one else can ask', async () => {
    const { app, round, path, token } = await roundWithLink('Local history');
    standIn.reset();
    await announceRoundStarted(app.radar.dependencies.interactive.roundAnnouncements, {
      round,
      linkToken: token,
    });
    const started = await standIn.waitForCall('chat.postMessage', (c) => c.args.channel === 'USTAFF');
    expect(JSON.stringify(started.args.blocks)).toContain(ROUND_ACTIONS.newLink);
    expectWithinBlockKitLimits('message', started.args);

    const click = (userId: string, value = String(round.id)) =>
      app.send({
        kind: 'interactive',
        payload: blockAction({
          userId,
          actionId: ROUND_ACTIONS.newLink,
          value,
          channelId: 'DSTAFF',
          responseUrl: app.responseUrl,
        }),
      });

    // Someone else, and a forged value: told so, nothing changes.
    expect((await click('USTRANGER')).status).toBe(200);
    const refused = await standIn.waitForCall('respond', (c) =>
      String(c.args.text).includes('Only the staff member who started this round'),
    );
    expect(refused.args.response_type).toBe('ephemeral');
    expect((await click('USTAFF', 'not-a-round')).status).toBe(200);
    await standIn.waitForCall('respond', (c) => String(c.args.text).includes('no longer exists'));
    expect((await getPage(app.baseUrl, path, new CookieJar())).status).toBe(200);

    expect((await click('USTAFF')).status).toBe(200);
    const fresh = await standIn.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === 'USTAFF' && String(c.args.text).includes('A new link'),
    );
    expectWithinBlockKitLimits('message', fresh.args);
    const newPath = /\/r\/[A-Za-z0-9_-]+/.exec(String(fresh.args.text))?.[0];
    expect(newPath).toBeDefined();
    expect(newPath).not.toBe(path);
    await standIn.waitForCall('files.completeUploadExternal');
    expect((await getPage(app.baseUrl, path, new CookieJar())).status).toBe(404);
    const page = await getPage(app.baseUrl, newPath as string, new CookieJar());
    expect(page.status).toBe(200);
    expect(page.html).toContain('Local history');
    expect(app.logs.text).not.toContain((newPath as string).slice(3));

    // Once the round is cancelled, no new link is made.
    await app.radar.dependencies.repositories.reminders.cancelRound(round.id, 'USTAFF', new Date());
    expect((await click('USTAFF')).status).toBe(200);
    await standIn.waitForCall('respond', (c) => String(c.args.text).includes('was cancelled'));
    expect((await getPage(app.baseUrl, newPath as string, new CookieJar())).status).toBe(410);
  });
});
