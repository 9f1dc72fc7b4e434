import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetrics } from '../../src/metrics/metrics.js';

const operating = () => readFile(new URL('../../docs/operating.md', import.meta.url), 'utf8');

/** The Metrics section of docs/operating.md. */
async function metricsSection(): Promise<string> {
  const text = await operating();
  const start = text.indexOf('\n## Metrics\n');
  expect(start, 'docs/operating.md has a Metrics section').toBeGreaterThan(0);
  return text.slice(start, text.indexOf('\n## ', start + 1));
}

describe('the metrics documentation', () => {
  it("lists every one of the app's own metrics", async () => {
    const section = await metricsSection();
    const metrics = createMetrics({
      database: { poolSize: 1, inFlight: () => ({ query: 0, transaction: 0 }), onSettled: () => () => {} },
      reminderQueue: async () => [],
    });
    const names = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
    expect(names.length).toBeGreaterThan(8);
    for (const name of names) expect(section, name).toContain(`| \`${name}\` |`);
  });

  it('gives three alert rules as a valid rules file, over metrics the app exposes', async () => {
    const section = await metricsSection();
    const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    const rules = parse(block ?? '') as {
      groups: { name: string; rules: { alert: string; expr: string }[] }[];
    };
    const [group] = rules.groups;
    expect(group?.rules).toHaveLength(3);
    const metrics = createMetrics({ reminderQueue: async () => [] });
    const names = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
    for (const rule of group?.rules ?? []) {
      expect(rule.alert).toMatch(/^[A-Za-z]+$/);
      const used = rule.expr.match(/service_radar_[a-z_]+/g) ?? [];
      expect(used.length).toBeGreaterThan(0);
      for (const name of used) expect(names).toContain(name.replace(/_bucket$/, ''));
    }
  });
});
