import { expect, it } from 'vitest';
import { bestPractices, staffProfiles } from '../../../src/db/schema.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { buildDigest } from '../../../src/modules/digests/digests.build.js';
import { createDigestsRepository } from '../../../src/modules/digests/digests.repository.js';
import { buildDigestMessage, renderDigestText } from '../../../src/modules/digests/digests.views.js';
import { createErasureRepository } from '../../../src/modules/erasure/erasure.repository.js';
import { createPracticesRepository } from '../../../src/modules/practices/practices.repository.js';
import {
  HOME_PRACTICE_LIMIT,
  type PracticeDraft,
  practicesForHome,
  sharePractice,
  withdrawPractice,
} from '../../../src/modules/practices/practices.usecases.js';
import { PRACTICE_LIMITS } from '../../../src/modules/practices/practices.words.js';
import { expectWithinBlockKitLimits } from '../../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../../helpers/database.js';
import { seedCommittee } from '../../helpers/digests.js';

const AUTHOR = 'UAUTHOR';
const OTHER = 'UOTHER';
// Wednesday of 2026-W47 (16-22 November), in UTC.
const NOW = '2026-11-18T10:00:00Z';
const DAY = 86_400_000;

const draft = (overrides: Partial<PracticeDraft> = {}): PracticeDraft => ({
  service: 'Interlibrary loans',
  unit: 'Reference',
  whatYouDo: 'I call the patron the day their loan arrives.',
  whyItWorks: 'They plan their visit, and nothing waits on the shelf.',
  ...overrides,
});

