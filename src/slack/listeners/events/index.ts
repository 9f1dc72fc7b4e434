import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { INSTALLATION_EVENTS, installationEvent } from './installation-events.js';

export function register(app: App, deps: ListenerDeps): void {
  for (const name of INSTALLATION_EVENTS) app.event(name, installationEvent(deps));
}
