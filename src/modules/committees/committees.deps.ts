import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { createDigestsRepository, type DigestsRepository } from '../digests/digests.repository.js';
import { type CommitteesRepository, createCommitteesRepository } from './committees.repository.js';

/** What the `/service-digest` listeners are given, besides the shared listener deps. */
export interface CommitteeCommandDeps {
  committees: CommitteesRepository;
  digests: DigestsRepository;
  /** People allowed to administer committees besides workspace admins and owners (ADMIN_USER_IDS). */
  adminUserIds: readonly string[];
  /** LIBRARY_TIME_ZONE: the weeks every digest's figures are for. */
  libraryTimeZone: string;
}

export function createCommitteeCommandDeps({
  db,
  config,
}: {
  db: Database;
  config: Pick<Config, 'ADMIN_USER_IDS' | 'LIBRARY_TIME_ZONE'>;
}): CommitteeCommandDeps {
  return {
    committees: createCommitteesRepository({ db }),
    digests: createDigestsRepository({ db }),
    adminUserIds: config.ADMIN_USER_IDS,
    libraryTimeZone: config.LIBRARY_TIME_ZONE,
  };
}
