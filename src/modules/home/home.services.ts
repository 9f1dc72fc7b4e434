import { type Customer, SEGMENTS } from './home.circles.js';
import type { CustomerRound } from './home.customers.repository.js';

/**
 * "Your services", the handbook's second follow-up step: a grid of a staff member's services (rows)
 * against the customers who use them (columns), each cell the customer's latest score for that
 * service; and the customers in the outer circle (should be, but aren't) with the services others
 * use that they could use too.
 */

/** Slack's table: at most 20 cells a row (the service's name and 19 customers) and 100 rows (a header and 99 services). */
export const GRID_CUSTOMERS = 19;
export const GRID_SERVICES = 99;
/** How many outer-circle customers, and services for each, the Home lists. */
export const COULD_USE_CUSTOMERS = 10;
export const COULD_USE_SERVICES = 6;

export interface GridRow {
  serviceKey: string;
  service: string;
  /** One per shown customer, in column order: their latest score for this service, or null. */
  scores: (number | null)[];
}

export interface CouldUse {
  customer: Customer;
  services: string[];
  moreServices: number;
}

export interface ServicesGrid {
  customers: Customer[];
  rows: GridRow[];
  /** Customers (not in the outer circle) and services left out of the table. */
  omittedCustomers: number;
  omittedServices: number;
  couldUse: CouldUse[];
  omittedCouldUse: number;
}

/** The grid from a staff member's rounds (newest first) and their customers (customersFrom). */
export function servicesGrid(rounds: readonly CustomerRound[], customers: readonly Customer[]): ServicesGrid {
  const serviceNames = new Map<string, string>();
  /** serviceKey -> customerKey -> latest score (null: used, never rated). */
  const uses = new Map<string, Map<string, number | null>>();
  for (const round of rounds) {
    if (!serviceNames.has(round.serviceKey)) serviceNames.set(round.serviceKey, round.service);
    const users = uses.get(round.serviceKey) ?? new Map<string, number | null>();
    const known = users.get(round.customerKey);
    if (known === undefined || (known === null && round.customerScore !== null))
      users.set(round.customerKey, round.customerScore);
    uses.set(round.serviceKey, users);
  }

  const users = customers.filter((customer) => customer.segment !== 'should_be');
  const outer = customers.filter((customer) => customer.segment === 'should_be');
  const servicesOf = (key: string) => [...uses.entries()].filter(([, who]) => who.has(key)).length;
  const columns = [...users]
    .sort(
      (a, b) =>
        SEGMENTS.indexOf(a.segment) - SEGMENTS.indexOf(b.segment) ||
        servicesOf(b.key) - servicesOf(a.key) ||
        a.label.localeCompare(b.label),
    )
    .slice(0, GRID_CUSTOMERS);

  const userKeys = new Set(users.map((customer) => customer.key));
  const usedBy = (serviceKey: string) =>
    [...(uses.get(serviceKey)?.keys() ?? [])].filter((key) => userKeys.has(key)).length;
  const services = [...serviceNames.keys()]
    .filter((serviceKey) => usedBy(serviceKey) > 0)
    .sort(
      (a, b) => usedBy(b) - usedBy(a) || (serviceNames.get(a) ?? '').localeCompare(serviceNames.get(b) ?? ''),
    );
  const rows = services.slice(0, GRID_SERVICES).map(
    (serviceKey): GridRow => ({
      serviceKey,
      service: serviceNames.get(serviceKey) ?? serviceKey,
      scores: columns.map((customer) => uses.get(serviceKey)?.get(customer.key) ?? null),
    }),
  );

  const couldUse = outer.slice(0, COULD_USE_CUSTOMERS).map((customer): CouldUse => {
    const open = services.filter((serviceKey) => !uses.get(serviceKey)?.has(customer.key));
    return {
      customer,
      services: open
        .slice(0, COULD_USE_SERVICES)
        .map((serviceKey) => serviceNames.get(serviceKey) ?? serviceKey),
      moreServices: Math.max(0, open.length - COULD_USE_SERVICES),
    };
  });

  return {
    customers: columns,
    rows,
    omittedCustomers: users.length - columns.length,
    omittedServices: services.length - rows.length,
    couldUse,
    omittedCouldUse: outer.length - couldUse.length,
  };
}
