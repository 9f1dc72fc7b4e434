import { and, desc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { type AuditEntry, type AuditKind, auditLog } from '../../db/schema.js';

type Executor = Pick<Database, 'insert'>;

/** One thing to record: who did what kind of thing, to what, with how many rows. */
export interface AuditRecord {
  kind: AuditKind;
  /** A Slack user id, `cli:<login>`, or `scheduler`. */
  actor: string;
  subject?: string | null;
  rows?: number | null;
  /** Settings, ranges, counts: never anyone's words. */
  detail?: Record<string, unknown>;
  at: Date;
}

/**
 * Records one entry through `executor`: the database, or the transaction of the change it records,
 * so the change and its entry are committed together or not at all.
 */
export async function recordAudit(executor: Executor, record: AuditRecord): Promise<void> {
  await executor.insert(auditLog).values({
    kind: record.kind,
    actor: record.actor,
    subject: record.subject ?? null,
    rows: record.rows ?? null,
    detail: record.detail ?? {},
    createdAt: record.at,
  });
}

export interface AuditQuery {
  limit: number;
  kind?: AuditKind | undefined;
  /** Only entries at or after this instant. */
  since?: Date | undefined;
  /** Only entries before this instant. */
  until?: Date | undefined;
}

/** The audit log: written by what it records, read by `audit list`. */
export function createAuditRepository({ db }: { db: Database }) {
  return {
    record: (record: AuditRecord) => recordAudit(db, record),

    /** Newest first. */
    async list(query: AuditQuery): Promise<AuditEntry[]> {
      const conditions: SQL[] = [];
      if (query.kind) conditions.push(eq(auditLog.kind, query.kind));
      if (query.since) conditions.push(gte(auditLog.createdAt, query.since));
      if (query.until) conditions.push(lt(auditLog.createdAt, query.until));
      return db
        .select()
        .from(auditLog)
        .where(conditions.length > 0 ? and(...conditions) : undefined)
        .orderBy(desc(auditLog.createdAt), sql`${auditLog.id} desc`)
        .limit(query.limit);
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;

/** What use cases need of the audit log: to add to it. */
export type AuditTrail = Pick<AuditRepository, 'record'>;
