import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { RATE_SERVICE_COMMAND, rateServiceCommand } from './rate-service.js';

export function register(app: App, deps: ListenerDeps): void {
  app.command(RATE_SERVICE_COMMAND, rateServiceCommand(deps));
}