describeEachDatabase('best practices', (getDb) => {
  const db = () => getDb().handle.db;
  const clock = fixedClock(NOW);
  const changed: string[] = [];
  const deps = () => ({
    practices: createPracticesRepository({ db: db() }),
    clock,
    homes: { changed: (ids: readonly (string | null | undefined)[]) => changed.push(...(ids as string[])) },
  });
  const share = (userId: string, sourceViewId: string, overrides: Partial<PracticeDraft> = {}) =>
    sharePractice(deps(), { userId, sourceViewId, draft: draft(overrides) });

  it('stores a practice once per form, in the author’s words, and republishes the author’s Home', async () => {
    clock.set(NOW);
    changed.length = 0;
    const first = await share(AUTHOR, 'VFORM1');
    expect(first).toMatchObject({ ok: true, created: true });
    const again = await share(AUTHOR, 'VFORM1');
    expect(again).toMatchObject({ ok: true, created: false });
    const rows = await db().select().from(bestPractices);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      authorUserId: AUTHOR,
      unit: 'Reference',
      service: 'Interlibrary loans',
      whatYouDo: 'I call the patron the day their loan arrives.',
      withdrawnAt: null,
    });
    expect(changed).toEqual([AUTHOR]);
  });

  it('refuses each field that is missing or too long, on that field, and stores nothing', async () => {
    const result = await share(AUTHOR, 'VFORM2', {
      service: '   ',
      unit: 'U'.repeat(PRACTICE_LIMITS.unit + 1),
      whatYouDo: null,
      whyItWorks: 'w'.repeat(PRACTICE_LIMITS.whyItWorks + 1),
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        service: 'service_missing',
        unit: 'unit_too_long',
        whatYouDo: 'what_missing',
        whyItWorks: 'why_too_long',
      },
    });
    const tooLong = await share(AUTHOR, 'VFORM3', {
      service: 's'.repeat(PRACTICE_LIMITS.service + 1),
      whatYouDo: 'w'.repeat(PRACTICE_LIMITS.whatYouDo + 1),
      whyItWorks: '',
      unit: null,
    });
    expect(tooLong).toEqual({
      ok: false,
      errors: {
        service: 'service_too_long',
        unit: 'unit_missing',
        whatYouDo: 'what_too_long',
        whyItWorks: 'why_missing',
      },
    });
    expect(await db().select().from(bestPractices)).toEqual([]);
  });

  it('lets only the author withdraw, and a withdrawn practice is shown on no Home', async () => {
    clock.set(NOW);
    await db()
      .insert(staffProfiles)
      .values([
        { userId: AUTHOR, unit: 'Reference' },
        { userId: OTHER, unit: 'reference' },
      ]);
    const shared = await share(AUTHOR, 'VFORM4');
    if (!shared.ok) throw new Error('not shared');
    const id = shared.practice.id;
    // The colleague sees it on their Home (units compared case-insensitively).
    expect((await practicesForHome(deps(), { userId: OTHER, now: clock.now() }))?.practices.total).toBe(1);

    changed.length = 0;
    expect(await withdrawPractice(deps(), { userId: OTHER, practiceId: id })).toEqual({
      ok: false,
      code: 'not_yours',
    });
    expect(changed).toEqual([]);
    expect((await practicesForHome(deps(), { userId: OTHER, now: clock.now() }))?.practices.total).toBe(1);

    expect(await withdrawPractice(deps(), { userId: AUTHOR, practiceId: id })).toEqual({
      ok: true,
      code: 'withdrawn',
    });
    expect(changed).toEqual([AUTHOR]);
    expect(await withdrawPractice(deps(), { userId: AUTHOR, practiceId: id })).toEqual({
      ok: false,
      code: 'already_withdrawn',
    });
    expect(await withdrawPractice(deps(), { userId: AUTHOR, practiceId: id + 1000 })).toEqual({
      ok: false,
      code: 'not_found',
    });
    for (const userId of [AUTHOR, OTHER])
      expect(await practicesForHome(deps(), { userId, now: clock.now() })).toMatchObject({
        practices: { items: [], total: 0 },
      });
  });

  it('shows a Home the unit’s practices of the last 90 days, newest first, and counts the rest', async () => {
    await db().insert(staffProfiles).values({ userId: OTHER, unit: 'Reference' });
    for (const [i, daysAgo] of [100, 80, 60, 40, 30, 20, 10, 1].entries()) {
      clock.set(new Date(Date.parse(NOW) - daysAgo * DAY));
      await share(AUTHOR, `VOLD${i}`, { whatYouDo: `Practice ${daysAgo} days ago` });
    }
    clock.set(NOW);
    await share('UCIRC', 'VCIRC', { unit: 'Circulation', whatYouDo: 'Another unit’s practice' });
    const home = await practicesForHome(deps(), { userId: OTHER, now: clock.now() });
    expect(home?.unit).toBe('Reference');
    // Seven within 90 days; the 100-day one and the other unit's are not counted.
    expect(home?.practices.total).toBe(7);
    expect(home?.practices.items.map((p) => p.whatYouDo)).toEqual(
      [1, 10, 20, 30, 40].slice(0, HOME_PRACTICE_LIMIT).map((d) => `Practice ${d} days ago`),
    );
    // The author sees their own, shared for another unit, so they can withdraw it; others there do not.
    const own = await practicesForHome(deps(), { userId: 'UCIRC', now: clock.now() });
    expect(own?.unit).toBe('Circulation');
    await db().insert(staffProfiles).values({ userId: 'UMOVED', unit: 'Reference' });
    await share('UMOVED', 'VMOVED', { unit: 'Archives', whatYouDo: 'Shared for Archives' });
    const moved = await practicesForHome(deps(), { userId: 'UMOVED', now: clock.now() });
    expect(moved?.practices.items[0]?.whatYouDo).toBe('Shared for Archives');
    expect(moved?.practices.total).toBe(8);
    expect((await practicesForHome(deps(), { userId: OTHER, now: clock.now() }))?.practices.total).toBe(7);
    // Someone the app knows nothing about has no section.
    expect(await practicesForHome(deps(), { userId: 'UNEW', now: clock.now() })).toBeNull();
  });

  it('lists a practice in the digest of its week, in the committees covering its unit, once', async () => {
    const all = await seedCommittee(db(), 'CALL');
    const reference = await seedCommittee(db(), 'CREF', { units: ['REFERENCE'] });
    const circulation = await seedCommittee(db(), 'CCIRC', { units: ['Circulation'] });
    clock.set(NOW);
    await share(AUTHOR, 'VW47', { whatYouDo: 'Shared in W47' });
    clock.set('2026-11-24T10:00:00Z');
    await share(AUTHOR, 'VW48', { whatYouDo: 'Shared in W48' });
    const withdrawn = await share(AUTHOR, 'VW47B', { whatYouDo: 'Withdrawn in W48' });
    if (!withdrawn.ok) throw new Error('not shared');
    await withdrawPractice(deps(), { userId: AUTHOR, practiceId: withdrawn.practice.id });

    const digest = (committee: typeof all, week: string) =>
      buildDigest({
        digests: createDigestsRepository({ db: db() }),
        practices: createPracticesRepository({ db: db() }),
        committee,
        week,
        clock,
        libraryTimeZone: 'UTC',
      });
    const words = async (committee: typeof all, week: string) =>
      (await digest(committee, week)).practices.listed.map((p) => p.whatYouDo);
    expect(await words(all, '2026-W47')).toEqual(['Shared in W47']);
    expect(await words(reference, '2026-W47')).toEqual(['Shared in W47']);
    expect(await words(circulation, '2026-W47')).toEqual([]);
    expect(await words(reference, '2026-W48')).toEqual(['Shared in W48']);
    expect(await words(reference, '2026-W49')).toEqual([]);

    const data = await digest(reference, '2026-W47');
    expect(data.practices).toEqual({
      total: 1,
      listed: [
        {
          id: expect.any(Number),
          authorUserId: AUTHOR,
          unit: 'Reference',
          service: 'Interlibrary loans',
          whatYouDo: 'Shared in W47',
          whyItWorks: draft().whyItWorks,
          sharedAt: '2026-11-18T10:00:00.000Z',
        },
      ],
    });
    // A week with no round but a practice still posts it, as a digest within Slack's limits.
    const message = buildDigestMessage(data);
    expectWithinBlockKitLimits('message', message);
    expect(JSON.stringify(message.blocks)).toContain(`"user_id":"${AUTHOR}"`);
    expect(JSON.stringify(message.blocks)).toContain('Shared in W47');
    expect(renderDigestText(data)).toContain('Best practices shared this week:');
  });

  it('cuts a long week of long practices to what a digest can carry, and counts the rest', async () => {
    const committee = await seedCommittee(db(), 'CALL');
    clock.set(NOW);
    for (let i = 0; i < 30; i++)
      await share(`UAUTH${i}`, `VLONG${i}`, {
        service: 's'.repeat(PRACTICE_LIMITS.service),
        unit: 'U'.repeat(PRACTICE_LIMITS.unit),
        whatYouDo: 'w'.repeat(PRACTICE_LIMITS.whatYouDo),
        whyItWorks: 'y'.repeat(PRACTICE_LIMITS.whyItWorks),
      });
    const data = await buildDigest({
      digests: createDigestsRepository({ db: db() }),
      practices: createPracticesRepository({ db: db() }),
      committee,
      week: '2026-W47',
      clock,
      libraryTimeZone: 'UTC',
    });
    expect(data.practices.total).toBe(30);
    const message = buildDigestMessage(data);
    expectWithinBlockKitLimits('message', message);
    expect(JSON.stringify(message.blocks)).toContain('…and 25 more practices shared this week');
  });
});

describeEachDatabase('best practices and retention', (getDb) => {
  const db = () => getDb().handle.db;

  it('erases the practices shared before the retention cutoff, and keeps the later ones', async () => {
    const clock = fixedClock(NOW);
    const practices = createPracticesRepository({ db: db() });
    const deps = { practices, clock, homes: { changed: () => undefined } };
    clock.set(new Date(Date.parse(NOW) - 800 * DAY));
    await sharePractice(deps, {
      userId: AUTHOR,
      sourceViewId: 'VOLD',
      draft: draft({ whatYouDo: 'Old words' }),
    });
    clock.set(NOW);
    await sharePractice(deps, {
      userId: AUTHOR,
      sourceViewId: 'VNEW',
      draft: draft({ whatYouDo: 'New words' }),
    });
    const cutoff = new Date(Date.parse(NOW) - 730 * DAY);
    const run = await createErasureRepository({ db: db() }).eraseBefore({
      roundsFrom: null,
      roundsBefore: cutoff,
      cutoff,
      now: clock.now(),
    });
    expect(run.changed.best_practices).toBe(1);
    expect((await db().select().from(bestPractices)).map((row) => row.whatYouDo)).toEqual(['New words']);
  });
});
