import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reminders } from '../../src/db/schema.js';
import { createPeopleRepository } from '../../src/modules/people/people.repository.js';
import { createRoundsRepository } from '../../src/modules/rounds/rounds.repository.js';
import { openMigratedDatabase } from '../../src/service.js';
import { runCapturedCli } from '../helpers/cli.js';
import { seedCommittee, seedRound } from '../helpers/digests.js';
import { ESC, RLO, terminalControlIn } from '../helpers/hostile-text.js';

/**
 * Operator output of text people typed (or that reached the database some other way, such as rows
 * stored before input was cleaned, or a Slack profile name): terminal escape sequences, control
 * characters and bidi overrides never reach the operator's terminal. Tables and text lose them;
 * `--json` escapes them, so the JSON parses back to the stored values and prints as plain ASCII.
 */
const RLI = '\u2067';
const CLEAR = `${ESC}[2J${ESC}[H`;
const TITLE = `${ESC}]0;owned\u0007`;
const HOSTILE = {
  customer: `Pat${CLEAR}\rForged${RLO}evil`,
  service: `Loans${TITLE}${ESC}[31m red${ESC}[0m\u009b2J`,
  unit: `Branch${RLI}${RLO}lanigiro`,
  staffName: `Uma${ESC}[8m hidden\u0007`,
  lastError: `user_not_found${ESC}[1A${ESC}[2K`,
};

const rawIn = terminalControlIn;

let dir: string;
const savedEnv = { ...process.env };

const cli = (...argv: string[]) => runCapturedCli(argv);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'service-radar-cli-hostile-'));
  process.env.PGLITE_DIR = dir;
  delete process.env.DATABASE_URL;
  const database = await openMigratedDatabase({
    PGLITE_DIR: dir,
    DATABASE_POOL_SIZE: 1,
    DATABASE_URL: undefined,
  });
  const { round } = await createRoundsRepository({ db: database.db }).createRound({
    staffUserId: 'UAAA',
    customerUserId: null,
    customerName: HOSTILE.customer,
    customerKey: 'name:pat',
    service: HOSTILE.service,
    serviceKey: 'loans',
    segment: 'core',
    unit: HOSTILE.unit,
    selfScore: 8,
    interviewOn: '2026-12-01',
    sourceViewId: 'V1',
    createdAt: new Date('2026-11-01T10:00:00Z'),
  });
  await database.db.insert(reminders).values({
    kind: 'interview_due',
    roundId: round.id,
    recipientUserId: 'UAAA',
    dueAt: new Date('2026-12-01T09:00:00Z'),
    state: 'failed',
    lastError: HOSTILE.lastError,
    dedupeKey: `interview_due:${round.id}`,
  });
  // A committee over the unit, showing individuals, with a week of nine completed rounds in it: three
  // staff members with three different customers each, so that each one's row can be shown.
  await seedCommittee(database.db, 'C0COMMITTEE', {
    timeZone: 'Europe/London',
    units: [HOSTILE.unit],
    showIndividuals: true,
  });
  const people = createPeopleRepository({ db: database.db });
  for (const [staff, self, customer, day] of [
    ['U1', 8, 5, '28'],
    ['U2', 7, 6, '29'],
    ['U3', 9, 4, '30'],
  ] as const) {
    for (const hour of [10, 11, 12])
      await seedRound(database.db, {
        staff,
        unit: HOSTILE.unit,
        self,
        customer,
        completedAt: new Date(`2026-09-${day}T${hour}:00:00Z`),
      });
    await people.save({
      userId: staff,
      name: `${HOSTILE.staffName} ${staff}`,
      isBot: false,
      deleted: false,
      tz: 'Europe/London',
      fetchedAt: new Date(),
    });
  }
  await database.close();
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  await rm(dir, { recursive: true, force: true });
});

describe('operator output of hostile text', () => {
  it('rounds list: the table shows the words without escapes or bidi controls, aligned', async () => {
    const { code, out } = await cli('rounds', 'list');
    expect(code).toBe(0);
    expect(rawIn(out)).toBeUndefined();
    const lines = out.trim().split('\n');
    // The round with the typed text: its customer, service and unit as words.
    const row = lines.find((line) => line.startsWith('1 ')) ?? '';
    expect(row).toMatch(/^1\s+awaiting_customer\s+UAAA\s+PatForgedevil\s+Loans red\s+Branchlanigiro\s+8/);
    // Cleaned before the columns were measured: its score sits under the header's selfScore.
    expect(row[lines[0]?.indexOf('selfScore') ?? -1]).toBe('8');
    // A header, its rule and one line per round (ten): no stored text starts a line of its own.
    expect(lines).toHaveLength(12);
  });

  it('rounds list --json escapes them, and parses back to the stored text', async () => {
    const { out } = await cli('rounds', 'list', '--json');
    expect(rawIn(out)).toBeUndefined();
    expect(out).toContain('\\u001b[2J');
    expect(out).toContain('\\u202e');
    expect(out).toContain('\\u2067');
    expect(out).toContain('\\u009b');
    expect(JSON.parse(out)[0]).toMatchObject({
      customer: HOSTILE.customer,
      service: HOSTILE.service,
      unit: HOSTILE.unit,
    });
  });

  it('reminders list: the same for its last error, table and JSON', async () => {
    const table = await cli('reminders', 'list');
    expect(rawIn(table.out)).toBeUndefined();
    expect(table.out).toMatch(/interview_due\s+failed\s+.*user_not_found/);
    const json = await cli('reminders', 'list', '--json');
    expect(rawIn(json.out)).toBeUndefined();
    expect(JSON.parse(json.out)[0].lastError).toBe(HOSTILE.lastError);
  });

  it('digest committees: the same for the units', async () => {
    const table = await cli('digest', 'committees');
    expect(rawIn(table.out)).toBeUndefined();
    expect(table.out).toMatch(/C0COMMITTEE\s+Branchlanigiro\s+Mon 09:00 Europe\/London/);
    const json = await cli('digest', 'committees', '--json');
    expect(rawIn(json.out)).toBeUndefined();
    expect(JSON.parse(json.out)[0].units).toBe(HOSTILE.unit);
  });

  it('digest show: the text and the JSON, for units and staff names', async () => {
    const text = await cli('digest', 'show', '--channel', 'C0COMMITTEE', '--week', '2026-W40');
    expect(text.code).toBe(0);
    expect(rawIn(text.out)).toBeUndefined();
    expect(text.out).toContain('Units: Branchlanigiro');
    expect(text.out).toMatch(/Uma hidden U3\s+self 9\.0/);
    const json = await cli('digest', 'show', '--channel', 'C0COMMITTEE', '--week', '2026-W40', '--json');
    expect(rawIn(json.out)).toBeUndefined();
    const data = JSON.parse(json.out);
    expect(data.committee.units).toEqual([HOSTILE.unit]);
    expect(data.individuals.map((row: { name: string }) => row.name)).toContain(`${HOSTILE.staffName} U3`);
  });
});
