import type { Clock } from '../../lib/clock.js';
import { withTimeout } from '../../lib/timeout.js';
import { type AdministratorAccess, checkAdministrator } from '../people/people.administrators.js';
import type { ManagerAccess } from '../plans/plans.port.js';
import type { PracticesRepository } from '../practices/practices.repository.js';
import { practicesForHome } from '../practices/practices.usecases.js';
import { type CustomersHomeDeps, customersHome } from './home.customers.js';
import type { AdminHome, HomeData } from './home.data.js';
import type { HomeSurface } from './home.port.js';
import type { HomeRepository } from './home.repository.js';
import { buildHomeView } from './home.views.js';

/**
 * A person's Home tab, as plain data: what they are waiting to answer, the rounds waiting for their
 * customers, their gap over the last year, their plans, and, for an admin, how the app is doing.
 * src/modules/home/home.views.ts draws it; the Slack layer publishes it.
 */

/** How many of each list a Home shows in full; the rest are counted. */
export const HOME_LIST_LIMIT = 10;
/** Admins' lists are longer: they are the only place these are shown. */
export const HOME_ADMIN_LIST_LIMIT = 15;
/** How long Slack may take to say whether someone is a manager or an admin, off the ack's path. */
const ROLE_CHECK_MS = 2_500;
const DAY_MS = 86_400_000;

export interface HomeDeps {
  home: HomeRepository;
  practices: PracticesRepository;
  clock: Clock;
  managers: ManagerAccess;
  administrators: AdministratorAccess;
  adminUserIds: readonly string[];
  cadenceDays: number;
  /** Their customers and services (the circles' picture is uploaded through it); left out without. */
  customers?: CustomersHomeDeps;
}

/** Everything a person's Home shows, read fresh. Slack's silence on a role shows the smaller Home. */
export async function homeFor(deps: HomeDeps, userId: string): Promise<HomeData> {
  const now = deps.clock.now();
  const yearAgo = new Date(now.getTime() - 365 * DAY_MS);
  const [waitingForYou, openRounds, completed, plans, manager, admin, practices, customers] =
    await Promise.all([
      deps.home.waitingFor(userId, HOME_LIST_LIMIT),
      deps.home.openRoundsOf(userId, HOME_LIST_LIMIT),
      deps.home.completedSince(userId, yearAgo),
      deps.home.plansOf(userId, HOME_LIST_LIMIT),
      deps.managers.check(userId, { timeoutMs: ROLE_CHECK_MS }).catch(() => 'unknown' as const),
      // Slack slow or down: the smaller Home, as for a manager check that times out.
      withTimeout(checkAdministrator(deps.administrators, deps.adminUserIds, userId), ROLE_CHECK_MS).catch(
        () => undefined,
      ),
      practicesForHome(deps, { userId, now }),
      deps.customers ? customersHome(deps.customers, userId) : undefined,
    ]);
  return {
    userId,
    generatedAt: now,
    waitingForYou,
    openRounds,
    completed,
    plans,
    isManager: manager === 'manager',
    practices,
    admin: admin?.ok ? await adminHome(deps, now) : null,
    ...(customers !== undefined ? { customers } : {}),
  };
}

async function adminHome(deps: HomeDeps, now: Date): Promise<AdminHome> {
  const since = new Date(now.getTime() - deps.cadenceDays * DAY_MS);
  const [committees, notStarted, muted] = await Promise.all([
    deps.home.committeesWithLastPost(HOME_ADMIN_LIST_LIMIT),
    deps.home.staffWithoutRoundSince(since, HOME_ADMIN_LIST_LIMIT),
    deps.home.mutedPeople(now, HOME_ADMIN_LIST_LIMIT),
  ]);
  return { committees, notStarted, cadenceDays: deps.cadenceDays, muted };
}

// ---------------------------------------------------------------------------------------------
// Publishing

export interface HomePublishDeps extends HomeDeps {
  surface: HomeSurface;
}

/** Builds a person's Home from the database and publishes it. */
export async function publishHome(
  deps: HomePublishDeps,
  userId: string,
): Promise<{ ok: true } | { ok: false; error: string }> {
  const data = await homeFor(deps, userId);
  return deps.surface.publish(userId, buildHomeView(data));
}

export type HomeOpened = 'published' | 'duplicate' | 'not_home';

/**
 * `app_home_opened`: the person opened the app's Home (or its Messages tab, which needs nothing).
 * Slack's retry of a delivery carries the same event id and publishes nothing more.
 */
export async function homeOpened(
  deps: Pick<HomeDeps, 'home' | 'clock'> & { publishNow(userId: string): Promise<void> },
  { eventId, userId, tab }: { eventId: string; userId: string; tab: string | undefined },
): Promise<HomeOpened> {
  if (tab !== undefined && tab !== 'home') return 'not_home';
  if (!(await deps.home.claimOpening(eventId, deps.clock.now()))) return 'duplicate';
  await deps.home.noteOpened(userId, deps.clock.now());
  await deps.publishNow(userId);
  return 'published';
}

/**
 * After a change: republishes the person's Home if they have ever opened it. One nobody has opened
 * is neither built nor sent (views.publish is Tier 4, and a round touches two people); opening it
 * publishes it, current.
 */
export async function republishHome(
  deps: HomePublishDeps,
  userId: string,
): Promise<{ ok: true; published: boolean } | { ok: false; error: string }> {
  if (!(await deps.home.hasOpened(userId))) return { ok: true, published: false };
  const published = await publishHome(deps, userId);
  return published.ok ? { ok: true, published: true } : published;
}
