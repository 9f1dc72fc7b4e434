import type { NewReminder } from '../../db/schema.js';
import { expectationFigures } from '../digests/digests.service-points.js';
import { lastCompleteWeek, weekBounds, weekLabel } from '../digests/digests.weeks.js';
import type { KindHandler } from '../reminders/reminders.outbox.js';
import type { RemindersRepository } from '../reminders/reminders.repository.js';
import type { ServicePointsRepository } from './service-points.repository.js';
import { answerParts, buildOwnerWeeklyMessage, writtenAnswers } from './service-points.weekly.views.js';

/**
 * Once a week, after the library's week has ended, each service point's owner gets a DM with that
 * week's walk-up answers at their point: the figures (whatever the number of answers: it is their
 * own point) and every written answer not suspected of spam. The DM goes through the reminders'
 * outbox, one row per message, keyed `service_point_weekly:<point id>:<week>` (and `:<part>` for
 * the second message on), so several copies of the app sweeping at once queue it once and the
 * outbox sends it once. Nothing here logs a patron's words: the outbox logs ids and kinds only.
 */

export const SERVICE_POINT_WEEKLY = 'service_point_weekly';
/** How soon a part waiting for the one before it is offered again. */
const PART_WAIT_MS = 60_000;

export function weeklyKey(servicePointId: number, week: string, part = 1): string {
  const key = `${SERVICE_POINT_WEEKLY}:${servicePointId}:${week}`;
  return part === 1 ? key : `${key}:${part}`;
}

function parseWeeklyKey(key: string): { week: string; part: number } | undefined {
  const [kind, , week, part] = key.split(':');
  if (kind !== SERVICE_POINT_WEEKLY || !week) return undefined;
  const number = part === undefined ? 1 : Number(part);
  return Number.isInteger(number) && number >= 1 ? { week, part: number } : undefined;
}

export interface OwnerWeeklyDeps {
  servicePoints: Pick<ServicePointsRepository, 'find' | 'weekAnswers' | 'pointsAnsweredWithoutWeekly'>;
  reminders: Pick<RemindersRepository, 'schedule' | 'findByKey'>;
  /** LIBRARY_TIME_ZONE: the week is the digest's week. */
  libraryTimeZone: string;
}

async function weekView(deps: OwnerWeeklyDeps, servicePointId: number, week: string) {
  const point = await deps.servicePoints.find(servicePointId);
  if (!point) return undefined;
  const { start, end } = weekBounds(week, deps.libraryTimeZone);
  const { answers, spam } = await deps.servicePoints.weekAnswers(servicePointId, start, end);
  const figures = expectationFigures({
    answers: answers.length,
    experienceTotal: answers.reduce((sum, answer) => sum + answer.experience, 0),
    expectationTotal: answers.reduce((sum, answer) => sum + answer.expectation, 0),
  });
  return {
    point: { name: point.name, unit: point.unit },
    week: { id: week, label: weekLabel(week), timeZone: deps.libraryTimeZone },
    figures,
    spam,
    written: writtenAnswers(answers),
  };
}

/**
 * The sweep, on every reminders tick: for the last week that is over, queues the owner's DM of each
 * point that had an answer (not suspected spam) and has none queued yet. Returns how many messages
 * it queued. A point with no answer that week gets no DM.
 */
export async function scheduleOwnerWeeklyMessages(deps: OwnerWeeklyDeps, now: Date): Promise<number> {
  const week = lastCompleteWeek(now, deps.libraryTimeZone);
  const { start, end } = weekBounds(week, deps.libraryTimeZone);
  const due = await deps.servicePoints.pointsAnsweredWithoutWeekly(
    start,
    end,
    `${SERVICE_POINT_WEEKLY}:`,
    `:${week}`,
  );
  let queued = 0;
  for (const point of due) {
    const view = await weekView(deps, point.id, week);
    if (!view?.figures) continue;
    const rows: NewReminder[] = answerParts(view.written).map((_, index) => ({
      kind: SERVICE_POINT_WEEKLY,
      servicePointId: point.id,
      recipientUserId: point.ownerUserId,
      dueAt: now,
      dedupeKey: weeklyKey(point.id, week, index + 1),
    }));
    // One statement: a second copy's insert of the same keys adds nothing.
    queued += (await deps.reminders.schedule(rows)).length;
  }
  return queued;
}

/** What the owner's DM says when it is due, registered with the outbox in src/dependencies.ts. */
export function servicePointReminderKinds(
  deps: OwnerWeeklyDeps,
): Record<'service_point_weekly', KindHandler> {
  return {
    async service_point_weekly(reminder, now) {
      const key = parseWeeklyKey(reminder.dedupeKey);
      if (!key || !reminder.servicePointId) return { cancel: 'service_point_missing' };
      if (key.part > 1) {
        // Parts go in order: the next waits until the one before it has gone (or never will).
        const before = await deps.reminders.findByKey(
          weeklyKey(reminder.servicePointId, key.week, key.part - 1),
        );
        if (before && (before.state === 'pending' || before.state === 'sending'))
          return { wait: new Date(now.getTime() + PART_WAIT_MS), reason: 'waiting_for_earlier_part' };
      }
      const view = await weekView(deps, reminder.servicePointId, key.week);
      if (!view) return { cancel: 'service_point_missing' };
      const message = buildOwnerWeeklyMessage(view, key.part);
      return message ? { message } : { cancel: 'no_answers_left' };
    },
  };
}
