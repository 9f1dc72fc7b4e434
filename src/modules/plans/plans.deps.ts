import type { WebClient } from '@slack/web-api';
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import type { Logger } from '../../logger.js';
import { createManagerAccess } from '../../slack/manager-access.js';
import type { Messenger } from '../../slack/messenger.js';
import { createPlanConversations } from '../../slack/plan-conversations.js';
import type { PeopleDirectory } from '../people/people.directory.js';
import { createRemindersRepository } from '../reminders/reminders.repository.js';
import { reminderSettingsFrom } from '../reminders/reminders.usecases.js';
import { createRoundsRepository } from '../rounds/rounds.repository.js';
import { createPlansRepository } from './plans.repository.js';
import type { PlanDeps } from './plans.usecases.js';

export function createPlanDeps({
  db,
  client,
  config,
  logger,
  directory,
  messenger,
}: {
  db: Database;
  client: WebClient;
  config: Config;
  logger: Logger;
  directory: PeopleDirectory;
  messenger: Messenger;
}): PlanDeps {
  return {
    plans: createPlansRepository({ db }),
    rounds: createRoundsRepository({ db }),
    reminders: createRemindersRepository({ db }),
    directory,
    messenger,
    conversations: createPlanConversations({ client, messenger }),
    managers: createManagerAccess({ client, config, logger }),
    logger,
    settings: reminderSettingsFrom(config),
  };
}
