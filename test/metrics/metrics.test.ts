import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { sample } from '../helpers/metrics.js';

const text = async (metrics: ReturnType<typeof createMetrics>) => (await metrics.render()).body;

describe('metrics', () => {
  it('counts Slack requests and times their acknowledgement, by kind', async () => {
    const metrics = createMetrics({});
    metrics.slackRequests.acknowledged('command', { sinceReceivedSeconds: 0.2, beforeAckSeconds: 0.05 });
    metrics.slackRequests.finished('command', 'acked');
    metrics.slackRequests.finished('view', 'failed');
    const body = await text(metrics);
    expect(sample(body, 'service_radar_slack_requests_total', { kind: 'command', outcome: 'acked' })).toBe(1);
    expect(sample(body, 'service_radar_slack_requests_total', { kind: 'view', outcome: 'failed' })).toBe(1);
    expect(sample(body, 'service_radar_slack_requests_total', { kind: 'event', outcome: 'acked' })).toBe(0);
    expect(sample(body, 'service_radar_slack_ack_seconds_count', { kind: 'command' })).toBe(1);
    expect(sample(body, 'service_radar_slack_ack_seconds_bucket', { kind: 'command', le: '0.1' })).toBe(0);
    expect(sample(body, 'service_radar_slack_ack_seconds_bucket', { kind: 'command', le: '0.25' })).toBe(1);
    expect(sample(body, 'service_radar_slack_before_ack_seconds_sum', { kind: 'command' })).toBeCloseTo(0.05);
  });

  it('counts reminder sends and digest posts by outcome, every outcome present from the start', async () => {
    const metrics = createMetrics({});
    expect(sample(await text(metrics), 'service_radar_reminder_sends_total', { outcome: 'sent' })).toBe(0);
    metrics.reminderDeliveries.delivered('sent');
    metrics.reminderDeliveries.delivered('sent');
    metrics.digestDeliveries.delivered('failed');
    const body = await text(metrics);
    expect(sample(body, 'service_radar_reminder_sends_total', { outcome: 'sent' })).toBe(2);
    expect(sample(body, 'service_radar_digest_posts_total', { outcome: 'failed' })).toBe(1);
    expect(sample(body, 'service_radar_digest_posts_total', { outcome: 'posted' })).toBe(0);
  });

  it('keeps each copy of the app in its own registry', async () => {
    const one = createMetrics({ runtime: true });
    const two = createMetrics({ runtime: true });
    one.reminderDeliveries.delivered('sent');
    expect(sample(await text(one), 'service_radar_reminder_sends_total', { outcome: 'sent' })).toBe(1);
    expect(sample(await text(two), 'service_radar_reminder_sends_total', { outcome: 'sent' })).toBe(0);
    expect(await text(two)).toContain('nodejs_eventloop_lag_seconds');
    // Without runtime metrics, none of prom-client's defaults are collected.
    expect(await text(createMetrics({}))).not.toContain('nodejs_eventloop_lag_seconds');
  });

  it('reads the reminder queue at scrape time, every state present, and leaves it out when the count is slow', async () => {
    let answer: () => Promise<{ state: 'pending' | 'sent'; count: number }[]> = async () => [
      { state: 'pending', count: 3 },
      { state: 'sent', count: 1 },
    ];
    const metrics = createMetrics({ reminderQueue: () => answer() });
    let body = await text(metrics);
    expect(sample(body, 'service_radar_reminder_queue', { state: 'pending' })).toBe(3);
    expect(sample(body, 'service_radar_reminder_queue', { state: 'sent' })).toBe(1);
    expect(sample(body, 'service_radar_reminder_queue', { state: 'failed' })).toBe(0);
    answer = () => new Promise(() => {});
    const started = Date.now();
    body = await text(metrics);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(sample(body, 'service_radar_reminder_queue', { state: 'pending' })).toBeUndefined();
  });

  it("counts the database's operations in flight and times them (PGlite)", async () => {
    const pglite = await PGlite.create();
    const handle = await openDatabase({ pglite });
    try {
      const metrics = createMetrics({ database: handle.activity });
      let inside: string | undefined;
      await handle.db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        inside = await text(metrics);
      });
      expect(
        sample(inside ?? '', 'service_radar_db_operations_in_flight', { operation: 'transaction' }),
      ).toBe(1);
      // drizzle runs a query when it is first awaited: then() starts it here.
      const querying = handle.db.execute(sql`select pg_sleep(0.05)`).then((rows) => rows);
      const during = await text(metrics);
      await querying;
      expect(sample(during, 'service_radar_db_operations_in_flight', { operation: 'query' })).toBe(1);
      const after = await text(metrics);
      expect(sample(after, 'service_radar_db_operations_in_flight', { operation: 'query' })).toBe(0);
      expect(sample(after, 'service_radar_db_operations_in_flight', { operation: 'transaction' })).toBe(0);
      expect(sample(after, 'service_radar_db_pool_size')).toBe(1);
      expect(sample(after, 'service_radar_db_operation_seconds_count', { operation: 'query' })).toBe(1);
      expect(sample(after, 'service_radar_db_operation_seconds_sum', { operation: 'query' })).toBeGreaterThan(
        0.04,
      );
      expect(sample(after, 'service_radar_db_operation_seconds_count', { operation: 'transaction' })).toBe(1);
      metrics.stop();
      await handle.db.execute(sql`select 1`);
      expect(
        sample(await text(metrics), 'service_radar_db_operation_seconds_count', { operation: 'query' }),
      ).toBe(1);
    } finally {
      await handle.close();
    }
  });
});
