import type { WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import { withTimeout } from '../lib/timeout.js';
import type { Logger } from '../logger.js';
import type { ManagerAccess, ManagerCheck } from '../modules/plans/plans.port.js';

/** Slack answers these in well under a second; past this the command says "try again". */
const CHECK_TIMEOUT_MS = 2_000;
/** Group membership changes rarely; an hour-old list is not worth a call per command. */
const GROUP_CACHE_MS = 5 * 60_000;

/**
 * Who is a manager. Admin status is read from users.info every time (losing it takes effect at
 * once); the user group's members are cached for a few minutes.
 */
export function createManagerAccess({
  client,
  config,
  logger,
}: {
  client: WebClient;
  config: Pick<Config, 'MANAGER_USERGROUP' | 'MANAGER_USER_IDS'>;
  logger: Logger;
}): ManagerAccess {
  const listed = new Set(config.MANAGER_USER_IDS);
  let group: { members: Set<string>; at: number } | undefined;

  async function groupId(): Promise<string | undefined> {
    const wanted = config.MANAGER_USERGROUP;
    if (!wanted) return undefined;
    if (/^S[A-Z0-9]{2,}$/.test(wanted)) return wanted;
    const { usergroups } = await client.usergroups.list({});
    return usergroups?.find((candidate) => candidate.handle === wanted || candidate.name === wanted)?.id;
  }

  async function groupMembers(): Promise<Set<string>> {
    if (group && Date.now() - group.at < GROUP_CACHE_MS) return group.members;
    const id = await groupId();
    if (!id) {
      if (config.MANAGER_USERGROUP)
        logger.warn({ usergroup: config.MANAGER_USERGROUP }, 'manager user group not found');
      group = { members: new Set(), at: Date.now() };
      return group.members;
    }
    const { users } = await client.usergroups.users.list({ usergroup: id });
    group = { members: new Set(users ?? []), at: Date.now() };
    return group.members;
  }

  return {
    async check(userId, { timeoutMs = CHECK_TIMEOUT_MS } = {}) {
      if (listed.has(userId)) return 'manager';
      const ask = async (): Promise<ManagerCheck> => {
        const { user } = await client.users.info({ user: userId });
        if (user && !user.deleted && (user.is_admin || user.is_owner || user.is_primary_owner))
          return 'manager';
        if (config.MANAGER_USERGROUP && (await groupMembers()).has(userId)) return 'manager';
        return 'not_manager';
      };
      try {
        return await withTimeout(ask(), timeoutMs);
      } catch (error) {
        logger.warn({ err: error, user: userId }, 'manager check failed');
        return 'unknown';
      }
    },
  };
}
