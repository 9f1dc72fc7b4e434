import { describe, expect, it } from 'vitest';
import { parseActionPlanCommand } from '../../src/slack/listeners/commands/action-plan.js';

describe('/action-plan text', () => {
  it.each([
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['LIST', { kind: 'list' }],
    ['<@U012ABC|sam>', { kind: 'open', staffUserId: 'U012ABC' }],
    ['<@W012ABC>  round:42', { kind: 'open', staffUserId: 'W012ABC', roundId: 42 }],
    ['@sam', { kind: 'invalid' }],
    ['<@U012ABC|sam> round:abc', { kind: 'invalid' }],
    ['<@U012ABC|sam> <@U999>', { kind: 'invalid' }],
  ])('%j', (text, expected) => {
    expect(parseActionPlanCommand(text)).toMatchObject(expected);
  });
});
