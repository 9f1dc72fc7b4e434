import type { HomeTab } from './home.views.js';

/**
 * Where a Home tab goes: src/slack/home-surface.ts publishes it with `views.publish`. Declared here,
 * by the module that builds the view.
 */
export interface HomeSurface {
  publish(userId: string, view: HomeTab): Promise<{ ok: true } | { ok: false; error: string }>;
}

/**
 * What other modules call when something on a person's Home changed (a round started or answered,
 * a plan written or closed): the Home is republished, coalesced, off the path of the request.
 */
export interface HomeRefresh {
  changed(userIds: readonly (string | null | undefined)[]): void;
}
