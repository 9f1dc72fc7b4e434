import { describe, expect, it } from 'vitest';
import type { ActionPlan } from '../../../src/db/schema.js';
import { buildPlanListText, buildThreadProblemMessage } from '../../../src/modules/plans/plans.views.js';
import { channelProblem, channelProblemCode, planWords } from '../../../src/modules/plans/plans.words.js';
import { expectWithinBlockKitLimits } from '../../helpers/block-kit-limits.js';

const plan = {
  id: 7,
  staffUserId: 'USAM',
  managerUserId: 'UMIA',
  channelId: 'GPLANS',
  state: 'active',
  remeasureOn: '2027-01-25',
} as ActionPlan;

describe('the plans’ words', () => {
  it('names what a refusal is about', () => {
    expect(planWords('not_staff', { staffUserId: 'USAM' })).toBe(
      "Only <@USAM> can do this: it's their plan.",
    );
    expect(planWords('round_not_completed', { roundId: 42, staffUserId: 'USAM' })).toBe(
      "Round 42 isn't a completed round of <@USAM>. Leave out `round:` to use their latest.",
    );
    expect(planWords('group_dm_refused', { staffUserId: 'USAM', error: 'ratelimited' })).toContain(
      'Slack would not open a group DM with <@USAM> (`ratelimited`), so no plan was opened.',
    );
    expect(planWords('step_marked', { position: 3 })).toBe('Step 3 marked done.');
    expect(planWords('step_already_done', { position: 3 })).toBe('Step 3 was already done.');
  });

  it('says where a plan was opened', () => {
    const opened = { planId: 7, staffUserId: 'USAM', channelId: 'GPLANS' };
    expect(planWords('plan_opened', { ...opened, place: 'private_channel' })).toBe(
      'Plan 7 is open in <#GPLANS>. <@USAM> can write it there.',
    );
    expect(planWords('plan_opened', { ...opened, place: 'group_dm' })).toBe(
      'Plan 7 is open in a group DM of you, <@USAM> and Service Radar. <@USAM> can write it there.',
    );
    expect(planWords('plan_opened_without_round', { ...opened, place: 'own_dm' })).toBe(
      'Plan 7 is open in your direct messages with Service Radar. <@USAM> has no completed round yet, so the thread starts without scores; the re-measure will be their first.',
    );
  });

  it('says how to fix a channel the app cannot post in', () => {
    expect(channelProblemCode('not_in_channel')).toBe('channel_not_joined');
    expect(channelProblemCode('channel_not_found')).toBe('channel_not_joined');
    expect(channelProblemCode('is_archived')).toBe('channel_archived');
    expect(channelProblemCode('restricted_action')).toBe('channel_refused');
    expect(channelProblem('not_in_channel')).toContain('Invite me with `/invite @Service Radar`');
    expect(channelProblem('restricted_action')).toBe(
      'Slack would not let me post there (`restricted_action`). Please try again, or choose another private channel.',
    );
  });

  it('tells the manager which thread has a problem, as data', () => {
    const message = buildThreadProblemMessage(plan, channelProblem('is_archived'));
    expect(message).toEqual({
      text: 'The action plan thread for <@USAM> in <#GPLANS> has a problem.',
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: "I couldn't post in the action plan thread for <@USAM> in <#GPLANS>. That channel is archived. Unarchive it, or open the plan in a group DM or another private channel.",
          },
        },
      ],
    });
    expectWithinBlockKitLimits('message', message);
  });

  it('lists a person’s open plans', () => {
    expect(buildPlanListText([], 'USAM')).toBe('You have no open action plans.');
    expect(
      buildPlanListText([plan, { ...plan, id: 8, staffUserId: 'ULEE', state: 'awaiting_plan' }], 'USAM'),
    ).toBe(
      [
        '*Your open action plans*',
        '• Plan 7 (yours) in <#GPLANS>: re-measure on 2027-01-25',
        '• Plan 8 (for <@ULEE>) in <#GPLANS>: waiting to be written',
      ].join('\n'),
    );
  });
});
