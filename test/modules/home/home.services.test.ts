import { describe, expect, it } from 'vitest';
import { customersFrom, type Segment } from '../../../src/modules/home/home.circles.js';
import type { CustomerRound } from '../../../src/modules/home/home.customers.repository.js';
import {
  COULD_USE_CUSTOMERS,
  COULD_USE_SERVICES,
  GRID_CUSTOMERS,
  GRID_SERVICES,
  servicesGrid,
} from '../../../src/modules/home/home.services.js';

let id = 0;
const round = (customer: number, service: number, segment: Segment, score: number | null): CustomerRound => ({
  id: ++id,
  createdAt: new Date(Date.UTC(2026, 0, 1) + id * 60_000),
  customerKey: `name:c${customer}`,
  customerUserId: null,
  customerName: `C${customer}`,
  cachedName: null,
  service: `Service ${service}`,
  serviceKey: `service ${service}`,
  segment,
  customerScore: score,
});

describe("the services' grid", () => {
  it("cuts to Slack's table and counts what it left out", () => {
    const rounds: CustomerRound[] = [];
    // 25 customers in the inner rings, 120 services; 12 customers in the outer circle.
    for (let s = 0; s < 120; s++) rounds.push(round(s % 25, s, 'regular', (s % 10) + 1));
    for (let c = 100; c < 112; c++) rounds.push(round(c, 0, 'should_be', null));
    rounds.reverse(); // newest first, as the repository reads them
    const grid = servicesGrid(rounds, customersFrom(rounds));
    expect(grid.customers).toHaveLength(GRID_CUSTOMERS);
    expect(grid.omittedCustomers).toBe(25 - GRID_CUSTOMERS);
    expect(grid.rows).toHaveLength(GRID_SERVICES);
    expect(grid.omittedServices).toBe(120 - GRID_SERVICES);
    expect(grid.rows.every((row) => row.scores.length === GRID_CUSTOMERS)).toBe(true);
    expect(grid.couldUse).toHaveLength(COULD_USE_CUSTOMERS);
    expect(grid.omittedCouldUse).toBe(12 - COULD_USE_CUSTOMERS);
    // Each outer-circle customer already had a round about Service 0: it is not offered to them.
    for (const entry of grid.couldUse) {
      expect(entry.services).toHaveLength(COULD_USE_SERVICES);
      expect(entry.services).not.toContain('Service 0');
      expect(entry.moreServices).toBe(119 - COULD_USE_SERVICES);
    }
  });

  it("keeps each customer's latest score for a service, and an unanswered round empty", () => {
    const rounds = [
      round(1, 1, 'core', null), // the newest: unanswered, so the score before it stands
      round(1, 1, 'core', 8),
      round(1, 1, 'core', 3),
      round(2, 2, 'occasional', null),
    ];
    const grid = servicesGrid(rounds, customersFrom(rounds));
    expect(grid.customers.map((c) => c.label)).toEqual(['C1', 'C2']);
    expect(grid.rows.map((row) => [row.service, ...row.scores])).toEqual([
      ['Service 1', 8, null],
      ['Service 2', null, null],
    ]);
  });
});
