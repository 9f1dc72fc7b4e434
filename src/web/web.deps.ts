import type { Clock } from '../lib/clock.js';
import type { Logger } from '../logger.js';
import type {
  LinkAnswer,
  LinkAnswered,
  LinkOpened,
  PatronAnswerDraft,
} from '../modules/rounds/rounds.links.js';
import type {
  WalkUpAnswered,
  WalkUpDraft,
  WalkUpOpened,
} from '../modules/service-points/walk-up.usecases.js';

/** The settings the patron pages read (src/config.ts names and documents each). */
export interface WebSettings {
  libraryName: string;
  /** Where patrons reach the pages; without it (or the secret) the pages are not served at all. */
  publicUrl: string | undefined;
  linkSecret: string | undefined;
  trustProxy: boolean;
  walkUpAnswersPerHour: number;
  /** The library's day, for the walk-up "once a day" rule. */
  libraryTimeZone: string;
}

/** The walk-up use cases, bound to their repository by the composition root. */
export interface WalkUps {
  open(token: string): Promise<WalkUpOpened>;
  answer(token: string, draft: WalkUpDraft): Promise<WalkUpAnswered>;
}

/** A named patron's link (src/modules/rounds/rounds.links.ts). */
export interface PatronLinks {
  open(token: string): Promise<LinkOpened>;
  answer(token: string, draft: PatronAnswerDraft): Promise<LinkAnswered>;
  /** The round's follow-up to a stored answer, run after the patron has their page. */
  announce(answer: LinkAnswer): Promise<void>;
}

/** What the web transport needs; src/dependencies.ts builds it. */
export interface WebDeps {
  settings: WebSettings;
  logger: Logger;
  clock: Clock;
  walkUps: WalkUps;
  patronLinks: PatronLinks;
}
