import type { ServicePoint } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { hashToken, newSalt } from '../../lib/tokens.js';
import type { Messenger } from '../messaging/messaging.port.js';
import { type AdministratorAccess, checkAdministrator } from '../people/people.administrators.js';
import { type PeopleDirectory, PersonLookupError } from '../people/people.directory.js';
import type { ServicePointCommand } from './service-points.command.js';
import { servicePointToken, servicePointUrl } from './service-points.links.js';
import type {
  PostersSent,
  ServicePointCode,
  ServicePointOutcome,
  ServicePointShown,
} from './service-points.outcomes.js';
import { POSTER_SIZE_ORDER, POSTER_SIZES, renderPoster } from './service-points.poster.js';
import type { ServicePointsRepository } from './service-points.repository.js';
import { buildPostersMessage } from './service-points.views.js';
import { POSTER_WORDS } from './service-points.words.js';

/**
 * `/service-point`: admins add, list, re-send the posters of and retire service points. Each
 * intent is a use case over plain values; the Slack listener only reads the payload and shows the
 * outcome. Outcomes are codes; the sentences are in service-points.words.ts.
 */

/** What making a point's link and poster needs; undefined when PUBLIC_URL and LINK_SECRET are unset. */
export interface ServicePointLinkSettings {
  /** PUBLIC_URL, without a trailing slash. */
  publicUrl: string;
  linkSecret: string;
  /** LIBRARY_NAME, printed at the top of every poster. */
  libraryName: string;
}

export interface ServicePointCommandDeps {
  servicePoints: ServicePointsRepository;
  access: AdministratorAccess;
  /** ADMIN_USER_IDS: admins besides Slack's workspace admins and owners. */
  adminUserIds: readonly string[];
  messenger: Pick<Messenger, 'openDm' | 'post' | 'upload'>;
  /** Who a named owner is: a bot or someone who has left cannot read the weekly answers. */
  directory: PeopleDirectory;
  clock: Clock;
  links: ServicePointLinkSettings | undefined;
}

type Refused = { ok: false; code: ServicePointCode };
const refuse = (code: ServicePointCode): Refused => ({ ok: false, code });

function shown(point: ServicePoint, links: ServicePointLinkSettings): ServicePointShown {
  return {
    id: point.id,
    name: point.name,
    unit: point.unit,
    ownerUserId: point.ownerUserId,
    url: servicePointUrl(links.publicUrl, servicePointToken(links.linkSecret, point.linkSalt)),
  };
}

/** Both posters, A4 and US Letter, as PDF files. */
export async function posterFiles(point: ServicePointShown, libraryName: string, now: Date) {
  return Promise.all(
    POSTER_SIZE_ORDER.map(async (size) => ({
      bytes: await renderPoster({ libraryName, pointName: point.name, url: point.url }, size, now),
      filename: `service-point-${point.id}-poster-${size}.pdf`,
      title: POSTER_WORDS.fileTitle(point.name, POSTER_SIZES[size].label),
    })),
  );
}

/**
 * Sends the admin, in their DM with the app, a short note and the two posters (one file per paper
 * size, so each prints without choosing a page).
 */
async function sendPosters(
  deps: ServicePointCommandDeps,
  links: ServicePointLinkSettings,
  adminUserId: string,
  point: ServicePointShown,
): Promise<PostersSent> {
  // Drawn first, so that a poster that cannot be drawn leaves no note without files in the DM. The
  // point is stored either way: the admin is told to ask for its posters again.
  let files: Awaited<ReturnType<typeof posterFiles>>;
  try {
    files = await posterFiles(point, links.libraryName, deps.clock.now());
  } catch {
    return { ok: false, error: 'poster_not_drawn' };
  }
  const dm = await deps.messenger.openDm(adminUserId);
  if (!dm.ok) return { ok: false, error: dm.error };
  const note = await deps.messenger.post(dm.channel, buildPostersMessage(point));
  if (!note.ok) return { ok: false, error: note.error };
  for (const file of files) {
    const uploaded = await deps.messenger.upload(dm.channel, file);
    if (!uploaded.ok) return { ok: false, error: uploaded.error };
  }
  return { ok: true };
}

