import type { Clock } from '../../lib/clock.js';
import { withTimeout } from '../../lib/timeout.js';
import {
  type CirclesLayout,
  circlesHash,
  circlesInWords,
  circlesLayout,
  customersFrom,
  drawCircles,
} from './home.circles.js';
import type { HomeCustomersRepository } from './home.customers.repository.js';
import { type ServicesGrid, servicesGrid } from './home.services.js';

/**
 * The Home's "Your customers" and "Your services", read from a staff member's rounds; and the
 * circles' picture, uploaded once per change of what it shows.
 */

/**
 * Where the circles' picture goes: src/slack/picture-store.ts uploads it to Slack (files upload,
 * shared in no channel), so an image block can show it by its file id.
 */
export interface PictureStore {
  upload(file: {
    bytes: Buffer;
    filename: string;
    title: string;
    altText: string;
  }): Promise<{ ok: true; fileId: string; permalink: string | null } | { ok: false; error: string }>;
  /** Deletes a picture a newer one replaced (best effort: the app's own file, shared in no channel). */
  remove(fileId: string): Promise<{ ok: true } | { ok: false; error: string }>;
}

/** How a Slack customer's name is found when the people cache has none. */
export interface CustomerNames {
  lookup(userId: string, options: { timeoutMs: number }): Promise<{ name: string } | undefined>;
}

export interface CustomersHome {
  /** Everyone in the circles, drawn or counted. */
  total: number;
  layout: CirclesLayout;
  /** The alt text: the picture in words. */
  inWords: string;
  /** The uploaded picture, or null when the upload failed (the Home says it in words instead). */
  picture: { fileId: string; permalink: string | null } | null;
  grid: ServicesGrid;
}

export interface CustomersHomeDeps {
  customers: HomeCustomersRepository;
  pictures: PictureStore;
  clock: Clock;
  names?: CustomerNames;
}

/** Slack names looked up per Home (the rest take a neutral label), and how long that may take. */
const NAME_LOOKUPS = 20;
export const NAME_LOOKUP_MS = 1_500;

/** A staff member's customers and services; null when they have no round yet. */
export async function customersHome(deps: CustomersHomeDeps, userId: string): Promise<CustomersHome | null> {
  const rounds = await deps.customers.roundsOf(userId);
  if (rounds.length === 0) return null;
  const customers = customersFrom(rounds, await namesOf(deps, rounds));
  const layout = circlesLayout(customers);
  const inWords = circlesInWords(layout);
  return {
    total: customers.length,
    layout,
    inWords,
    picture: await circlesPicture(deps, userId, layout, inWords),
    grid: servicesGrid(rounds, customers),
  };
}

/** Names for Slack customers the cache does not know, each asked for briefly, all at once. */
async function namesOf(
  deps: CustomersHomeDeps,
  rounds: Awaited<ReturnType<HomeCustomersRepository['roundsOf']>>,
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const { names: directory } = deps;
  if (!directory) return names;
  const unknown = [
    ...new Set(
      rounds
        .filter((round) => round.customerUserId && round.cachedName === null)
        .map((round) => round.customerUserId as string),
    ),
  ].slice(0, NAME_LOOKUPS);
  await Promise.all(
    unknown.map(async (id) => {
      // Bounded here too, whatever the directory does with its own timeout: the Home never waits long.
      const person = await withTimeout(
        directory.lookup(id, { timeoutMs: NAME_LOOKUP_MS }),
        NAME_LOOKUP_MS + 200,
      ).catch(() => undefined);
      if (person?.name && person.name !== id) names.set(id, person.name);
    }),
  );
  return names;
}

/**
 * The circles' uploaded file: the one kept for this person when the picture shows the same, or a
 * new upload (drawn only then). A failed upload is null, and the next publish tries again.
 */
export async function circlesPicture(
  deps: Pick<CustomersHomeDeps, 'customers' | 'pictures' | 'clock'>,
  userId: string,
  layout: CirclesLayout,
  altText: string,
): Promise<{ fileId: string; permalink: string | null } | null> {
  const pictureHash = circlesHash(layout);
  const kept = await deps.customers.pictureOf(userId);
  if (kept?.pictureHash === pictureHash) return { fileId: kept.fileId, permalink: kept.permalink };
  let uploaded: Awaited<ReturnType<PictureStore['upload']>>;
  try {
    uploaded = await deps.pictures.upload({
      bytes: drawCircles(layout),
      filename: 'your-customers.png',
      title: 'Your customers, in circles',
      altText,
    });
  } catch (error) {
    uploaded = { ok: false, error: error instanceof Error ? error.message : 'drawing_failed' };
  }
  if (!uploaded.ok) return null;
  await deps.customers.savePicture({
    userId,
    pictureHash,
    fileId: uploaded.fileId,
    permalink: uploaded.permalink,
    uploadedAt: deps.clock.now(),
  });
  // The picture it replaces shows what is no longer so (a name since forgotten, an old score).
  if (kept && kept.fileId !== uploaded.fileId) await deps.pictures.remove(kept.fileId).catch(() => undefined);
  return { fileId: uploaded.fileId, permalink: uploaded.permalink };
}
