/**
 * A process that holds an embedded-database folder the way the app does, for the folder and lock
 * tests: `node --import tsx test/helpers/folder-holder.ts <mode> <dir> [startAt]`.
 *
 * - `lock`: takes the folder's lock (lockPgliteDir) and holds it until killed; prints `locked`.
 * - `database`: opens the folder as the app does (openMigratedDatabase), then writes rounds
 *   without pause; prints `ready` after the first 20, so a SIGKILL lands mid-write.
 * - `race`: waits until the epoch millisecond `startAt`, tries the lock once, prints
 *   `{"won":true}` or `{"refused":"<code>"}` (with `late` if it loaded after `startAt`), holds a
 *   won lock for 1 s, releases it and exits.
 */
// Imported by mode: the lock alone loads in a fraction of the time the whole app takes, which
// keeps the racing processes' start-up short.
const { lockPgliteDir } = await import('../../src/db/pglite-lock.js');
const [mode, dir, startAt] = process.argv.slice(2);
if (!dir) throw new Error('usage: folder-holder.ts lock|database|race <dir> [startAt]');

if (mode === 'lock') {
  await lockPgliteDir(dir);
  process.stdout.write('locked\n');
  setInterval(() => undefined, 60_000);
} else if (mode === 'database') {
  const { openMigratedDatabase } = await import('../../src/service.js');
  const { createRoundsRepository } = await import('../../src/modules/rounds/rounds.repository.js');
  const database = await openMigratedDatabase({
    PGLITE_DIR: dir,
    DATABASE_URL: undefined,
    DATABASE_POOL_SIZE: 1,
  });
  const rounds = createRoundsRepository({ db: database.db });
  for (let i = 0; ; i++) {
    await rounds.createRound({
      staffUserId: `UHOLD${i}`,
      customerUserId: null,
      customerName: `Customer ${i}`,
      customerKey: `name:customer-${i}`,
      service: 'Loans',
      serviceKey: 'loans',
      segment: 'core',
      unit: 'Reference',
      selfScore: 7,
      interviewOn: '2026-12-01',
      sourceViewId: `VHOLD${i}`,
      createdAt: new Date(),
    });
    if (i === 19) process.stdout.write('ready\n');
  }
} else if (mode === 'race') {
  const late = Date.now() > Number(startAt);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
  try {
    const release = await lockPgliteDir(dir);
    process.stdout.write(`${JSON.stringify({ won: true, late })}\n`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await release();
  } catch (error) {
    const refused = (error as { code?: string }).code ?? String(error);
    process.stdout.write(`${JSON.stringify({ refused, late })}\n`);
  }
} else throw new Error(`unknown mode ${mode}`);
