import { describe, expect, it } from 'vitest';
import { lightOf } from '../../../src/modules/digests/digests.build.js';
import {
  buildDigestFailedNotice,
  buildDigestMessage,
  formatAverageGap,
  LIGHT_WORDS,
  MAX_LISTED_ROWS,
  renderDigestText,
  sparkline,
} from '../../../src/modules/digests/digests.views.js';
import { blockKitViolations, expectWithinBlockKitLimits } from '../../helpers/block-kit-limits.js';
import { slackTexts, visibleText } from '../../helpers/slack-text.js';
import { sampleDigest } from './digest-data.js';

describe('digest message', () => {
  it('stays within Slack’s limits: small, empty, too small, and 200 units with 200 people, 12 service points and 40 long best practices', () => {
    const cases = [
      sampleDigest(),
      sampleDigest({ rounds: 0, units: 0, leftOut: 0 }),
      sampleDigest({ rounds: 0, units: 0, leftOut: 7 }),
      sampleDigest({ units: 200, longNames: true }),
      sampleDigest({ units: 200, individuals: 200, longNames: true }),
      sampleDigest({ rounds: 0, units: 0, leftOut: 0, practices: 2 }),
      sampleDigest({ units: 200, individuals: 200, servicePoints: 12, practices: 40, longNames: true }),
    ];
    for (const data of cases) {
      expectWithinBlockKitLimits('message', buildDigestMessage(data));
      expectWithinBlockKitLimits('message', buildDigestMessage(data, { preview: true }));
    }
    expect(blockKitViolations('message', buildDigestMessage(cases[4] as never))).toEqual([]);
    expect(blockKitViolations('message', buildDigestMessage(cases[6] as never))).toEqual([]);
    // As many practices as the message has room for, the rest counted.
    const full = JSON.stringify(buildDigestMessage(cases[6] as never).blocks);
    const listed = full.split('"user_id":"UPRACTICE').length - 1;
    expect(listed).toBeGreaterThan(0);
    expect(full).toContain(`…and ${40 - listed} more practices shared this week`);
    expect(
      JSON.stringify(buildDigestMessage(sampleDigest({ practices: 40, longNames: true })).blocks),
    ).toContain('…and 35 more practices shared this week');
    // A week with no round but a practice shared still lists it.
    expect(JSON.stringify(buildDigestMessage(cases[5] as never).blocks)).toContain('What 1');
  });

  it('lists the worst units first and sums up the rest by light', () => {
    const data = sampleDigest({ units: 200 });
    data.units.sort((a, b) => a.gap - b.gap);
    const text = visibleText(buildDigestMessage(data).blocks);
    expect(text).toContain(`*${data.units[0]?.unit}*`);
    expect(text).toContain(`*${data.units[MAX_LISTED_ROWS - 1]?.unit}*`);
    expect(text).not.toContain(`*${data.units[MAX_LISTED_ROWS]?.unit}*`);
    expect(text).toMatch(/and 175 more units not listed: \d+ red, \d+ yellow, \d+ green/);
    // Small units are left out, counted, and never pooled.
    expect(text).toContain('4 rounds in units or weeks too small to show are left out.');
    expect(text).not.toMatch(/, pooled\)|Other units/);
  });

  it('says every light in words beside its emoji, for screen readers and readers who cannot tell the colours', () => {
    const data = sampleDigest({ units: 30 });
    const message = buildDigestMessage(data);
    const rich = JSON.stringify(message.blocks);
    for (const unit of data.units.slice(0, MAX_LISTED_ROWS)) {
      const line = new RegExp(`${unit.unit}[^\\n]*\\(${LIGHT_WORDS[unit.light].replace(/[()]/g, '\\$&')}\\)`);
      expect(rich, unit.unit).toMatch(line);
    }
    const emojis = (rich.match(/"type":"emoji"/g) ?? []).length;
    const worded = Object.values(LIGHT_WORDS).reduce((n, words) => n + rich.split(words).length - 1, 0);
    expect(worded).toBeGreaterThanOrEqual(emojis);
    expect(LIGHT_WORDS.red).toBe('red: blind spot');
    if (data.headline.figures)
      expect(visibleText(message.blocks)).toContain(`, ${LIGHT_WORDS[data.headline.figures.light]}`);
  });

  it('says how many rounds were left out, never which, and the threshold in words', () => {
    const one = visibleText(buildDigestMessage(sampleDigest({ leftOut: 1 })).blocks);
    expect(one).toContain('1 round in units or weeks too small to show is left out.');
    expect(one).toContain(
      'Figures appear only when they come from at least 3 different staff members and 3 different customers; smaller units and weeks are left out, never pooled.',
    );
    expect(visibleText(buildDigestMessage(sampleDigest({ leftOut: 0 })).blocks)).not.toContain('left out.');
    // A week with rounds, none in a unit that passes: no figures, and the reason.
    const none = buildDigestMessage(sampleDigest({ rounds: 0, units: 0, leftOut: 7 }));
    expect(none.text).toBe('Service digest for 16–22 Nov 2026: no unit could be shown this week.');
    const words = visibleText(none.blocks);
    expect(words).toContain(
      '7 rounds completed this week, but no unit’s came from at least 3 different staff members and 3 different customers, so no figures are shown',
    );
    expect(words).not.toMatch(/self \d|customer \d/);
    expect(renderDigestText(sampleDigest({ rounds: 0, units: 0, leftOut: 7 }))).toContain(
      '7 rounds completed this week, but no unit’s came from',
    );
  });

  it('shows names typed by staff as rich text, so a unit cannot mention the channel', () => {
    const texts = slackTexts(buildDigestMessage(sampleDigest({ longNames: true })));
    for (const s of texts.mrkdwn) expect(s).not.toContain('channel');
    expect(texts.literal).toContain('Unit 0 <!channel> & WWWWWWWWWWWWWWWWWWW…');
  });

  it('says an empty week in one line', () => {
    const message = buildDigestMessage(sampleDigest({ rounds: 0, units: 0, leftOut: 0 }));
    expect(message.blocks).toHaveLength(1);
    expect(message.text).toContain('no completed rounds');
  });

  it('shows headline, change, trend and follow-ups, with open action plans', () => {
    const message = buildDigestMessage(sampleDigest());
    const text = JSON.stringify(message.blocks);
    expect(message.text).toBe('Service digest for 16–22 Nov 2026: 40 completed rounds, average gap -1.3.');
    expect(text).toContain('better by 0.4 than the week before');
    expect(text).toContain('Average gap, last 8 weeks');
    expect(text).toContain('4 rounds awaiting a customer’s answer');
    expect(text).toContain('2 rounds expired this week');
    expect(text).toContain('3 rounds where the customer named something they no longer need');
    expect(text).toMatch(
      /\d+ open action plans in units shown, next check-in Tue 1 Dec: Unit \d+ 2 \(1 improved\)/,
    );
    expect(text).toMatch(/\d+ action plans in units shown closed as improved so far/);
  });

  it('renders as plain text for the CLI', () => {
    const text = renderDigestText(sampleDigest({ individuals: 2 }));
    expect(text).toContain('Service digest · 16–22 Nov 2026 (2026-W47, Europe/London)');
    expect(text).toMatch(/red\s+Unit 0\s+self 9.0\s+customer 1.0\s+gap -8.0/);
    expect(text).toContain('By staff member');
    expect(text).toContain('where each of the unit’s staff members had at least 3 different customers');
    expect(text).toContain('4 rounds in units or weeks too small to show are left out.');
    expect(text).not.toContain('*');
  });

  it('tells the admin why a post failed, in words', () => {
    const notice = buildDigestFailedNotice('C1', '2026-W47', 'not_in_channel');
    expect(notice.text).toContain('/invite @Service Radar');
    expectWithinBlockKitLimits('message', notice);
    expect(buildDigestFailedNotice('C1', '2026-W47', 'weird_<error>').text).toContain('weird_&lt;error&gt;');
  });
});

describe('figures', () => {
  it.each([
    [0.4, 'green'],
    [0, 'green'],
    [-0.4, 'green'],
    [-0.5, 'yellow'],
    [-2.4, 'yellow'],
    [-2.5, 'red'],
    [-3, 'red'],
    [2.5, 'green'],
  ] as const)('an average gap of %d is %s', (gap, light) => {
    expect(lightOf(gap)).toBe(light);
  });

  it('formats gaps with one decimal and a sign', () => {
    expect([1.3, 0, -0, -2, 3].map(formatAverageGap)).toEqual(['+1.3', '0.0', '0.0', '-2.0', '+3.0']);
  });

  it('draws a sparkline, with a dot for a week too small to show', () => {
    expect(sparkline([-3, null, -1, 0])).toBe('▁·▆█');
    expect(sparkline([1, 1])).toBe('▄▄');
    expect(sparkline([null])).toBe('·');
  });
});