/** How long to wait for Slack to say who a named owner is, inside the command's reply. */
const OWNER_LOOKUP_TIMEOUT_MS = 2_000;

/** Whether the named owner can get the weekly DM: a person, in the workspace, whom Slack knows. */
async function checkOwner(directory: PeopleDirectory, userId: string): Promise<ServicePointCode | undefined> {
  try {
    const person = await directory.lookup(userId, { timeoutMs: OWNER_LOOKUP_TIMEOUT_MS });
    if (!person) return 'owner_unknown';
    if (person.isBot) return 'owner_bot';
    if (person.deleted) return 'owner_left';
    return undefined;
  } catch (error) {
    if (error instanceof PersonLookupError) return 'owner_lookup_failed';
    throw error;
  }
}

export async function addServicePoint(
  deps: ServicePointCommandDeps,
  links: ServicePointLinkSettings,
  {
    adminUserId,
    name,
    unit,
    ownerUserId,
  }: { adminUserId: string; name: string; unit: string; ownerUserId: string | null },
): Promise<ServicePointOutcome> {
  if (ownerUserId && ownerUserId !== adminUserId) {
    const refused = await checkOwner(deps.directory, ownerUserId);
    if (refused) return refuse(refused);
  }
  const linkSalt = newSalt();
  const added = await deps.servicePoints.add({
    name,
    unit,
    ownerUserId: ownerUserId ?? adminUserId,
    createdByUserId: adminUserId,
    linkSalt,
    tokenHash: hashToken(servicePointToken(links.linkSecret, linkSalt)),
    createdAt: deps.clock.now(),
  });
  if (!added) return refuse('name_taken');
  const point = shown(added, links);
  return { ok: true, kind: 'added', point, posters: await sendPosters(deps, links, adminUserId, point) };
}

export async function listServicePoints(
  deps: ServicePointCommandDeps,
  links: ServicePointLinkSettings,
): Promise<ServicePointOutcome> {
  const points = await deps.servicePoints.listActive();
  return { ok: true, kind: 'listed', points: points.map((point) => shown(point, links)) };
}

export async function resendPosters(
  deps: ServicePointCommandDeps,
  links: ServicePointLinkSettings,
  { adminUserId, name }: { adminUserId: string; name: string },
): Promise<ServicePointOutcome> {
  const found = await deps.servicePoints.findActiveByName(name);
  if (!found) return refuse('not_found');
  const point = shown(found, links);
  return {
    ok: true,
    kind: 'posters_sent',
    point,
    posters: await sendPosters(deps, links, adminUserId, point),
  };
}

/** Retires a point: its link then shows the "retired" page; its answers are kept. */
export async function retireServicePoint(
  deps: ServicePointCommandDeps,
  name: string,
): Promise<ServicePointOutcome> {
  const found = await deps.servicePoints.findActiveByName(name);
  if (!found) return refuse('not_found');
  const retired = await deps.servicePoints.retire(found.id, deps.clock.now());
  // Someone else retired it between the two statements: for this admin, it is not there any more.
  if (!retired) return refuse('not_found');
  return { ok: true, kind: 'retired', point: { id: retired.id, name: retired.name } };
}

/**
 * Runs a parsed command for an admin (help and unknown words are answered without this). Only
 * admins get past the first check, whatever they typed; retiring needs no links, the rest do.
 */
export async function runServicePointCommand(
  deps: ServicePointCommandDeps,
  adminUserId: string,
  command: Exclude<ServicePointCommand, { action: 'help' } | { action: 'unknown' }>,
): Promise<ServicePointOutcome> {
  const admin = await checkAdministrator(deps.access, deps.adminUserIds, adminUserId);
  if (!admin.ok) return refuse(admin.code);
  if ('invalid' in command) return refuse(command.invalid);
  if (command.action === 'retire') return retireServicePoint(deps, command.name);
  const links = deps.links;
  if (!links) return refuse('links_not_configured');
  switch (command.action) {
    case 'add':
      return addServicePoint(deps, links, { adminUserId, ...command });
    case 'list':
      return listServicePoints(deps, links);
    case 'poster':
      return resendPosters(deps, links, { adminUserId, name: command.name });
  }
}
