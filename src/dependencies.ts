import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { WebClient, WebClientOptions } from '@slack/web-api';
import type { Config } from './config.js';
import { createBackupJob } from './db/backup.job.js';
import type { Database, DatabaseActivity } from './db/client.js';
import { type Clock, systemClock } from './lib/clock.js';
import { type Coalescer, createCoalescer } from './lib/coalescer.js';
import type { ScheduledJob } from './lib/scheduled-job.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { type AuditRepository, createAuditRepository } from './modules/audit/audit.repository.js';
import {
  type CommitteesRepository,
  createCommitteesRepository,
} from './modules/committees/committees.repository.js';
import { createDigestJob } from './modules/digests/digests.job.js';
import { createDigestsRepository, type DigestsRepository } from './modules/digests/digests.repository.js';
import type { DigestDeps } from './modules/digests/digests.usecases.js';
import { createRetentionJob } from './modules/erasure/erasure.job.js';
import { createErasureRepository, type ErasureRepository } from './modules/erasure/erasure.repository.js';
import { type RetentionSettings, retentionSettingsFrom } from './modules/erasure/erasure.usecases.js';
import {
  createHomeCustomersRepository,
  type HomeCustomersRepository,
} from './modules/home/home.customers.repository.js';
import type { HomeRefresh } from './modules/home/home.port.js';
import { createHomeRepository, type HomeRepository } from './modules/home/home.repository.js';
import { type HomePublishDeps, homeOpened, republishHome } from './modules/home/home.usecases.js';
import {
  createInstallationRepository,
  type InstallationRepository,
} from './modules/installation/installation.repository.js';
import { createInstallation, type Installation } from './modules/installation/installation.usecases.js';
import type { Messenger } from './modules/messaging/messaging.port.js';
import { createPeopleDirectory, type PeopleDirectory } from './modules/people/people.directory.js';
import { createPeopleRepository, type PeopleRepository } from './modules/people/people.repository.js';
import { planReminderKinds } from './modules/plans/plans.reminders.js';
import { createPlansRepository, type PlansRepository } from './modules/plans/plans.repository.js';
import { type PlanDeps, roundPlansOf } from './modules/plans/plans.usecases.js';
import {
  createPracticesRepository,
  type PracticesRepository,
} from './modules/practices/practices.repository.js';
import type { PracticeDeps } from './modules/practices/practices.usecases.js';
import type { ReminderDeps } from './modules/reminders/reminders.deps.js';
import { createRemindersJob } from './modules/reminders/reminders.job.js';
import { roundReminderKinds } from './modules/reminders/reminders.kinds.js';
import { deliverNow } from './modules/reminders/reminders.outbox.js';
import {
  createRemindersRepository,
  type RemindersRepository,
} from './modules/reminders/reminders.repository.js';
import { type ReminderSettings, reminderSettingsFrom } from './modules/reminders/reminders.settings.js';
import type { PatronLinkSettings } from './modules/rounds/rounds.link-tokens.js';
import {
  announceLinkAnswer,
  answerByPatronLink,
  openPatronLink,
  type PatronLinkDeps,
} from './modules/rounds/rounds.links.js';
import type { RoundPlans } from './modules/rounds/rounds.port.js';
import { createRoundsRepository, type RoundsRepository } from './modules/rounds/rounds.repository.js';
import type { RoundAnnouncements } from './modules/rounds/rounds.usecases.js';
import {
  createServicePointsRepository,
  type ServicePointsRepository,
} from './modules/service-points/service-points.repository.js';
import {
  type OwnerWeeklyDeps,
  scheduleOwnerWeeklyMessages,
  servicePointReminderKinds,
} from './modules/service-points/service-points.weekly.js';
import { answerWalkUp, openWalkUp } from './modules/service-points/walk-up.usecases.js';
import { createCommitteeAccess, SUBMIT_CHECK_MS } from './slack/committee-access.js';
import type { ListenerDeps } from './slack/deps.js';
import { createHomeSurface } from './slack/home-surface.js';
import { createManagerAccess } from './slack/manager-access.js';
import { createMessenger } from './slack/messenger.js';
import { createSlackPersonSource } from './slack/person-source.js';
import { createPictureStore } from './slack/picture-store.js';
import { createPlanConversations } from './slack/plan-conversations.js';
import { createMetadataSeal } from './slack/sealed-metadata.js';
import { createTokenCheck, reportTokenRefusals } from './slack/token-refusals.js';
import {
  createBackgroundClient,
  createInteractiveClient,
  interactiveClientOptions,
} from './slack/web-clients.js';
import type { PatronLinks, WebDeps } from './web/web.deps.js';

