import { spreadsheetCsv } from '../../lib/csv.js';
import type { AuditTrail } from '../audit/audit.repository.js';
import { sendFileToDm } from '../messaging/messaging.files.js';
import type { Messenger } from '../messaging/messaging.port.js';
import { INTERVIEW_QUESTIONS } from './rounds.content.js';
import type { RoundsRepository } from './rounds.repository.js';

/**
 * A staff member's own history as a spreadsheet (`/rate-service export`): every round they started,
 * with its customer, service, segment, both scores, the gap, and their customers' answers, which
 * are theirs to read already. Sent to them alone, in their DM with the app.
 */

/** More rounds than anyone starts in years; a guard, not a page. */
export const HISTORY_LIMIT = 10_000;

export const HISTORY_COLUMNS = [
  'round',
  'started',
  'completed',
  'status',
  'customer',
  'customer_in_slack',
  'service',
  'segment',
  'unit',
  'self_score',
  'customer_score',
  'gap',
  ...INTERVIEW_QUESTIONS.map((question) => question.key),
] as const;

type HistoryColumn = (typeof HISTORY_COLUMNS)[number];

export async function historyCsv(
  deps: { rounds: Pick<RoundsRepository, 'historyOf'> },
  staffUserId: string,
): Promise<{ csv: string; rounds: number }> {
  const history = await deps.rounds.historyOf(staffUserId, HISTORY_LIMIT);
  const rows = history.map(({ round, response }) => {
    const row: Record<HistoryColumn, string | number | null> = {
      round: round.id,
      started: round.createdAt.toISOString(),
      completed: round.completedAt?.toISOString() ?? null,
      status: round.status,
      customer: round.customerName,
      customer_in_slack: round.customerUserId ? 'yes' : 'no',
      service: round.service,
      segment: round.segment,
      unit: round.unit,
      self_score: round.selfScore,
      customer_score: response?.customerScore ?? null,
      gap: response ? response.customerScore - round.selfScore : null,
      needFromMe: null,
      whyDependOnMe: null,
      notAdequatelyProviding: null,
      concentrateOn: null,
      noLongerNeed: null,
      additionalComments: null,
    };
    for (const question of INTERVIEW_QUESTIONS) row[question.key] = response?.[question.key] ?? null;
    return row;
  });
  return { csv: spreadsheetCsv(HISTORY_COLUMNS, rows), rounds: rows.length };
}

export type HistorySent =
  | { ok: true; rounds: number }
  | { ok: false; code: 'history_not_sent'; error: string };

/** Builds the staff member's history and uploads it into their DM with the app. */
export async function sendHistory(
  deps: {
    rounds: Pick<RoundsRepository, 'historyOf'>;
    messenger: Messenger;
    clock: { now(): Date };
    audit: AuditTrail;
  },
  staffUserId: string,
): Promise<HistorySent> {
  const { csv, rounds } = await historyCsv(deps, staffUserId);
  const day = deps.clock.now().toISOString().slice(0, 10);
  const sent = await sendFileToDm(deps.messenger, staffUserId, {
    bytes: Buffer.from(csv, 'utf8'),
    filename: `my-service-rounds-${day}.csv`,
    title: `Your rounds, as of ${day}`,
  });
  if (!sent.ok) return { ok: false, code: 'history_not_sent', error: sent.error };
  await deps.audit.record({
    kind: 'history_exported',
    actor: staffUserId,
    rows: rounds,
    at: deps.clock.now(),
  });
  return { ok: true, rounds };
}
