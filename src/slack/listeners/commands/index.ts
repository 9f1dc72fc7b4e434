import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { route } from '../route.js';
import { ACTION_PLAN_COMMAND, actionPlanCommand } from './action-plan.js';
import { RATE_SERVICE_COMMAND, rateServiceCommand } from './rate-service.js';
import { SERVICE_DIGEST_COMMAND, serviceDigestCommand } from './service-digest.js';
import { SERVICE_POINT_COMMAND, servicePointCommand } from './service-point.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

export function register(app: App, deps: ListenerDeps): void {
  const commands = route<CommandArgs>(
    {
      [RATE_SERVICE_COMMAND]: rateServiceCommand(deps),
      [ACTION_PLAN_COMMAND]: actionPlanCommand(deps),
      [SERVICE_DIGEST_COMMAND]: serviceDigestCommand(deps),
      [SERVICE_POINT_COMMAND]: servicePointCommand(deps),
    },
    ({ command }) => command.command,
  );
  app.command(commands.pattern, commands.listener);
}
