import type { WebClient } from '@slack/web-api';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './logger.js';
import { createDigestJob } from './modules/digests/digests.job.js';
import { createRetentionJob } from './modules/erasure/erasure.job.js';
import type { SendingPause } from './modules/installation/installation.usecases.js';
import type { PeopleDirectory } from './modules/people/people.directory.js';
import { createRemindersJob } from './modules/reminders/reminders.job.js';
import type { ScheduledJob } from './scheduler/scheduler.js';
import type { Messenger } from './slack/messenger.js';

/** What scheduled jobs are given. Their messenger and directory use the background Web API client. */
export interface JobDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  db: Database;
  messenger: Messenger;
  directory: PeopleDirectory;
  /** The background Web API client the messenger and directory use. */
  client: WebClient;
  /** Names this copy of the app in claims, for operators reading the tables. */
  instanceId: string;
  /** Whether Slack refuses the bot token: sends then wait instead of failing. */
  installation?: SendingPause | undefined;
}

/** Every scheduled job, in the order a tick runs them. */
export function createJobs(deps: JobDeps): ScheduledJob[] {
  return [createRemindersJob(deps), createDigestJob(deps), createRetentionJob(deps)];
}
