import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { HOME_EVENTS, homeOpenedEvent } from './home-opened.js';
import { INSTALLATION_EVENTS, installationEvent } from './installation-events.js';
import { PEOPLE_EVENTS, userChangeEvent } from './user-change.js';

/** Every Events API event the app subscribes to (manifest.yml lists exactly these). */
export const SUBSCRIBED_EVENTS: readonly string[] = [
  ...INSTALLATION_EVENTS,
  ...PEOPLE_EVENTS,
  ...HOME_EVENTS,
];

export function register(app: App, deps: ListenerDeps): void {
  for (const name of INSTALLATION_EVENTS) app.event(name, installationEvent(deps));
  app.event('user_change', userChangeEvent(deps));
  app.event('app_home_opened', homeOpenedEvent(deps));
}
