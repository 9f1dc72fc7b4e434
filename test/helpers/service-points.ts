import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { type ServicePoint, walkUpAnswers } from '../../src/db/schema.js';
import { hashToken, newSalt, newToken } from '../../src/lib/tokens.js';
import { createServicePointsRepository } from '../../src/modules/service-points/service-points.repository.js';

/** Adds a service point through the repository, as `/service-point add` does. */
export async function seedServicePoint(
  db: Database,
  point: { name: string; unit?: string; owner?: string; createdAt?: Date },
): Promise<ServicePoint> {
  const added = await createServicePointsRepository({ db }).add({
    name: point.name,
    unit: point.unit ?? 'Reference',
    ownerUserId: point.owner ?? 'UOWNER',
    createdByUserId: 'UADMIN',
    linkSalt: newSalt(),
    tokenHash: hashToken(newToken()),
    createdAt: point.createdAt ?? new Date('2026-01-05T09:00:00Z'),
  });
  if (!added) throw new Error(`service point ${point.name} not added`);
  return added;
}

/** Stores one walk-up answer at an exact instant, through the repository the walk-up page uses. */
export async function seedWalkUp(
  db: Database,
  servicePointId: number,
  answer: {
    experience: number;
    expectation: number;
    at: Date;
    doBetter?: string | null;
    noLongerNeed?: string | null;
    spam?: boolean;
  },
): Promise<number> {
  const row = await createServicePointsRepository({ db }).addAnswer({
    servicePointId,
    experience: answer.experience,
    expectation: answer.expectation,
    doBetter: answer.doBetter ?? null,
    noLongerNeed: answer.noLongerNeed ?? null,
    language: 'en',
    suspectedSpam: answer.spam ?? false,
    createdAt: answer.at,
  });
  return row.id;
}

/** Marks an answer erased as the retention job leaves it (words null), or, with `keepWords`, a damaged row that still holds them. */
export async function markErased(db: Database, id: number, at: Date, keepWords = false): Promise<void> {
  await db
    .update(walkUpAnswers)
    .set(keepWords ? { erasedAt: at } : { erasedAt: at, doBetter: null, noLongerNeed: null })
    .where(eq(walkUpAnswers.id, id));
}
