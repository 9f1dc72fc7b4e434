import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { homePictures, roundResponses } from '../../../src/db/schema.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { SEGMENTS } from '../../../src/modules/home/home.circles.js';
import {
  type CustomerNames,
  NAME_LOOKUP_MS,
  type PictureStore,
} from '../../../src/modules/home/home.customers.js';
import { createHomeCustomersRepository } from '../../../src/modules/home/home.customers.repository.js';
import { NOT_RATED_CELL, SERVICES_TABLE_BLOCK_ID } from '../../../src/modules/home/home.customers.views.js';
import { createHomeRepository } from '../../../src/modules/home/home.repository.js';
import { type HomeDeps, homeFor } from '../../../src/modules/home/home.usecases.js';
import { buildHomeView } from '../../../src/modules/home/home.views.js';
import { createPracticesRepository } from '../../../src/modules/practices/practices.repository.js';
import { expectWithinBlockKitLimits } from '../../helpers/block-kit-limits.js';
import { cacheName, seedCustomerRound } from '../../helpers/customer-rounds.js';
import { describeEachDatabase } from '../../helpers/database.js';

const STAFF = 'USTAFF';
const NOW = new Date('2026-12-01T12:00:00Z');
const DAY = 86_400_000;

interface Table {
  type: 'table';
  block_id?: string;
  rows: { type: string; text: string }[][];
}

