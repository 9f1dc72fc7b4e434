import { describe, expect, it } from 'vitest';
import { route } from '../../src/slack/listeners/route.js';

describe('one listener per kind', () => {
  const called: string[] = [];
  const routed = route<{ id: string }>(
    {
      'service_radar.answer': async ({ id }) => void called.push(`answer:${id}`),
      'plan+write': async ({ id }) => void called.push(`write:${id}`),
    },
    ({ id }) => id,
  );

  it('matches exactly the ids in its table, read as text rather than as a pattern', () => {
    expect(routed.pattern.test('service_radar.answer')).toBe(true);
    expect(routed.pattern.test('plan+write')).toBe(true);
    // a dot or a plus in an id is not a wildcard, and no id matches as a part of another
    expect(routed.pattern.test('service_radarXanswer')).toBe(false);
    expect(routed.pattern.test('planwrite')).toBe(false);
    expect(routed.pattern.test('service_radar.answer2')).toBe(false);
    expect(routed.pattern.test('xservice_radar.answer')).toBe(false);
    expect(routed.pattern.test('')).toBe(false);
  });

  it('runs the handler of the id, and nothing for an id it does not know', async () => {
    await routed.listener({ id: 'plan+write' });
    await routed.listener({ id: 'service_radar.answer' });
    await routed.listener({ id: 'constructor' });
    await routed.listener({ id: '__proto__' });
    expect(called).toEqual(['write:plan+write', 'answer:service_radar.answer']);
  });
});
