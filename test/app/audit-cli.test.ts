import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { createAuditRepository } from '../../src/modules/audit/audit.repository.js';
import { createCommitteesRepository } from '../../src/modules/committees/committees.repository.js';
import { DEFAULT_SETTINGS } from '../../src/modules/committees/committees.usecases.js';
import { openMigratedDatabase } from '../../src/service.js';
import { runCapturedCli } from '../helpers/cli.js';

/** `audit list` against a real embedded database, as an operator runs it. */
let dir: string;
let database: DatabaseHandle | undefined;
const savedEnv = { ...process.env };

const cli = (...argv: string[]) => runCapturedCli(argv);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'service-radar-audit-'));
  process.env.PGLITE_DIR = dir;
  delete process.env.DATABASE_URL;
}, 60_000);

afterAll(async () => {
  await database?.close();
  process.env = savedEnv;
  await rm(dir, { recursive: true, force: true });
});

/** Opens the folder, writes through the app's own repositories, and closes it for the CLI. */
async function withDatabase(write: (handle: DatabaseHandle) => Promise<void>) {
  database = await openMigratedDatabase({ PGLITE_DIR: dir, DATABASE_POOL_SIZE: 1, DATABASE_URL: undefined });
  try {
    await write(database);
  } finally {
    await database.close();
    database = undefined;
  }
}

describe('audit list', () => {
  it('says the log is empty when it is', async () => {
    const empty = await cli('audit', 'list');
    expect(empty).toMatchObject({ code: 0, err: '' });
    expect(empty.out).toBe('The audit log has no entries yet.\n');
    expect(JSON.parse((await cli('audit', 'list', '--json')).out)).toEqual([]);
  });

  it('prints the entries newest first, as JSON or a table, filtered by kind, time and number', async () => {
    await withDatabase(async ({ db }) => {
      const committees = createCommitteesRepository({ db });
      await committees.subscribe(
        'C0COMMITTEE',
        { ...DEFAULT_SETTINGS, units: ['Reference', 'Loans'] },
        { userId: 'UADMIN', now: new Date('2026-11-02T09:00:00Z') },
      );
      await committees.deactivate('C0COMMITTEE', { userId: 'UADMIN', now: new Date('2026-11-20T09:00:00Z') });
      await createAuditRepository({ db }).record({
        kind: 'digest_exported',
        actor: 'UADMIN',
        subject: 'C0COMMITTEE',
        rows: 24,
        detail: { from: '2026-W33', to: '2026-W44', format: 'csv', sentTo: 'dm' },
        at: new Date('2026-11-10T12:00:00Z'),
      });
    });

    const listed = await cli('audit', 'list', '--json');
    expect(listed).toMatchObject({ code: 0, err: '' });
    const entries = JSON.parse(listed.out) as { kind: string; at: string }[];
    expect(entries).toEqual([
      {
        id: expect.any(Number),
        at: '2026-11-20T09:00:00.000Z',
        kind: 'committee_unsubscribed',
        actor: 'UADMIN',
        subject: 'C0COMMITTEE',
        rows: null,
        detail: { committeeId: expect.any(Number) },
      },
      {
        id: expect.any(Number),
        at: '2026-11-10T12:00:00.000Z',
        kind: 'digest_exported',
        actor: 'UADMIN',
        subject: 'C0COMMITTEE',
        rows: 24,
        detail: { from: '2026-W33', to: '2026-W44', format: 'csv', sentTo: 'dm' },
      },
      {
        id: expect.any(Number),
        at: '2026-11-02T09:00:00.000Z',
        kind: 'committee_subscribed',
        actor: 'UADMIN',
        subject: 'C0COMMITTEE',
        rows: null,
        detail: expect.objectContaining({ units: ['Reference', 'Loans'], weekday: 1, hour: 9 }),
      },
    ]);

    const byKind = JSON.parse((await cli('audit', 'list', '--kind', 'digest_exported', '--json')).out);
    expect(byKind.map((entry: { kind: string }) => entry.kind)).toEqual(['digest_exported']);
    const since = JSON.parse((await cli('audit', 'list', '--since', '2026-11-05', '--json')).out);
    expect(since.map((entry: { kind: string }) => entry.kind)).toEqual([
      'committee_unsubscribed',
      'digest_exported',
    ]);
    const one = JSON.parse((await cli('audit', 'list', '--limit', '1', '--json')).out);
    expect(one.map((entry: { kind: string }) => entry.kind)).toEqual(['committee_unsubscribed']);

    // The table: a header, a rule, one line per entry, the detail as key=value.
    const table = await cli('audit', 'list');
    const lines = table.out.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+at\s+kind\s+actor\s+subject\s+rows\s+detail/);
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatch(/committee_subscribed\s+UADMIN\s+C0COMMITTEE\s.*units=Reference,Loans/);
    expect(lines[3]).toMatch(/digest_exported\s+UADMIN\s+C0COMMITTEE\s+24\s/);
    expect(lines[3]).toContain('from=2026-W33');
    expect(lines[3]).toContain('to=2026-W44');
  });

  it('refuses a kind it does not know, a bad time and a bad limit, naming what it accepts', async () => {
    const kind = await cli('audit', 'list', '--kind', 'everything');
    expect(kind.code).toBe(1);
    expect(kind.out).toBe('');
    expect(kind.err).toContain('--kind');
    expect(kind.err).toContain('expected one of committee_subscribed,');
    const since = await cli('audit', 'list', '--since', 'yesterday');
    expect(since.code).toBe(1);
    expect(since.err).toContain('--since');
    const limit = await cli('audit', 'list', '--limit', '0');
    expect(limit.code).toBe(1);
    expect(limit.err).toContain('--limit');
  });
});