/**
 * The composition root: every repository, adapter, setting and use-case dependency of the app is
 * built here, once, from the configuration, the database, a clock and the two Web API clients. The
 * Slack app, the scheduler, the CLI, the demo, the benchmarks and the tests all take what they need
 * from `createDependencies` (tests through `overrides`), so no two copies of the wiring can drift.
 */

/** A busy person's Home is republished at most this often (views.publish is Tier 4, about 100 a minute). */
export const HOME_REPUBLISH_MS = 60_000;
/** A change waits this long before its Home is republished, so a burst of changes is one publish. */
const HOME_SETTLE_MS = 500;
/** Home tabs published at once, at most, by one copy of the app. */
const HOME_PUBLISH_CONCURRENCY = 4;

export interface Repositories {
  audit: AuditRepository;
  rounds: RoundsRepository;
  people: PeopleRepository;
  reminders: RemindersRepository;
  plans: PlansRepository;
  committees: CommitteesRepository;
  digests: DigestsRepository;
  installation: InstallationRepository;
  erasure: ErasureRepository;
  servicePoints: ServicePointsRepository;
  home: HomeRepository;
  practices: PracticesRepository;
  homeCustomers: HomeCustomersRepository;
}

/** What needs only the database: enough for the CLI's read-only commands and for erasure. */
export function createRepositories(db: Database): Repositories {
  return {
    audit: createAuditRepository({ db }),
    rounds: createRoundsRepository({ db }),
    people: createPeopleRepository({ db }),
    reminders: createRemindersRepository({ db }),
    plans: createPlansRepository({ db }),
    committees: createCommitteesRepository({ db }),
    digests: createDigestsRepository({ db }),
    servicePoints: createServicePointsRepository({ db }),
    home: createHomeRepository({ db }),
    practices: createPracticesRepository({ db }),
    homeCustomers: createHomeCustomersRepository({ db }),
    installation: createInstallationRepository({ db }),
    erasure: createErasureRepository({ db }),
  };
}

/**
 * Names this copy of the app in the claims it takes (reminders, digests), for operators reading
 * the tables: what runs it, the host, the process, and a random part so a restarted process with a
 * reused pid is still told apart.
 */
