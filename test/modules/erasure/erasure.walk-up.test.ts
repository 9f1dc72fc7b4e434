import { asc, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { erasures, walkUpAnswers } from '../../../src/db/schema.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/logger.js';
import { buildDigest } from '../../../src/modules/digests/digests.build.js';
import { createDigestsRepository } from '../../../src/modules/digests/digests.repository.js';
import { createRetentionJob } from '../../../src/modules/erasure/erasure.job.js';
import { createErasureRepository } from '../../../src/modules/erasure/erasure.repository.js';
import { type RetentionSettings, retentionCutoff } from '../../../src/modules/erasure/erasure.usecases.js';
import { describeEachDatabase } from '../../helpers/database.js';
import { seedCommittee } from '../../helpers/digests.js';
import { findAnywhere } from '../../helpers/row-scan.js';
import { seedServicePoint, seedWalkUp } from '../../helpers/service-points.js';

/**
 * Walk-up patrons' written answers under retention, the period customers' written answers have
 * (RETENTION_DAYS). NOW is Wednesday 2 December 2026; with 730 days the cutoff is Monday 2 December
 * 2024 00:00 UTC (see erasure.retention.test.ts): answers given before it lose their words, keep
 * their scores; answers from after it keep both.
 */
const NOW = new Date('2026-12-02T10:00:00Z');
const SETTINGS: RetentionSettings = { days: 730, weekZone: 'UTC' };
const logger = createLogger('silent');

describeEachDatabase('retention of walk-up answers', (getDb) => {
  const db = () => getDb().handle.db;

  it('erases the words of answers past the period, keeps their scores and the digest figures, and records it', async () => {
    expect(retentionCutoff(NOW, SETTINGS).toISOString()).toBe('2024-12-02T00:00:00.000Z');
    const desk = await seedServicePoint(db(), { name: 'Reference desk', createdAt: new Date('2024-01-01') });
    const committee = await seedCommittee(db(), 'C0COMMITTEE', { units: [] });
    // 2024-W47: three old answers, 6/8, 7/8, 8/8 (experience 7.0, expected 8.0, gap -1.0).
    for (const [index, experience] of [6, 7, 8].entries())
      await seedWalkUp(db(), desk.id, {
        experience,
        expectation: 8,
        at: new Date(`2024-11-${18 + index}T12:00:00Z`),
        doBetter: `OLD-WALKUP-${index}`,
        noLongerNeed: `OLD-NEED-${index}`,
      });
    // The last hour before the cutoff goes; the first hour after it stays, as does a recent answer.
    await seedWalkUp(db(), desk.id, {
      experience: 5,
      expectation: 5,
      at: new Date('2024-12-01T23:30:00Z'),
      doBetter: 'OLD-WALKUP-sunday',
    });
    await seedWalkUp(db(), desk.id, {
      experience: 9,
      expectation: 6,
      at: new Date('2024-12-02T00:30:00Z'),
      doBetter: 'KEPT-WALKUP-monday',
    });
    await seedWalkUp(db(), desk.id, {
      experience: 4,
      expectation: 9,
      at: new Date('2026-11-18T12:00:00Z'),
      noLongerNeed: 'KEPT-WALKUP-recent',
    });
    const digestOf = () =>
      buildDigest({
        digests: createDigestsRepository({ db: db() }),
        committee,
        week: '2024-W47',
        clock: fixedClock(NOW),
        libraryTimeZone: 'UTC',
      });
    const before = (await digestOf()).servicePoints;
    expect(before.points[0]).toMatchObject({ answers: 3, experience: 7, expectation: 8, gap: -1 });

    const job = createRetentionJob({
      erasure: createErasureRepository({ db: db() }),
      settings: SETTINGS,
      logger,
    });
    await job.run(NOW);
    await job.run(new Date(NOW.getTime() + 60_000));

    const rows = await db().select().from(walkUpAnswers).orderBy(asc(walkUpAnswers.id));
    expect(
      rows.map((row) => [
        row.experience,
        row.expectation,
        row.doBetter,
        row.noLongerNeed,
        row.erasedAt !== null,
      ]),
    ).toEqual([
      [6, 8, null, null, true],
      [7, 8, null, null, true],
      [8, 8, null, null, true],
      [5, 5, null, null, true],
      [9, 6, 'KEPT-WALKUP-monday', null, false],
      [4, 9, null, 'KEPT-WALKUP-recent', false],
    ]);
    expect(await findAnywhere(db(), ['OLD-WALKUP', 'OLD-NEED'])).toEqual([]);
    // Scores stay, so the old week's figures are what they were.
    expect((await digestOf()).servicePoints).toEqual(before);

    // One audit row, counting the answers (never what they said); a second run finds nothing to do.
    const audits = await db().select().from(erasures);
    const walkUps = audits.map((audit) => (audit.changed as Record<string, number>).walk_up_answers);
    expect(walkUps).toEqual([4]);
    expect(JSON.stringify(audits)).not.toContain('WALKUP');
    const later = createRetentionJob({
      erasure: createErasureRepository({ db: db() }),
      settings: SETTINGS,
      logger,
    });
    await later.run(new Date(NOW.getTime() + 86_400_000));
    expect(
      (await db().select().from(erasures)).filter(
        (audit) => ((audit.changed as Record<string, number>).walk_up_answers ?? 0) > 0,
      ),
    ).toHaveLength(1);
    expect(
      (
        await db()
          .select()
          .from(walkUpAnswers)
          .where(eq(walkUpAnswers.id, rows[4]?.id ?? 0))
      )[0]?.doBetter,
    ).toBe('KEPT-WALKUP-monday');
  });
});
