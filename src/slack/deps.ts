import type { Clock } from '../lib/clock.js';
import type { Logger } from '../logger.js';
import type { AuditTrail } from '../modules/audit/audit.repository.js';
import type { CommitteeCommandDeps } from '../modules/committees/committees.deps.js';
import type { HomeRefresh } from '../modules/home/home.port.js';
import type { HomeOpened } from '../modules/home/home.usecases.js';
import type { Installation } from '../modules/installation/installation.usecases.js';
import type { Messenger } from '../modules/messaging/messaging.port.js';
import type { DepartureDeps } from '../modules/people/people.departures.js';
import type { PeopleDirectory } from '../modules/people/people.directory.js';
import type { PlanDeps } from '../modules/plans/plans.usecases.js';
import type { PracticeDeps } from '../modules/practices/practices.usecases.js';
import type { ReminderDeps } from '../modules/reminders/reminders.deps.js';
import type { PatronLinkSettings } from '../modules/rounds/rounds.link-tokens.js';
import type { RoundPlans } from '../modules/rounds/rounds.port.js';
import type { RoundsRepository } from '../modules/rounds/rounds.repository.js';
import type { RoundAnnouncements } from '../modules/rounds/rounds.usecases.js';
import type { ServicePointCommandDeps } from '../modules/service-points/service-points.usecases.js';
import type { MetadataSeal } from './sealed-metadata.js';

/** What listeners are given: repositories, services and a clock; never a raw database handle. */
export interface ListenerDeps {
  /** The audit log: exports are recorded in it. */
  audit: AuditTrail;
  logger: Logger;
  clock: Clock;
  /** LIBRARY_TIME_ZONE: the calendar a form's default dates are counted in. */
  libraryTimeZone: string;
  rounds: RoundsRepository;
  directory: PeopleDirectory;
  messenger: Messenger;
  /** Reminder use cases for the buttons on reminders (snooze, ask again, cancel, mute). */
  reminderDeps: ReminderDeps;
  /** What a stored round or answer announces: the outbox, messages, the plan it re-measures. */
  roundAnnouncements: RoundAnnouncements;
  /** What rounds ask of action plans before a re-measure round is stored. */
  roundPlans: RoundPlans;
  /** Set when patrons outside Slack can be sent a link (PUBLIC_URL): the round form offers it. */
  patronLinkSettings: PatronLinkSettings | undefined;
  /** Action plans, for `/action-plan`, its thread's buttons and modals. */
  planDeps: PlanDeps;
  /** Committees and digests, for `/service-digest` and its settings modal. */
  committeeDeps: CommitteeCommandDeps;
  /** Service points, for `/service-point`: their links, posters and retirement. */
  servicePointDeps: ServicePointCommandDeps;
  /** The installation's standing, for the Events API's app_uninstalled and tokens_revoked. */
  installation: Installation;
  /** People leaving the workspace (the Events API's user_change): their pending reminders stop. */
  departures: DepartureDeps;
  /** Best practices: the form, its submission, withdrawal from the Home tab. */
  practiceDeps: PracticeDeps;
  /** The Home tab: published when opened, and republished (coalesced) after changes. */
  home: {
    opened(event: { eventId: string; userId: string; tab: string | undefined }): Promise<HomeOpened>;
    refresh: HomeRefresh;
  };
  /** Seals every modal's private_metadata when it opens, and checks the seal on submission. */
  seal: MetadataSeal;
}
