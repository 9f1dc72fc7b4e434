import { describe, expect, it } from 'vitest';
import {
  NAME_LIMIT,
  parseServicePointCommand,
  UNIT_LIMIT,
} from '../../../src/modules/service-points/service-points.command.js';
import type { ServicePointShown } from '../../../src/modules/service-points/service-points.outcomes.js';
import {
  buildAddedMessage,
  buildListMessage,
  LIST_MAX_POINTS,
} from '../../../src/modules/service-points/service-points.views.js';
import { expectWithinBlockKitLimits } from '../../helpers/block-kit-limits.js';
import { visibleText } from '../../helpers/slack-text.js';

const point = (id: number, size: 'short' | 'long'): ServicePointShown => ({
  id,
  name: size === 'short' ? `Desk ${id}` : `${id} `.padEnd(NAME_LIMIT, 'ñ'),
  unit: size === 'short' ? 'Reference' : 'u'.repeat(UNIT_LIMIT),
  ownerUserId: 'U0LEAD42',
  url: `https://${size === 'short' ? 'radar.example.org' : `${'sub.'.repeat(40)}example.org`}/s/AbCdEfGhIjKlMnOpQrStUv_-`,
});

describe('the list of service points', () => {
  it.each([
    [1, 'short'],
    [LIST_MAX_POINTS, 'short'],
    [LIST_MAX_POINTS + 1, 'short'],
    [500, 'short'],
    [30, 'long'],
    [500, 'long'],
  ] as const)('stays within Slack’s limits with %i %s entries, and counts them all', (count, size) => {
    const points = Array.from({ length: count }, (_, i) => point(i + 1, size));
    const message = buildListMessage(points);
    expectWithinBlockKitLimits('message', message);
    expect(message.text).toBe(`${count} active service point${count === 1 ? '' : 's'}.`);
    const shown = visibleText(message.blocks);
    expect(shown).toContain(points[0]?.name);
    const listed = points.filter((p) => shown.includes(`*${p.name}* · unit`)).length;
    if (listed < count) expect(shown).toContain(`…and ${count - listed} more not shown here`);
    else expect(shown).not.toContain('not shown here');
    expect(listed).toBeLessThanOrEqual(LIST_MAX_POINTS);
  });
});

describe('the reply when the posters could not be sent', () => {
  it('says how to ask again, in a form the command reads back to the same point', () => {
    for (const name of ['Reference desk', 'The “Hub”', 'Desk "B"']) {
      const message = buildAddedMessage(
        { ...point(1, 'short'), name },
        { ok: false, error: 'cannot_dm_bot' },
      );
      const typed = /`(\/service-point poster [^`]*)`/.exec(visibleText(message.blocks))?.[1] ?? '';
      expect(parseServicePointCommand(typed.replace('/service-point ', ''))).toEqual({
        action: 'poster',
        name,
      });
    }
  });
});
