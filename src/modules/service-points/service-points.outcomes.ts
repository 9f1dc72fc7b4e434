import type { AdministratorRefusal } from '../people/people.administrators.js';
import type { ServicePointParseCode } from './service-points.command.js';

/** What `/service-point`'s use cases answer: codes and plain values, for the views to word. */

/** Why a command changed nothing. */
export type ServicePointCode =
  | AdministratorRefusal
  | ServicePointParseCode
  | 'links_not_configured'
  | 'owner_unknown'
  | 'owner_bot'
  | 'owner_left'
  | 'owner_lookup_failed'
  | 'name_taken'
  | 'not_found';

/** A point as the replies show it. */
export interface ServicePointShown {
  id: number;
  name: string;
  unit: string;
  ownerUserId: string;
  url: string;
}

/** Whether the posters reached the admin's DM; `error` is Slack's code, for the log. */
export type PostersSent = { ok: true } | { ok: false; error: string };

export type ServicePointOutcome =
  | { ok: false; code: ServicePointCode }
  | { ok: true; kind: 'added'; point: ServicePointShown; posters: PostersSent }
  | { ok: true; kind: 'listed'; points: ServicePointShown[] }
  | { ok: true; kind: 'posters_sent'; point: ServicePointShown; posters: PostersSent }
  | { ok: true; kind: 'retired'; point: { id: number; name: string } };
