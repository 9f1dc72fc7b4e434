/**
 * The Slack stand-in in a process of its own, so that its work (parsing, Block Kit checks, replies)
 * does not share an event loop with the load generator whose clock measures the app. The load
 * generator issues trigger ids as Slack's edge does, stamped with their issue time; the stand-in
 * refuses any that reaches views.open more than TRIGGER_TTL_MS later, or twice.
 */
import {
  type RecordedCall,
  type StandInOptions,
  type StandInUser,
  startSlackStandIn,
} from '../test/helpers/slack-stand-in.js';

export type StandInRequest =
  | { type: 'users'; users: StandInUser[] }
  | { type: 'slow'; ms: number }
  | { type: 'rateLimits'; limits: StandInOptions['rateLimits'] }
  | { type: 'harvest' }
  | { type: 'close' };

export type StandInMessage =
  | { type: 'ready'; url: string }
  | {
      type: 'harvest';
      /** Answers so far, by method and outcome ('ok' or Slack's error), cumulative. */
      replies: Record<string, Record<string, number>>;
      /** views.open calls answered since the last harvest: trigger id and arrival time. */
      viewsOpen: Array<[string, number]>;
    };

/** A trigger id carries the time it was issued: '<ms since epoch>.<sequence>.<random hex>'. */
export function triggerIssuedAt(triggerId: string): number | undefined {
  const issued = Number(triggerId.split('.')[0]);
  return Number.isSafeInteger(issued) && issued > 0 ? issued : undefined;
}

const options: StandInOptions = {
  triggerTtlMs: Number(process.env.TRIGGER_TTL_MS ?? 3_000),
  triggerIssuedAt,
};
const standIn = await startSlackStandIn(options);
let slowMs = 0;
standIn.on('views.open', async () => {
  if (slowMs > 0) await new Promise((resolve) => setTimeout(resolve, slowMs));
  return undefined;
});

const replies: Record<string, Record<string, number>> = {};
const send = (message: StandInMessage) => process.send?.(message);

/** Tallies answered calls and drops them from the log; calls still waiting for an answer stay. */
function harvest(): Array<[string, number]> {
  const pending: RecordedCall[] = [];
  const viewsOpen: Array<[string, number]> = [];
  for (const call of standIn.calls) {
    if (!call.reply) {
      pending.push(call);
      continue;
    }
    const outcome = call.reply.body.ok === true ? 'ok' : String(call.reply.body.error ?? call.reply.status);
    const byMethod = replies[call.method] ?? {};
    byMethod[outcome] = (byMethod[outcome] ?? 0) + 1;
    if (call.violations) byMethod.blockKitViolations = (byMethod.blockKitViolations ?? 0) + 1;
    replies[call.method] = byMethod;
    if (call.method === 'views.open') viewsOpen.push([String(call.args.trigger_id), call.at]);
  }
  standIn.calls.length = 0;
  standIn.calls.push(...pending);
  return viewsOpen;
}

process.on('message', (message: StandInRequest) => {
  switch (message.type) {
    case 'users':
      for (const user of message.users) standIn.addUser(user);
      break;
    case 'slow':
      slowMs = message.ms;
      break;
    case 'rateLimits':
      options.rateLimits = message.limits;
      break;
    case 'harvest':
      send({ type: 'harvest', viewsOpen: harvest(), replies });
      break;
    case 'close':
      standIn.close().then(() => process.exit(0));
      break;
  }
});
send({ type: 'ready', url: standIn.url });