describeEachDatabase("a staff member's customers and services on the Home", (getDb) => {
  const db = () => getDb().handle.db;
  const uploads: Parameters<PictureStore['upload']>[0][] = [];
  const removed: string[] = [];
  const pictures: PictureStore = {
    async upload(file) {
      uploads.push(file);
      return {
        ok: true,
        fileId: `F${uploads.length}`,
        permalink: `https://files.example/F${uploads.length}`,
      };
    },
    async remove(fileId) {
      removed.push(fileId);
      return { ok: true };
    },
  };
  const deps = (): HomeDeps => {
    uploads.length = 0;
    removed.length = 0;
    const clock = fixedClock(NOW);
    return {
      home: createHomeRepository({ db: db() }),
      practices: createPracticesRepository({ db: db() }),
      clock,
      managers: { check: async () => 'not_manager' as const },
      administrators: { person: async () => 'unknown' as const },
      adminUserIds: [],
      cadenceDays: 90,
      customers: { customers: createHomeCustomersRepository({ db: db() }), pictures, clock },
    };
  };
  const tableOf = (view: ReturnType<typeof buildHomeView>) =>
    view.blocks.find((block) => block.type === 'table') as unknown as Table | undefined;

  it('builds a Home within Block Kit and table limits for 500 rounds, 60 customers and 40 services', async () => {
    const home = deps();
    for (let i = 0; i < 500; i++) {
      const c = i % 60;
      await seedCustomerRound(db(), {
        staff: STAFF,
        customer: c % 2 ? { userId: `UC${c}` } : { name: `Outside customer ${c}` },
        service: `Service ${(i * 7) % 40}`,
        segment: SEGMENTS[c % 4] ?? 'core',
        ...(i % 3 ? { score: (i % 10) + 1 } : {}),
        createdAt: new Date(NOW.getTime() - (500 - i) * DAY),
      });
    }
    const data = await homeFor(home, STAFF);
    expect(data.customers?.total).toBe(60);
    const view = buildHomeView(data);
    expectWithinBlockKitLimits('home', view);
    const table = tableOf(view);
    expect(table).toBeDefined();
    expect(table?.rows.length).toBeLessThanOrEqual(100);
    expect(Math.max(...(table?.rows ?? []).map((row) => row.length))).toBeLessThanOrEqual(20);
    // 45 customers outside the outer circle use services: 19 columns shown, 26 said to be left out.
    expect(table?.rows[0]).toHaveLength(20);
    expect(JSON.stringify(view)).toContain('Left out to fit: 26 customers.');
    // The outer circle's 15 customers: 10 listed with what they could use, 5 counted.
    expect(JSON.stringify(view)).toContain('And 5 more customers in the outer circle.');
    const image = view.blocks.find((block) => block.type === 'image') as { slack_file?: { id: string } };
    expect(image?.slack_file).toEqual({ id: 'F1' });
    expect(uploads).toHaveLength(1);
  });

  it("fills each cell with that customer's latest score for that service, empty of a score when never rated", async () => {
    const home = deps();
    await cacheName(db(), 'UCASEY', 'Casey Customer');
    const days = (n: number) => new Date(NOW.getTime() - n * DAY);
    await seedCustomerRound(db(), {
      staff: STAFF,
      customer: { userId: 'UCASEY' },
      service: 'Loans',
      segment: 'core',
      score: 4,
      createdAt: days(30),
    });
    await seedCustomerRound(db(), {
      staff: STAFF,
      customer: { userId: 'UCASEY' },
      service: 'Loans',
      segment: 'core',
      score: 8,
      createdAt: days(10),
    });
    await seedCustomerRound(db(), {
      staff: STAFF,
      customer: { name: 'Pat Patron' },
      service: 'Local history',
      segment: 'regular',
      score: 6,
      createdAt: days(5),
    });
    await seedCustomerRound(db(), {
      staff: STAFF,
      customer: { name: 'Pat Patron' },
      service: 'Loans',
      segment: 'regular',
      createdAt: days(4),
    });
    await seedCustomerRound(db(), {
      staff: STAFF,
      customer: { name: 'Dana Department' },
      service: 'Study rooms',
      segment: 'should_be',
      createdAt: days(3),
    });
    const view = buildHomeView(await homeFor(home, STAFF));
    const table = tableOf(view);
    expect(table?.block_id).toBe(SERVICES_TABLE_BLOCK_ID);
    expect(table?.rows.map((row) => row.map((cell) => cell.text))).toEqual([
      ['Service', 'Casey Customer', 'Pat Patron'],
      ['Loans', '8', NOT_RATED_CELL],
      ['Local history', NOT_RATED_CELL, '6'],
    ]);
    const text = JSON.stringify(view);
    // The outer circle: Dana could use what the others use.
    expect(text).toContain("Should be, but aren't: services they could use");
    expect(text).toContain('Dana Department');
    expect(text).toContain(': Loans, Local history.');
    expect(text).toContain('Core (1): Casey Customer (8/10).');
  });

  it('uploads the picture again only when what it shows changed', async () => {
    const home = deps();
    const id = await seedCustomerRound(db(), {
      staff: STAFF,
      customer: { name: 'Pat Patron' },
      service: 'Loans',
      segment: 'core',
      score: 7,
      createdAt: new Date(NOW.getTime() - DAY),
    });
    const first = await homeFor(home, STAFF);
    const second = await homeFor(home, STAFF);
    expect(uploads).toHaveLength(1);
    expect(second.customers?.picture).toEqual(first.customers?.picture);
    expect(removed).toEqual([]);
    expect(await db().select().from(homePictures)).toMatchObject([{ userId: STAFF, fileId: 'F1' }]);

    await db().update(roundResponses).set({ customerScore: 3 }).where(eq(roundResponses.roundId, id));
    const third = await homeFor(home, STAFF);
    expect(uploads).toHaveLength(2);
    expect(third.customers?.picture?.fileId).toBe('F2');
    // The replaced picture is deleted from Slack.
    expect(removed).toEqual(['F1']);
    expect(await db().select().from(homePictures)).toMatchObject([{ userId: STAFF, fileId: 'F2' }]);
  });

  it('says the circles in words when the upload fails, and tries again next time', async () => {
    const home = deps();
    const failing: PictureStore = { ...pictures, upload: async () => ({ ok: false, error: 'ratelimited' }) };
    await seedCustomerRound(db(), {
      staff: STAFF,
      customer: { name: 'Pat Patron' },
      service: 'Loans',
      segment: 'occasional',
      score: 9,
      createdAt: new Date(NOW.getTime() - DAY),
    });
    const customers = home.customers;
    if (!customers) throw new Error('no customers deps');
    const data = await homeFor({ ...home, customers: { ...customers, pictures: failing } }, STAFF);
    const view = buildHomeView(data);
    expect(view.blocks.some((block) => block.type === 'image')).toBe(false);
    expect(JSON.stringify(view)).toContain('Occasional (1): Pat Patron (9/10).');
    expect(await db().select().from(homePictures)).toEqual([]);
    await homeFor(home, STAFF);
    expect(uploads).toHaveLength(1);
  });

  it('names Slack customers by the directory, and neutrally when Slack does not answer in time', async () => {
    const home = deps();
    for (const userId of ['UFOUND', 'USLOW'])
      await seedCustomerRound(db(), {
        staff: STAFF,
        customer: { userId },
        service: 'Loans',
        segment: 'regular',
        score: 7,
        createdAt: new Date(NOW.getTime() - DAY),
      });
    const customers = home.customers;
    if (!customers) throw new Error('no customers deps');
    const names: CustomerNames = {
      lookup: (userId) =>
        userId === 'UFOUND' ? Promise.resolve({ name: 'Found Person' }) : new Promise(() => undefined),
    };
    const started = Date.now();
    const data = await homeFor({ ...home, customers: { ...customers, names } }, STAFF);
    expect(Date.now() - started).toBeLessThan(NAME_LOOKUP_MS + 1_500);
    expect(data.customers?.grid.customers.map((c) => c.label).sort()).toEqual([
      'Colleague 1',
      'Found Person',
    ]);
  });

  it('shows nothing but a sentence to someone without rounds', async () => {
    const view = buildHomeView(await homeFor(deps(), STAFF));
    const text = JSON.stringify(view);
    expect(text).toContain('Your customers');
    expect(text).toContain('No customer uses your services yet');
    expect(view.blocks.some((block) => block.type === 'table' || block.type === 'image')).toBe(false);
    expect(uploads).toHaveLength(0);
  });
});
