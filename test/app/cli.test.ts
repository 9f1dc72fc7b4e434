import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { createRoundsRepository } from '../../src/modules/rounds/rounds.repository.js';
import { openMigratedDatabase } from '../../src/service.js';

/**
 * The operator CLI against a real embedded database in a temporary folder, exactly as an operator
 * runs it (same config loading, same migrations), with its output captured.
 */
let dir: string;
const savedEnv = { ...process.env };

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (text) => (out += text), err: (text) => (err += text) });
  return { code, out, err };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'service-radar-cli-'));
  process.env.PGLITE_DIR = dir;
  delete process.env.DATABASE_URL;
  const database = await openMigratedDatabase({
    PGLITE_DIR: dir,
    DATABASE_POOL_SIZE: 1,
    DATABASE_URL: undefined,
  });
  const rounds = createRoundsRepository({ db: database.db });
  const base = {
    customerName: 'Casey',
    service: 'Loans',
    serviceKey: 'loans',
    segment: 'core' as const,
    unit: 'Reference',
    selfScore: 8,
    interviewOn: '2026-12-01',
  };
  const first = await rounds.createRound({
    ...base,
    staffUserId: 'UAAA',
    customerUserId: 'UCUST',
    customerKey: 'slack:UCUST',
    sourceViewId: 'V1',
    createdAt: new Date('2026-11-01T10:00:00Z'),
  });
  await rounds.createRound({
    ...base,
    staffUserId: 'UBBB',
    customerUserId: null,
    customerName: 'Pat',
    customerKey: 'name:pat',
    sourceViewId: 'V2',
    createdAt: new Date('2026-11-02T10:00:00Z'),
  });
  await rounds.recordResponse(
    {
      roundId: first.round.id,
      customerScore: 5,
      needFromMe: 'a',
      whyDependOnMe: 'b',
      notAdequatelyProviding: 'c',
      concentrateOn: 'd',
      noLongerNeed: 'e',
      answeredByUserId: 'UCUST',
      recordedOnBehalf: false,
      sourceViewId: 'VR',
    },
    new Date('2026-11-03T10:00:00Z'),
  );
  await database.close();
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  await rm(dir, { recursive: true, force: true });
});

describe('operator CLI', () => {
  it('rounds list prints a table, newest first', async () => {
    const { code, out } = await cli('rounds', 'list');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+status\s+staffUserId/);
    expect(lines[2]).toMatch(/^2\s+awaiting_customer\s+UBBB\s+Pat/);
    expect(lines[3]).toMatch(/^1\s+completed\s+UAAA\s+UCUST\s+Loans\s+Reference\s+8\s+5\s+-3/);
  });

  it('rounds list --staff --json filters and prints JSON', async () => {
    const { code, out } = await cli('rounds', 'list', '--staff', 'UAAA', '--json');
    expect(code).toBe(0);
    const rows = JSON.parse(out);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: 1,
      staffUserId: 'UAAA',
      selfScore: 8,
      customerScore: 5,
      gap: -3,
      status: 'completed',
    });
  });

  it('refuses a malformed user id with a clear message and a non-zero exit', async () => {
    const { code, err } = await cli('rounds', 'list', '--staff', 'bob');
    expect(code).not.toBe(0);
    expect(err).toContain('expected a Slack user id');
  });

  it('refuses to open the embedded database while another live process holds it', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'service-radar.lock'), String(process.ppid));
    const { code, err } = await cli('rounds', 'list');
    expect(code).toBe(1);
    expect(err).toContain('in use by process');
    await rm(join(dir, 'service-radar.lock'));
  });

  it('db migrate applies migrations and says so', async () => {
    const { code, out } = await cli('db', 'migrate');
    expect(code).toBe(0);
    expect(out).toContain('Migrations applied (pglite)');
  });
});
