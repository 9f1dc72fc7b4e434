import type { DigestsRepository } from '../digests/digests.repository.js';
import type { PracticesRepository } from '../practices/practices.repository.js';
import type { CommitteesRepository } from './committees.repository.js';
import type { CommitteeAccess } from './committees.usecases.js';

/** What the `/service-digest` listeners are given, besides the shared listener deps. */
export interface CommitteeCommandDeps {
  committees: CommitteesRepository;
  digests: DigestsRepository;
  /** Best practices, which a digest's preview lists as its post would. */
  practices: PracticesRepository;
  /** People allowed to administer committees besides workspace admins and owners (ADMIN_USER_IDS). */
  adminUserIds: readonly string[];
  /** LIBRARY_TIME_ZONE: the weeks every digest's figures are for. */
  libraryTimeZone: string;
  /** What Slack says of a person's admin status and of a channel, asked fresh every time. */
  access: CommitteeAccess;
  /** The same, cut off sooner: a settings form asks again before its acknowledgement. */
  accessOnSubmit: CommitteeAccess;
}
