import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DatabaseActivity, DatabaseOperation } from '../db/client.js';
import type { Reminder } from '../db/schema.js';
import { withTimeout } from '../lib/timeout.js';
import type { Logger } from '../logger.js';
import {
  DIGEST_ATTEMPT_OUTCOMES,
  type DigestAttemptOutcome,
  type DigestObserver,
} from '../modules/digests/digests.usecases.js';
import {
  DELIVERY_OUTCOMES,
  type DeliveryObserver,
  type DeliveryOutcome,
} from '../modules/reminders/reminders.outbox.js';
import {
  SLACK_REQUEST_KINDS,
  SLACK_REQUEST_OUTCOMES,
  type SlackRequestObserver,
} from '../slack/request-metrics.js';

/**
 * The app's Prometheus metrics, in a registry of its own per copy of the app (several run in one
 * test process; prom-client's global registry would make them collide). Every label comes from a
 * small fixed set (a kind, an outcome, a state): never a user, a channel or anyone's words.
 */

/** Slack retries a request it has no answer to after 3 s: the buckets are dense below that. */
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5];
const DATABASE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** A scrape never waits longer than this for the queue's count. */
export const QUEUE_COUNT_TIMEOUT_MS = 1_000;

export const REMINDER_STATES: readonly Reminder['state'][] = [
  'pending',
  'sending',
  'sent',
  'failed',
  'cancelled',
];
const DATABASE_OPERATIONS: readonly DatabaseOperation[] = ['query', 'transaction'];

export interface Metrics {
  readonly registry: Registry;
  readonly slackRequests: SlackRequestObserver;
  readonly reminderDeliveries: DeliveryObserver;
  readonly digestDeliveries: DigestObserver;
  /** The exposition text, as GET /metrics answers it. */
  render(): Promise<{ contentType: string; body: string }>;
  /** Stops listening to the database. */
  stop(): void;
}

export function createMetrics({
  database,
  reminderQueue,
  logger,
  runtime = false,
}: {
  /** What the database is asked; without it (the CLI, some tests) no database metrics. */
  database?: DatabaseActivity | undefined;
  /** Counts the outbox's rows by state, at scrape time. */
  reminderQueue?: () => Promise<{ state: Reminder['state']; count: number }[]>;
  logger?: Logger;
  /**
   * prom-client's process metrics (event-loop delay, memory, handles): only when they are served,
   * since they watch the event loop and the garbage collector from the start.
   */
  runtime?: boolean;
}): Metrics {
  const registry = new Registry();
  const registers = [registry];

  const requests = new Counter({
    name: 'service_radar_slack_requests_total',
    help: 'Requests from Slack dispatched to the listeners, by kind and outcome (acked; failed: a listener threw; unacked: nothing acknowledged it).',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  const ackSeconds = new Histogram({
    name: 'service_radar_slack_ack_seconds',
    help: "Seconds from a request's arrival (over HTTP: before its body is read and its signature checked) until its acknowledgement was sent. Slack gives up at 3.",
    labelNames: ['kind'] as const,
    buckets: ACK_BUCKETS,
    registers,
  });
  const beforeAckSeconds = new Histogram({
    name: 'service_radar_slack_before_ack_seconds',
    help: "Seconds the app's own work took before calling ack(): from dispatch to the listeners until ack() was called. Events are acknowledged by the framework before any listener runs.",
    labelNames: ['kind'] as const,
    buckets: ACK_BUCKETS,
    registers,
  });
  for (const kind of SLACK_REQUEST_KINDS) {
    ackSeconds.zero({ kind });
    beforeAckSeconds.zero({ kind });
    for (const outcome of SLACK_REQUEST_OUTCOMES) requests.inc({ kind, outcome }, 0);
  }

  const reminderSends = new Counter({
    name: 'service_radar_reminder_sends_total',
    help: "Attempts to send an outbox message (reminders, customers' requests, results, check-ins), by outcome.",
    labelNames: ['outcome'] as const,
    registers,
  });
  for (const outcome of DELIVERY_OUTCOMES) reminderSends.inc({ outcome }, 0);

  const digestPosts = new Counter({
    name: 'service_radar_digest_posts_total',
    help: "Attempts to post a committee's weekly digest, by outcome (posted, failed, error: interrupted by the database or a bad setting...).",
    labelNames: ['outcome'] as const,
    registers,
  });
  for (const outcome of DIGEST_ATTEMPT_OUTCOMES) digestPosts.inc({ outcome }, 0);

  if (reminderQueue)
    new Gauge({
      name: 'service_radar_reminder_queue',
      help: 'Rows in the outbox by state, counted in the database at scrape time (absent when the count did not answer within 1 s).',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        this.reset();
        let rows: { state: Reminder['state']; count: number }[];
        try {
          rows = await withTimeout(reminderQueue(), QUEUE_COUNT_TIMEOUT_MS);
        } catch (error) {
          logger?.warn({ err: error }, 'could not count the reminder queue for the metrics');
          return;
        }
        const counts = new Map(rows.map((row) => [row.state, Number(row.count)]));
        for (const state of REMINDER_STATES) this.set({ state }, counts.get(state) ?? 0);
      },
    });

  let unsubscribe = () => {};
  if (database) {
    new Gauge({
      name: 'service_radar_db_pool_size',
      help: 'Most database connections this copy opens (DATABASE_POOL_SIZE; 1 for the embedded database).',
      registers,
      collect() {
        this.set(database.poolSize);
      },
    });
    new Gauge({
      name: 'service_radar_db_operations_in_flight',
      help: 'Queries and transactions issued and not yet answered. Beyond the pool size they wait for a connection.',
      labelNames: ['operation'] as const,
      registers,
      collect() {
        const inFlight = database.inFlight();
        for (const operation of DATABASE_OPERATIONS) this.set({ operation }, inFlight[operation]);
      },
    });
    const operationSeconds = new Histogram({
      name: 'service_radar_db_operation_seconds',
      help: 'Seconds from issuing a query or transaction until its answer, including any wait for a connection (neither engine reports the wait alone).',
      labelNames: ['operation'] as const,
      buckets: DATABASE_BUCKETS,
      registers,
    });
    for (const operation of DATABASE_OPERATIONS) operationSeconds.zero({ operation });
    unsubscribe = database.onSettled((operation, seconds) =>
      operationSeconds.observe({ operation }, seconds),
    );
  }

  if (runtime) collectDefaultMetrics({ register: registry });

  return {
    registry,
    slackRequests: {
      acknowledged(kind, timing) {
        ackSeconds.observe({ kind }, timing.sinceReceivedSeconds);
        beforeAckSeconds.observe({ kind }, timing.beforeAckSeconds);
      },
      finished(kind, outcome) {
        requests.inc({ kind, outcome });
      },
    },
    reminderDeliveries: {
      delivered: (outcome: DeliveryOutcome) => reminderSends.inc({ outcome }),
    },
    digestDeliveries: {
      delivered: (outcome: DigestAttemptOutcome) => digestPosts.inc({ outcome }),
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    stop() {
      unsubscribe();
    },
  };
}
