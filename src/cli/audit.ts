import { type Command, InvalidArgumentError } from 'commander';
import { AUDIT_KINDS, type AuditKind } from '../db/schema.js';
import { type CliContext, isoInstant, jsonLines, positiveInt, table } from './shared.js';

const auditKind = (value: string): AuditKind => {
  const kind = AUDIT_KINDS.find((one) => one === value);
  if (!kind) throw new InvalidArgumentError(`expected one of ${AUDIT_KINDS.join(', ')}`);
  return kind;
};

/** A detail's values on one line: `units=Reference,Loans hour=9`, lists joined by commas. */
const detailLine = (detail: Record<string, unknown>): string =>
  Object.entries(detail)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => {
      if (Array.isArray(value)) return `${key}=${value.join(',') || '-'}`;
      if (typeof value === 'object') return `${key}=${JSON.stringify(value)}`;
      return `${key}=${String(value)}`;
    })
    .join(' ');

/** `audit list`: what was done with the library's data, by whom, newest first. */
export function registerAuditCommands(program: Command, { output, withRepositories }: CliContext): void {
  program
    .command('audit')
    .description(
      'The audit log: committee subscriptions and settings, exports, erasures, backups, restores, copies',
    )
    .command('list')
    .description('List audit entries, newest first')
    .option('--limit <n>', 'at most this many', positiveInt, 100)
    .option('--kind <kind>', `only this kind: ${AUDIT_KINDS.join(', ')}`, auditKind)
    .option('--since <time>', 'only entries at or after this ISO time, e.g. 2026-11-01', isoInstant)
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { limit: number; kind?: AuditKind; since?: Date; json?: boolean }) => {
      await withRepositories(async ({ audit }) => {
        const entries = (
          await audit.list({ limit: options.limit, kind: options.kind, since: options.since })
        ).map((entry) => ({
          id: entry.id,
          at: entry.createdAt.toISOString(),
          kind: entry.kind,
          actor: entry.actor,
          subject: entry.subject,
          rows: entry.rows,
          detail: entry.detail,
        }));
        if (options.json) output.out(jsonLines(entries));
        else if (entries.length === 0) output.out('The audit log has no entries yet.\n');
        else
          output.out(
            `${table(
              entries.map((entry) => ({ ...entry, detail: detailLine(entry.detail) })),
              ['id', 'at', 'kind', 'actor', 'subject', 'rows', 'detail'],
            )}\n`,
          );
      });
    });
}