export function instanceName(role: 'app' | 'cli' = 'app'): string {
  return `${role}:${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** The use cases' dependencies over one Web API client: the interactive one, or the background one. */
export interface SlackSide {
  client: WebClient;
  messenger: Messenger;
  directory: PeopleDirectory;
  reminders: ReminderDeps;
  plans: PlanDeps;
  digests: DigestDeps;
  roundPlans: RoundPlans;
  roundAnnouncements: RoundAnnouncements;
}

export interface Settings {
  reminders: ReminderSettings;
  retention: RetentionSettings;
  /** Set when PUBLIC_URL is: patrons outside Slack can be sent a link to answer on a web page. */
  patronLinks: PatronLinkSettings | undefined;
}

export interface Dependencies {
  config: Config;
  logger: Logger;
  clock: Clock;
  instanceId: string;
  repositories: Repositories;
  settings: Settings;
  /** Whether Slack accepts the bot token, shared by every copy through the database. */
  installation: Installation;
  /** Bolt's own clients are built with these, so they watch for refused tokens as ours do. */
  clientOptions: WebClientOptions;
  /** For people waiting on an answer (listeners): retries a little, fails fast on rate limits. */
  interactive: SlackSide;
  /** For scheduled work: never sleeps, never retries by itself (the queues decide). */
  background: SlackSide;
  listeners: ListenerDeps;
  /** A patron's link to answer their round on a web page (src/modules/rounds/rounds.links.ts). */
  patronLinks: PatronLinks;
  /** What the patron pages (src/web) are given. */
  web: WebDeps;
  /** Every scheduled job, in the order a tick runs them. */
  jobs: ScheduledJob[];
  /** Republishes Home tabs after changes, at most once a minute per person; stopped at shutdown. */
  homePublishing: Coalescer;
  /** This copy's metrics (its own registry); served on METRICS_PORT when that is set. */
  metrics: Metrics;
}

export interface DependencyOverrides {
  /** Replaces HOME_REPUBLISH_MS (tests: a window they can wait out). */
  homeRepublishMs?: number;
  /** Wraps or replaces repositories before anything uses them (the benchmark times their calls). */
  repositories?: (built: Repositories) => Repositories;
  /** Replaces parts of the reminders' dependencies on both sides (tests: a shorter sleep). */
  reminders?: Partial<ReminderDeps>;
  /** Replaces parts of the digests' dependencies on both sides (tests: a chart renderer). */
  digests?: Partial<DigestDeps>;
  settings?: Partial<Settings>;
  instanceId?: string;
  installation?: Installation;
}

export function createDependencies({
  config,
  logger,
  db,
  databaseActivity,
  clock = systemClock,
  role = 'app',
  overrides = {},
}: {
  config: Config;
  logger: Logger;
  db: Database;
  /** The database handle's own count of what it is asked, for the metrics. */
  databaseActivity?: DatabaseActivity;
  clock?: Clock;
  /** Who takes claims: the app, or an operator's CLI command. */
  role?: 'app' | 'cli';
  overrides?: DependencyOverrides;
}): Dependencies {
  const built = createRepositories(db);
  const repositories = overrides.repositories?.(built) ?? built;
  const settings: Settings = {
    reminders: reminderSettingsFrom(config),
    retention: retentionSettingsFrom(config),
    patronLinks: config.PUBLIC_URL
      ? { publicUrl: config.PUBLIC_URL, expiryDays: config.ROUND_EXPIRY_DAYS }
      : undefined,
    ...overrides.settings,
  };
  const instanceId = overrides.instanceId ?? instanceName(role);
  const installation =
    overrides.installation ??
    createInstallation({
      installation: repositories.installation,
      // The token check's own client reports nothing: the check records its own answer.
      checkToken: createTokenCheck(createBackgroundClient(config, logger)),
      logger,
      clock,
    });
  const metrics = createMetrics({
    database: databaseActivity,
    reminderQueue: () => repositories.reminders.countByState(),
    logger,
    runtime: config.METRICS_PORT !== undefined,
  });
  const onTokenRefused = reportTokenRefusals(installation, logger);
  const clientOptions = interactiveClientOptions(config, onTokenRefused);

  // Home tabs are republished after changes, coalesced per person; the coalescer is built once the
  // interactive side (which publishes them) exists, and every side reports changes to it.
  let refreshHome: (userId: string) => void = () => undefined;
  const homeRefresh: HomeRefresh = {
    changed(userIds) {
      for (const userId of new Set(userIds)) if (userId) refreshHome(userId);
    },
  };

  const side = (client: WebClient): SlackSide => {
    const messenger = createMessenger({ client, logger, pause: installation });
    const directory = createPeopleDirectory({
      source: createSlackPersonSource(client),
      people: repositories.people,
      clock,
    });
    const plans: PlanDeps = {
      plans: repositories.plans,
      rounds: repositories.rounds,
      reminders: repositories.reminders,
      directory,
      messenger,
      conversations: createPlanConversations({ client, messenger }),
      managers: createManagerAccess({ client, config, logger }),
      logger,
      settings: settings.reminders,
      homes: homeRefresh,
    };
    const ownerWeekly: OwnerWeeklyDeps = {
      servicePoints: repositories.servicePoints,
      reminders: repositories.reminders,
      libraryTimeZone: config.LIBRARY_TIME_ZONE,
    };
    // Plans need only the reminders' repository; the outbox needs every module's kinds, plans' among
    // them: so plans first, then the reminders with the complete registry of kinds.
    const reminders: ReminderDeps = {
      reminders: repositories.reminders,
      rounds: repositories.rounds,
      people: repositories.people,
      directory,
      messenger,
      logger,
      instanceId,
      settings: settings.reminders,
      pause: installation,
      kinds: {
        ...roundReminderKinds({
          rounds: repositories.rounds,
          reminders: repositories.reminders,
          settings: settings.reminders,
        }),
        ...planReminderKinds(plans),
        ...servicePointReminderKinds(ownerWeekly),
      },
      moduleSweeps: [(now) => scheduleOwnerWeeklyMessages(ownerWeekly, now)],
      observer: metrics.reminderDeliveries,
      ...overrides.reminders,
    };
    const digests: DigestDeps = {
      committees: repositories.committees,
      digests: repositories.digests,
      practices: repositories.practices,
      messenger,
      directory,
      logger,
      clock,
      instanceId,
      tickBudgetMs: config.TICK_BUDGET_MS,
      adminUserIds: config.ADMIN_USER_IDS,
      libraryTimeZone: config.LIBRARY_TIME_ZONE,
      observer: metrics.digestDeliveries,
      ...overrides.digests,
    };
    const roundPlans = roundPlansOf(plans);
    const roundAnnouncements: RoundAnnouncements = {
      rounds: repositories.rounds,
      messenger,
      plans: roundPlans,
      clock,
      links: settings.patronLinks,
      homes: homeRefresh,
      outbox: {
        async deliverNow(key, now) {
          const outcome = await deliverNow(reminders, key, now);
          if (!outcome) return undefined;
          return outcome.kind === 'failed' ? { failed: outcome.reason } : {};
        },
      },
    };
    return { client, messenger, directory, reminders, plans, digests, roundPlans, roundAnnouncements };
  };

  const interactive = side(createInteractiveClient(config, logger, clientOptions));
  const background = side(createBackgroundClient(config, logger, { onTokenRefused }));
  const socketMode = Boolean(config.SLACK_APP_TOKEN);

  const homeDeps: HomePublishDeps = {
    home: repositories.home,
    practices: repositories.practices,
    clock,
    managers: interactive.plans.managers,
    administrators: createCommitteeAccess(interactive.client),
    adminUserIds: config.ADMIN_USER_IDS,
    cadenceDays: config.CADENCE_DAYS,
    surface: createHomeSurface(interactive.client),
    customers: {
      customers: repositories.homeCustomers,
      pictures: createPictureStore(interactive.client),
      clock,
      names: interactive.directory,
    },
  };
  const homePublishing = createCoalescer({
    windowMs: overrides.homeRepublishMs ?? HOME_REPUBLISH_MS,
    settleMs: HOME_SETTLE_MS,
    // A few at a time: views.publish is Tier 4, and a burst of changes touches many people.
    concurrency: HOME_PUBLISH_CONCURRENCY,
    run: async (userId) => {
      const published = await republishHome(homeDeps, userId);
      if (!published.ok)
        logger.warn({ user: userId, error: published.error }, 'could not publish a home tab');
    },
    onError: (error, userId) => logger.error({ err: error, user: userId }, 'could not build a home tab'),
  });
  refreshHome = (userId) => homePublishing.soon(userId);

  const listeners: ListenerDeps = {
    audit: repositories.audit,
    logger,
    clock,
    libraryTimeZone: config.LIBRARY_TIME_ZONE,
    rounds: repositories.rounds,
    directory: interactive.directory,
    messenger: interactive.messenger,
    roundAnnouncements: interactive.roundAnnouncements,
    roundPlans: interactive.roundPlans,
    patronLinkSettings: settings.patronLinks,
    reminderDeps: interactive.reminders,
    planDeps: interactive.plans,
    committeeDeps: {
      committees: repositories.committees,
      digests: repositories.digests,
      practices: repositories.practices,
      adminUserIds: config.ADMIN_USER_IDS,
      libraryTimeZone: config.LIBRARY_TIME_ZONE,
      access: createCommitteeAccess(interactive.client),
      accessOnSubmit: createCommitteeAccess(interactive.client, { timeoutMs: SUBMIT_CHECK_MS }),
    },
    servicePointDeps: {
      servicePoints: repositories.servicePoints,
      access: createCommitteeAccess(interactive.client),
      adminUserIds: config.ADMIN_USER_IDS,
      messenger: interactive.messenger,
      directory: interactive.directory,
      clock,
      links:
        config.PUBLIC_URL && config.LINK_SECRET
          ? { publicUrl: config.PUBLIC_URL, linkSecret: config.LINK_SECRET, libraryName: config.LIBRARY_NAME }
          : undefined,
    },
    installation,
    departures: { people: repositories.people, clock },
    practiceDeps: {
      practices: repositories.practices,
      rounds: repositories.rounds,
      clock,
      homes: homeRefresh,
    } satisfies PracticeDeps,
    home: {
      opened: (event) =>
        homeOpened({ home: repositories.home, clock, publishNow: homePublishing.now }, event),
      refresh: homeRefresh,
    },
    // The secret that authenticates this transport: Slack's signing secret over HTTP, the app-level
    // token in Socket Mode (where there may be no signing secret at all).
    seal: createMetadataSeal((socketMode ? config.SLACK_APP_TOKEN : config.SLACK_SIGNING_SECRET) as string),
  };

  const patronLinkDeps: PatronLinkDeps = {
    rounds: repositories.rounds,
    directory: interactive.directory,
    clock,
  };
  const patronLinks: PatronLinks = {
    open: (token) => openPatronLink(patronLinkDeps, token),
    answer: (token, draft) => answerByPatronLink(patronLinkDeps, token, draft),
    announce: (answer) => announceLinkAnswer(interactive.roundAnnouncements, answer),
  };
  const walkUpDeps = { servicePoints: repositories.servicePoints, clock };
  const web: WebDeps = {
    settings: {
      libraryName: config.LIBRARY_NAME,
      publicUrl: config.PUBLIC_URL,
      linkSecret: config.LINK_SECRET,
      trustProxy: config.TRUST_PROXY,
      walkUpAnswersPerHour: config.WALK_UP_ANSWERS_PER_HOUR,
      libraryTimeZone: config.LIBRARY_TIME_ZONE,
    },
    logger,
    clock,
    walkUps: {
      open: (token) => openWalkUp(walkUpDeps, token),
      answer: (token, draft) => answerWalkUp(walkUpDeps, token, draft),
    },
    patronLinks,
  };

  const jobs: ScheduledJob[] = [
    createRemindersJob({ reminderDeps: background.reminders, logger }),
    createDigestJob({ digestDeps: background.digests, logger }),
    createRetentionJob({ erasure: repositories.erasure, settings: settings.retention, logger }),
    ...(config.BACKUP_DIR
      ? [
          createBackupJob({
            db,
            engine: config.DATABASE_URL ? ('postgres' as const) : ('pglite' as const),
            dir: config.BACKUP_DIR,
            keep: config.BACKUP_KEEP,
            logger,
            audit: repositories.audit,
          }),
        ]
      : []),
  ];

  return {
    config,
    logger,
    clock,
    instanceId,
    repositories,
    settings,
    installation,
    clientOptions,
    interactive,
    background,
    listeners,
    patronLinks,
    web,
    jobs,
    homePublishing,
    metrics,
  };
}
