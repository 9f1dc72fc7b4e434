import type { IncomingMessage } from 'node:http';
import type { App, ReceiverEvent } from '@slack/bolt';

/**
 * Timing of Slack's requests, from arrival to acknowledgement (Slack gives up after 3 s). It is
 * measured around Bolt's dispatch, where the receiver's `ack` passes, so HTTP and Socket Mode are
 * measured alike. Only the kind of request is told, never who sent it or what it said.
 */

export const SLACK_REQUEST_KINDS = [
  'command',
  'action',
  'view',
  'event',
  'options',
  'shortcut',
  'other',
] as const;
export type SlackRequestKind = (typeof SLACK_REQUEST_KINDS)[number];

/**
 * acked: a listener (or Bolt, for events) acknowledged it and no listener failed; failed: a listener
 * threw; unacked: nothing acknowledged it (no listener took it, or one returned without ack()).
 */
export const SLACK_REQUEST_OUTCOMES = ['acked', 'failed', 'unacked'] as const;
export type SlackRequestOutcome = (typeof SLACK_REQUEST_OUTCOMES)[number];

export interface AckTiming {
  /** From the request's arrival (HTTP: the route's first look at it) until the acknowledgement was sent. */
  sinceReceivedSeconds: number;
  /** From Bolt's dispatch to the listeners (after the transport's checks) until ack() was called. */
  beforeAckSeconds: number;
}

/** What the timing tells (the metrics implement it). */
export interface SlackRequestObserver {
  acknowledged(kind: SlackRequestKind, timing: AckTiming): void;
  finished(kind: SlackRequestKind, outcome: SlackRequestOutcome): void;
}

/** The custom property (in Bolt's context) that carries an HTTP request's arrival time. */
const RECEIVED_AT = 'serviceRadarReceivedAt';
const arrivals = new WeakMap<IncomingMessage, number>();

/** Notes when an HTTP request arrived, before its body is read (src/slack/slack-events-route.ts). */
export function noteArrival(req: IncomingMessage): void {
  arrivals.set(req, performance.now());
}

/** The HTTP receiver's customPropertiesExtractor: hands the arrival time on to the dispatch. */
export function arrivalProperties(req: IncomingMessage): Record<string, number> {
  const at = arrivals.get(req);
  return at === undefined ? {} : { [RECEIVED_AT]: at };
}

/** The kind of a request, from the body's shape as Slack sends it. */
export function kindOf(body: Record<string, unknown>): SlackRequestKind {
  if (typeof body.command === 'string') return 'command';
  switch (body.type) {
    case 'event_callback':
      return 'event';
    case 'block_actions':
    case 'interactive_message':
      return 'action';
    case 'view_submission':
    case 'view_closed':
      return 'view';
    case 'shortcut':
    case 'message_action':
      return 'shortcut';
    case 'block_suggestion':
    case 'dialog_suggestion':
      return 'options';
    default:
      return 'other';
  }
}

interface Measured {
  acked: boolean;
  failed: boolean;
}

/**
 * Measures every request the app dispatches. Bolt hands listeners the receiver's own `ack`, so the
 * measuring wraps the dispatch itself (`processEvent`, which every receiver calls) to time `ack`, and
 * a global middleware to see a listener's failure, which Bolt otherwise gives only to app.error.
 * The two meet through the request's body, the same object in both.
 */
export function measureSlackRequests(app: App, observer: SlackRequestObserver): void {
  const measuring = new WeakMap<object, Measured>();
  app.use(async ({ body, next }) => {
    try {
      await next();
    } catch (error) {
      const measured = measuring.get(body);
      if (measured) measured.failed = true;
      throw error;
    }
  });
  const dispatch = app.processEvent.bind(app);
  app.processEvent = async (event: ReceiverEvent) => {
    const dispatched = performance.now();
    const arrived = event.customProperties?.[RECEIVED_AT];
    const received = typeof arrived === 'number' ? arrived : dispatched;
    const kind = kindOf(event.body);
    const measured: Measured = { acked: false, failed: false };
    measuring.set(event.body, measured);
    const ack: ReceiverEvent['ack'] = async (response) => {
      const calledAt = performance.now();
      await event.ack(response);
      if (measured.acked) return;
      measured.acked = true;
      observer.acknowledged(kind, {
        sinceReceivedSeconds: (performance.now() - received) / 1000,
        beforeAckSeconds: (calledAt - dispatched) / 1000,
      });
    };
    try {
      await dispatch({ ...event, ack });
    } catch (error) {
      measured.failed = true;
      throw error;
    } finally {
      observer.finished(kind, measured.failed ? 'failed' : measured.acked ? 'acked' : 'unacked');
    }
  };
}
