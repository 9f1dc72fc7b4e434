import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  appTables,
  BackupError,
  restoreBackup,
  tableCounts,
  tableSummaries,
  verifyBackup,
  writeBackup,
} from '../../src/db/backup.js';
import type { Database } from '../../src/db/client.js';
import { committees, reminders, rounds } from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import { buildDigest } from '../../src/modules/digests/digests.build.js';
import { createDigestsRepository } from '../../src/modules/digests/digests.repository.js';
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../helpers/database.js';
import { seedCommittee, seedRound } from '../helpers/digests.js';
import { seedServicePoint, seedWalkUp } from '../helpers/service-points.js';

/**
 * `db backup`, `verify` and `restore`, on each engine: a backup restored into an empty database
 * gives every table back, row for row (counts and checksums), and the same digests; a backup cut
 * short, damaged or changed is refused by verify and restore alike, and changes nothing.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'service-radar-backup-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const TRICKY =
  'Quotes " and \\ backslash, ünïcödé, emoji 🙂, a bidi \u202Eoverride\u202C, a newline\nand =1+1';

describeEachDatabase('backups', (getDb) => {
  let target: TestDatabase | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });
  const db = () => getDb().handle.db;

  async function seed() {
    await seedCommittee(db(), 'C0BACKUP', { units: ['Reference', TRICKY] });
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
        completedAt: new Date('2026-11-17T12:00:00Z'),
        answers: TRICKY,
      });
    const open = await seedRound(db(), {
      staff: 'U1',
      unit: 'Reference',
      self: 6,
      createdAt: new Date('2026-11-20T09:00:00Z'),
    });
    await db()
      .insert(reminders)
      .values({
        kind: 'interview_due',
        roundId: open,
        recipientUserId: 'U1',
        dueAt: new Date('2026-11-27T09:00:00Z'),
        dedupeKey: `interview_due:${open}`,
      });
    const desk = await seedServicePoint(db(), { name: 'Reference desk' });
    await seedWalkUp(db(), desk.id, {
      experience: 7,
      expectation: 8,
      at: new Date('2026-11-18T10:00:00Z'),
      doBetter: TRICKY,
    });
  }
  const digestOf = async (database: TestDatabase) => {
    const [committee] = await database.handle.db.select().from(committees);
    if (!committee) throw new Error('no committee');
    return buildDigest({
      digests: createDigestsRepository({ db: database.handle.db }),
      committee,
      week: '2026-W47',
      libraryTimeZone: 'UTC',
      clock: fixedClock('2026-12-01T12:00:00Z'),
    });
  };

  it('restores into an empty database every row, with its id, and the same digest; new rows get new ids', async () => {
    await seed();
    const file = join(dir, `full-${getDb().kind}.backup`);
    const written = await writeBackup(db(), file, { engine: getDb().kind });
    expect(await verifyBackup(file)).toEqual(written);
    const counts = await tableCounts(db(), await appTables(db()));
    expect(Object.fromEntries(Object.entries(written.tables).map(([t, s]) => [t, s.rows]))).toEqual(counts);
    expect(counts.rounds).toBe(4);

    target = await createTestDatabase(getDb().kind);
    await restoreBackup(target.handle.db, file);
    expect(await tableSummaries(target.handle.db)).toEqual(await tableSummaries(db()));
    expect(await digestOf(target)).toEqual(await digestOf(getDb()));
    const [restored] = await target.handle.db.select().from(committees);
    expect(restored?.units).toEqual(['Reference', TRICKY]);

    // The identity sequences continue after the restored ids.
    const next = await seedRound(target.handle.db, {
      staff: 'U9',
      unit: 'Reference',
      self: 5,
      createdAt: new Date(),
    });
    const ids = (await db().select({ id: rounds.id }).from(rounds)).map((row) => row.id);
    expect(next).toBeGreaterThan(Math.max(...ids));
  });

  it('refuses a database that is not empty unless told to replace it', async () => {
    await seed();
    const file = join(dir, `replace-${getDb().kind}.backup`);
    await writeBackup(db(), file, { engine: getDb().kind });
    target = await createTestDatabase(getDb().kind);
    await seedRound(target.handle.db, { staff: 'UOTHER', unit: 'Elsewhere', self: 3, createdAt: new Date() });
    const before = await tableSummaries(target.handle.db);
    await expect(restoreBackup(target.handle.db, file)).rejects.toThrow(/not empty \(.*rounds: 1/);
    expect(await tableSummaries(target.handle.db)).toEqual(before);
    await restoreBackup(target.handle.db, file, { replace: true });
    expect(await tableSummaries(target.handle.db)).toEqual(await tableSummaries(db()));
  });

  it('refuses a backup cut short, damaged or changed, in verify and in restore, and changes nothing', async () => {
    await seed();
    const file = join(dir, `damaged-${getDb().kind}.backup`);
    await writeBackup(db(), file, { engine: getDb().kind });
    const bytes = await readFile(file);
    const cut = join(dir, `cut-${getDb().kind}.backup`);
    await writeFile(cut, bytes.subarray(0, bytes.length - 40));
    const flipped = Buffer.from(bytes);
    const middle = Math.floor(flipped.length / 2);
    flipped[middle] = (flipped[middle] ?? 0) ^ 0xff;
    const damaged = join(dir, `flipped-${getDb().kind}.backup`);
    await writeFile(damaged, flipped);
    // Well-formed gzip, but a row changed after it was written.
    const changed = join(dir, `changed-${getDb().kind}.backup`);
    await writeFile(
      changed,
      gzipSync(gunzipSync(bytes).toString('utf8').replace('"self_score":8', '"self_score":10')),
    );
    // Well-formed, but its end line gone.
    const endless = join(dir, `endless-${getDb().kind}.backup`);
    const lines = gunzipSync(bytes).toString('utf8').trimEnd().split('\n');
    await writeFile(endless, gzipSync(`${lines.slice(0, -1).join('\n')}\n`));
    const other = join(dir, `other-${getDb().kind}.backup`);
    await writeFile(other, gzipSync('{"hello":"world"}\n'));
    const plain = join(dir, `plain-${getDb().kind}.backup`);
    await writeFile(plain, 'not a backup at all');

    target = await createTestDatabase(getDb().kind);
    const empty = await tableSummaries(target.handle.db);
    for (const [bad, reason] of [
      [cut, /damaged or cut short/],
      [damaged, /damaged or cut short|does not match its checksum|not a row/],
      [changed, /table rounds in the backup does not match its checksum/],
      [endless, /cut short: its end is missing/],
      [other, /not a Service Radar backup/],
      [plain, /damaged or cut short/],
    ] as const) {
      await expect(verifyBackup(bad), bad).rejects.toThrow(BackupError);
      await expect(verifyBackup(bad), bad).rejects.toThrow(reason);
      await expect(restoreBackup(target.handle.db, bad), bad).rejects.toThrow(reason);
      expect(await tableSummaries(target.handle.db)).toEqual(empty);
    }
  });

  it('is one moment of the database while writes go on: every row committed before it began is in it', async () => {
    await seed();
    const before = (await db().select({ id: rounds.id }).from(rounds)).map((row) => row.id);
    const file = join(dir, `load-${getDb().kind}.backup`);
    let writing = true;
    const load = (async () => {
      let i = 0;
      while (writing && i < 200) {
        // A round and its response in one transaction, as the app stores an answer.
        await db().transaction((tx) =>
          seedRound(tx as unknown as Database, {
            staff: `UL${i % 5}`,
            unit: 'Reference',
            self: 5,
            customer: 6,
            completedAt: new Date('2026-11-18T12:00:00Z'),
          }),
        );
        i++;
      }
      return i;
    })();
    const written = await writeBackup(db(), file, { engine: getDb().kind });
    writing = false;
    const inserted = await load;
    expect(inserted).toBeGreaterThan(0);
    target = await createTestDatabase(getDb().kind);
    await restoreBackup(target.handle.db, file);
    const restored = (await target.handle.db.select({ id: rounds.id }).from(rounds)).map((row) => row.id);
    for (const id of before) expect(restored).toContain(id);
    // A consistent moment: each restored completed round has its response.
    const summary = await tableSummaries(target.handle.db);
    expect(summary.rounds?.rows).toBe(written.tables.rounds?.rows);
    expect(summary.round_responses?.rows).toBe((summary.rounds?.rows ?? 0) - 1);
  });
});
