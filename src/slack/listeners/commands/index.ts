import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { ACTION_PLAN_COMMAND, actionPlanCommand } from './action-plan.js';
import { RATE_SERVICE_COMMAND, rateServiceCommand } from './rate-service.js';
import { SERVICE_DIGEST_COMMAND, serviceDigestCommand } from './service-digest.js';
import { SERVICE_POINT_COMMAND, servicePointCommand } from './service-point.js';

export function register(app: App, deps: ListenerDeps): void {
  app.command(RATE_SERVICE_COMMAND, rateServiceCommand(deps));
  app.command(ACTION_PLAN_COMMAND, actionPlanCommand(deps));
  app.command(SERVICE_DIGEST_COMMAND, serviceDigestCommand(deps));
  app.command(SERVICE_POINT_COMMAND, servicePointCommand(deps));
}
