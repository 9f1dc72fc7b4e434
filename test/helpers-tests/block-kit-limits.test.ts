import type { KnownBlock, ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { blockKitViolations, charCount, expectWithinBlockKitLimits } from '../helpers/block-kit-limits.js';

// biome-ignore lint/suspicious/noExplicitAny: the cases below deliberately build payloads Slack's types forbid.
type Loose = any;

const plain = (text: string) => ({ type: 'plain_text' as const, text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });
const option = (value: string, text = value) => ({ text: plain(text), value });
const x = (n: number) => 'x'.repeat(n);

/** A modal using most block and element kinds, every field at a comfortable size. */
function validModal(): ModalView {
  return {
    type: 'modal',
    callback_id: 'rate_service',
    private_metadata: JSON.stringify({ roundId: 42 }),
    title: plain('Rate the service'),
    submit: plain('Send'),
    close: plain('Cancel'),
    blocks: [
      { type: 'header', block_id: 'hdr', text: plain('How did we do?') },
      {
        type: 'section',
        block_id: 'intro',
        text: mrkdwn('*Hello* there'),
        fields: [mrkdwn('*Desk*'), plain('Lending')],
        accessory: {
          type: 'overflow',
          action_id: 'more',
          options: [option('a'), option('b')],
          confirm: { title: plain('Sure?'), text: plain('Really'), confirm: plain('Yes'), deny: plain('No') },
        },
      },
      {
        type: 'input',
        block_id: 'rating',
        label: plain('Rating'),
        hint: plain('1 is poor, 5 is great'),
        element: {
          type: 'static_select',
          action_id: 'value',
          placeholder: plain('Pick one'),
          options: [option('1'), option('2'), option('3')],
          initial_option: option('2'),
        },
      },
      {
        type: 'input',
        block_id: 'comment',
        optional: true,
        label: plain('Comment'),
        element: {
          type: 'plain_text_input',
          action_id: 'value',
          multiline: true,
          min_length: 0,
          max_length: 500,
          initial_value: 'ok',
        },
      },
      {
        type: 'input',
        block_id: 'channels',
        label: plain('Where'),
        element: {
          type: 'checkboxes',
          action_id: 'value',
          options: [{ text: mrkdwn('*Desk*'), value: 'desk' }, option('phone')],
          initial_options: [option('phone')],
        },
      },
      {
        type: 'actions',
        block_id: 'acts',
        elements: [
          { type: 'button', action_id: 'yes', text: plain('Yes'), value: 'y', style: 'primary' },
          { type: 'button', action_id: 'no', text: plain('No'), value: 'n', url: 'https://example.com' },
          { type: 'datepicker', action_id: 'when', initial_date: '2024-03-01' },
          {
            type: 'radio_buttons',
            action_id: 'pick',
            options: [option('r1'), option('r2')],
            initial_option: option('r1'),
          },
        ],
      },
      {
        type: 'context',
        elements: [
          mrkdwn('Shown to staff only'),
          { type: 'image', image_url: 'https://example.com/a.png', alt_text: 'a' },
        ],
      },
      { type: 'divider' },
    ],
  };
}

function validMessage(): { text: string; blocks: KnownBlock[] } {
  return {
    text: 'Your weekly service radar',
    blocks: [
      { type: 'header', text: plain('Weekly radar') },
      { type: 'section', block_id: 's1', text: mrkdwn('You rated yourself *4*') },
      {
        type: 'actions',
        block_id: 'a1',
        elements: [{ type: 'button', action_id: 'open', text: plain('Open'), value: 'round-1' }],
      },
    ],
  };
}

const textEl = (text: string) => ({ type: 'text', text });
const section = (...elements: unknown[]) => ({ type: 'rich_text_section', elements });
const richText = (...elements: unknown[]): Loose => ({ type: 'rich_text', elements });

const blocksOf = (n: number): KnownBlock[] => Array.from({ length: n }, () => ({ type: 'divider' as const }));
const modalBlock = (m: Loose, i: number) => m.blocks[i];

describe('valid payloads', () => {
  it('accepts a modal using most element kinds', () => {
    expect(blockKitViolations('modal', validModal())).toEqual([]);
  });

  it('accepts a message with text fallback and blocks', () => {
    expect(blockKitViolations('message', validMessage())).toEqual([]);
  });

  it('accepts a home view and a bare blocks array', () => {
    expect(blockKitViolations('home', { type: 'home', blocks: validMessage().blocks })).toEqual([]);
    expect(blockKitViolations('message', validMessage().blocks)).toEqual([]);
  });

  it('accepts every limit exactly at its boundary', () => {
    const m: Loose = validModal();
    m.title = plain(x(24));
    m.submit = plain(x(24));
    m.close = plain(x(24));
    m.private_metadata = x(3000);
    m.callback_id = x(255);
    m.blocks[1].text = mrkdwn(x(3000));
    m.blocks[1].fields = Array.from({ length: 10 }, () => plain(x(2000)));
    m.blocks[0].text = plain(x(150));
    m.blocks[2].label = plain(x(2000));
    m.blocks[2].element.options = Array.from({ length: 100 }, (_, i) => ({
      text: plain(x(75)),
      value: `${i}`.padEnd(150, 'v'),
    }));
    m.blocks[2].element.initial_option = m.blocks[2].element.options[0];
    m.blocks[3].element.max_length = 3000;
    m.blocks[3].element.initial_value = x(3000);
    m.blocks[5].elements[0].text = plain(x(75));
    m.blocks[5].elements[0].value = x(2000);
    m.blocks[5].elements[1].url = `https://example.com/${x(3000 - 20)}`;
    expect(blockKitViolations('modal', m)).toEqual([]);
    expect(
      blockKitViolations('modal', { ...m, blocks: [...m.blocks, ...blocksOf(100 - m.blocks.length)] }),
    ).toEqual([]);
    expect(blockKitViolations('message', { text: x(40000), blocks: blocksOf(50) })).toEqual([]);
  });

  it('accepts rich text of every part (sections, lists, quotes, preformatted, styles, mentions), and only that', () => {
    const m: Loose = validMessage();
    m.blocks.push(
      richText(
        section(
          { type: 'emoji', name: 'memo' },
          { type: 'user', user_id: 'U1', style: { bold: true } },
          { type: 'text', text: ' *not bold* <!channel>', style: { italic: true, code: false } },
          { type: 'channel', channel_id: 'C1' },
          { type: 'link', url: 'https://example.com', text: 'here' },
        ),
        {
          type: 'rich_text_list',
          style: 'ordered',
          indent: 8,
          offset: 2,
          border: 1,
          elements: [section(textEl('a'))],
        },
        { type: 'rich_text_quote', elements: [textEl('line one\nline two')] },
        {
          type: 'rich_text_preformatted',
          elements: [textEl('code'), { type: 'link', url: 'https://example.com' }],
        },
      ),
    );
    expect(blockKitViolations('message', m)).toEqual([]);
    expect(blockKitViolations('modal', { ...validModal(), blocks: [m.blocks[3]] })).toEqual([]);
    // The same block with one part broken is caught, so the acceptance above means something.
    m.blocks[3].elements[1].style = 'numbered';
    expect(blockKitViolations('message', m)).toEqual([
      "/blocks/3/elements/1/style: rich_text_list style must be 'bullet' or 'ordered' (got 'numbered')",
    ]);
  });

  it('lets the same action_id appear in different blocks', () => {
    // Every input in validModal() uses action_id 'value'; Slack only needs uniqueness per block.
    const m = validModal();
    expect(m.blocks.filter((b: Loose) => b.element?.action_id === 'value')).toHaveLength(3);
    expect(blockKitViolations('modal', m)).toEqual([]);
  });

  it('matches initial_option against options regardless of key order', () => {
    const m: Loose = validModal();
    m.blocks[2].element.initial_option = { value: '2', text: { text: '2', type: 'plain_text' } };
    expect(blockKitViolations('modal', m)).toEqual([]);
  });
});

interface Case {
  name: string;
  surface: 'message' | 'modal' | 'home';
  payload: () => unknown;
  expected: RegExp;
}

const modalWith = (mutate: (m: Loose) => void) => () => {
  const m: Loose = validModal();
  mutate(m);
  return m;
};
const messageWith = (mutate: (m: Loose) => void) => () => {
  const m: Loose = validMessage();
  mutate(m);
  return m;
};

const cases: Case[] = [
  // counts of blocks
  {
    name: '51 blocks in a message',
    surface: 'message',
    payload: () => ({ text: 't', blocks: blocksOf(51) }),
    expected: /^\/blocks: 51 blocks in a message; the limit is 50/,
  },
  {
    name: '101 blocks in a modal',
    surface: 'modal',
    payload: modalWith((m) => m.blocks.push(...blocksOf(101 - m.blocks.length))),
    expected: /^\/blocks: 101 blocks in a modal; the limit is 100/,
  },
  {
    name: '101 blocks in a home tab',
    surface: 'home',
    payload: () => ({ type: 'home', blocks: blocksOf(101) }),
    expected: /101 blocks in a home; the limit is 100/,
  },
  // view chrome
  {
    name: 'modal title of 25 characters',
    surface: 'modal',
    payload: modalWith((m) => {
      m.title = plain(x(25));
    }),
    expected: /^\/title\/text: modal title is 25 characters; the limit is 24/,
  },
  {
    name: 'modal without title',
    surface: 'modal',
    payload: modalWith((m) => {
      delete m.title;
    }),
    expected: /^\/title: modal title is required/,
  },
  {
    name: 'modal title in mrkdwn',
    surface: 'modal',
    payload: modalWith((m) => {
      m.title = mrkdwn('Hi');
    }),
    expected: /modal title must be plain_text/,
  },
  {
    name: 'submit of 25 characters',
    surface: 'modal',
    payload: modalWith((m) => {
      m.submit = plain(x(25));
    }),
    expected: /^\/submit\/text: modal submit is 25 characters/,
  },
  {
    name: 'close of 25 characters',
    surface: 'modal',
    payload: modalWith((m) => {
      m.close = plain(x(25));
    }),
    expected: /^\/close\/text: modal close is 25 characters/,
  },
  {
    name: 'input blocks without submit',
    surface: 'modal',
    payload: modalWith((m) => {
      delete m.submit;
    }),
    expected: /needs submit/,
  },
  {
    name: 'wrong view type',
    surface: 'home',
    payload: modalWith(() => {}),
    expected: /view type must be 'home'/,
  },
  {
    name: 'private_metadata of 3001',
    surface: 'modal',
    payload: modalWith((m) => {
      m.private_metadata = x(3001);
    }),
    expected: /private_metadata is 3001 characters; the limit is 3000/,
  },
  {
    name: 'callback_id of 256',
    surface: 'modal',
    payload: modalWith((m) => {
      m.callback_id = x(256);
    }),
    expected: /^\/callback_id: callback_id is 256 characters; the limit is 255/,
  },
  {
    name: 'external_id of 256',
    surface: 'modal',
    payload: modalWith((m) => {
      m.external_id = x(256);
    }),
    expected: /^\/external_id: external_id is 256/,
  },
  {
    name: 'view over 250 kB',
    surface: 'home',
    payload: () => ({
      type: 'home',
      blocks: Array.from({ length: 100 }, () => ({ type: 'section', text: mrkdwn(x(2600)) })),
    }),
    expected: /view_too_large/,
  },
  // ids
  {
    name: 'block_id of 256',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[0].block_id = x(256);
    }),
    expected: /^\/blocks\/0\/block_id: block_id is 256/,
  },
  {
    name: 'duplicate block_id',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[1].block_id = 'hdr';
    }),
    expected: /^\/blocks\/1\/block_id: block_id 'hdr' is already used at \/blocks\/0/,
  },
  {
    name: 'duplicate block_id in a message',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks[2].block_id = 's1';
    }),
    expected: /block_id 's1' is already used/,
  },
  {
    name: 'action_id of 256',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[5].elements[0].action_id = x(256);
    }),
    expected: /^\/blocks\/5\/elements\/0\/action_id: action_id is 256/,
  },
  {
    name: 'duplicate action_id in one block',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[5].elements[1].action_id = 'yes';
    }),
    expected: /action_id 'yes' is already used in this block/,
  },
  // section
  {
    name: 'section text of 3001',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks[1].text = mrkdwn(x(3001));
    }),
    expected: /^\/blocks\/1\/text\/text: section text is 3001 characters; the limit is 3000/,
  },
  {
    name: '11 section fields',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[1].fields = Array.from({ length: 11 }, () => plain('f'));
    }),
    expected: /11 section fields; the limit is 10/,
  },
  {
    name: 'section field of 2001',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[1].fields[1] = plain(x(2001));
    }),
    expected: /^\/blocks\/1\/fields\/1\/text: section field is 2001/,
  },
  {
    name: 'section without text or fields',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks[1] = { type: 'section' };
    }),
    expected: /section needs text or fields/,
  },
  // header
  {
    name: 'header of 151',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks[0].text = plain(x(151));
    }),
    expected: /header text is 151 characters; the limit is 150/,
  },
  {
    name: 'header in mrkdwn',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks[0].text = mrkdwn('*hi*');
    }),
    expected: /header text must be plain_text/,
  },
  // input
  {
    name: 'input label of 2001',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[2].label = plain(x(2001));
    }),
    expected: /input label is 2001/,
  },
  {
    name: 'input label in mrkdwn',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[2].label = mrkdwn('x');
    }),
    expected: /input label must be plain_text/,
  },
  {
    name: 'input hint of 2001',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[2].hint = plain(x(2001));
    }),
    expected: /input hint is 2001/,
  },
  {
    name: 'input hint in mrkdwn',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[2].hint = mrkdwn('x');
    }),
    expected: /input hint must be plain_text/,
  },
  {
    name: 'input without element',
    surface: 'modal',
    payload: modalWith((m) => {
      delete m.blocks[3].element;
    }),
    expected: /input block needs an element/,
  },
  // plain_text_input
  {
    name: 'max_length 0',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[3].element.max_length = 0;
      m.blocks[3].element.initial_value = undefined;
    }),
    expected: /max_length must be an integer from 1 to 3000/,
  },
  {
    name: 'max_length 3001',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[3].element.max_length = 3001;
    }),
    expected: /max_length must be an integer from 1 to 3000/,
  },
  {
    name: 'min_length above max_length',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[3].element.min_length = 501;
    }),
    expected: /min_length 501 is greater than max_length 500/,
  },
  {
    name: 'initial_value longer than max_length',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[3].element.initial_value = x(501);
    }),
    expected: /initial_value is 501 characters; max_length is 500/,
  },
  // buttons
  {
    name: 'button text of 76',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks[2].elements[0].text = plain(x(76));
    }),
    expected: /button text is 76 characters; the limit is 75/,
  },
  {
    name: 'button text in mrkdwn',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks[2].elements[0].text = mrkdwn('x');
    }),
    expected: /button text must be plain_text/,
  },
  {
    name: 'button value of 2001',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks[2].elements[0].value = x(2001);
    }),
    expected: /button value is 2001/,
  },
  {
    name: 'button url of 3001',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks[2].elements[0].url = x(3001);
    }),
    expected: /button url is 3001/,
  },
  {
    name: 'button style unknown',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks[2].elements[0].style = 'green';
    }),
    expected: /style must be 'primary' or 'danger'/,
  },
  // selects and options
  {
    name: 'static_select with 101 options',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[2].element.options = Array.from({ length: 101 }, (_, i) => option(`${i}`));
      m.blocks[2].element.initial_option = option('1');
    }),
    expected: /101 static_select options; the limit is 100/,
  },
  {
    name: 'option text of 76',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[2].element.options[0] = option('1', x(76));
    }),
    expected: /options\/0\/text\/text: option text is 76/,
  },
  {
    name: 'option value of 151',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[2].element.options[0] = option(x(151));
    }),
    expected: /option value is 151 characters; the limit is 150/,
  },
  {
    name: 'option description of 76',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[2].element.options[0].description = plain(x(76));
    }),
    expected: /option description is 76/,
  },
  {
    name: 'select option text in mrkdwn',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[2].element.options[0].text = mrkdwn('1');
    }),
    expected: /option text must be plain_text/,
  },
  {
    name: 'initial_option not among options',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[2].element.initial_option = option('2', 'Two');
    }),
    expected: /initial_option: initial option .* is not one of the static_select options/,
  },
  {
    name: 'option_groups with long label',
    surface: 'modal',
    payload: modalWith((m) => {
      const el = m.blocks[2].element;
      delete el.options;
      el.option_groups = [{ label: plain(x(76)), options: [option('2')] }];
    }),
    expected: /option group label is 76/,
  },
  {
    name: 'option_groups with option value of 151',
    surface: 'modal',
    payload: modalWith((m) => {
      const el = m.blocks[2].element;
      delete el.options;
      delete el.initial_option;
      el.option_groups = [{ label: plain('G'), options: [option(x(151))] }];
    }),
    expected: /option_groups\/0\/options\/0\/value: option value is 151/,
  },
  {
    name: 'both options and option_groups',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[2].element.option_groups = [{ label: plain('G'), options: [option('2')] }];
    }),
    expected: /takes options or option_groups, not both/,
  },
  {
    name: 'overflow with 1 option',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[1].accessory.options = [option('a')];
    }),
    expected: /1 overflow options; at least 2 are needed/,
  },
  {
    name: 'overflow with 6 options',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[1].accessory.options = Array.from({ length: 6 }, (_, i) => option(`${i}`));
    }),
    expected: /6 overflow options; the limit is 5/,
  },
  {
    name: 'radio_buttons with 11 options',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[5].elements[3].options = Array.from({ length: 11 }, (_, i) => option(`r${i + 1}`));
    }),
    expected: /11 radio_buttons options; the limit is 10/,
  },
  {
    name: 'checkboxes with 11 options',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[4].element.options = Array.from({ length: 11 }, (_, i) => option(i === 0 ? 'phone' : `c${i}`));
    }),
    expected: /11 checkboxes options; the limit is 10/,
  },
  {
    name: 'checkboxes initial_options not among options',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[4].element.initial_options = [option('email')];
    }),
    expected: /initial_options\/0: initial option .* is not one of the checkboxes options/,
  },
  // context and actions
  {
    name: '11 context elements',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks.push({ type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) });
    }),
    expected: /11 context elements; the limit is 10/,
  },
  {
    name: 'context element that is a button',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks.push({ type: 'context', elements: [{ type: 'button', text: plain('b') }] });
    }),
    expected: /context elements must be text objects or images/,
  },
  {
    name: '26 actions elements',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks[2].elements = Array.from({ length: 26 }, (_, i) => ({
        type: 'button',
        action_id: `b${i}`,
        text: plain('b'),
      }));
    }),
    expected: /26 actions elements; the limit is 25/,
  },
  // message text
  {
    name: 'message text of 40001',
    surface: 'message',
    payload: () => ({ text: x(40001) }),
    expected: /^\/text: message text is 40001 characters; the limit is 40000/,
  },
  {
    name: 'blocks without text fallback',
    surface: 'message',
    payload: messageWith((m) => {
      delete m.text;
    }),
    expected: /message text must be a non-empty string when blocks are sent/,
  },
  {
    name: 'blocks with blank text fallback',
    surface: 'message',
    payload: messageWith((m) => {
      m.text = '  ';
    }),
    expected: /message text must be a non-empty string when blocks are sent/,
  },
  {
    name: 'over 12000 characters of text in blocks',
    surface: 'message',
    payload: () => ({
      text: 't',
      blocks: Array.from({ length: 5 }, () => ({ type: 'section', text: mrkdwn(x(2401)) })),
    }),
    expected: /msg_blocks_too_long: the blocks hold 12005 characters/,
  },
  // text objects
  {
    name: 'text object without type',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks[1].text = { text: 'hi' };
    }),
    expected: /section text needs type 'plain_text' or 'mrkdwn'/,
  },
  {
    name: 'text object with non-string text',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks[1].text = { type: 'mrkdwn', text: 42 };
    }),
    expected: /section text needs a string text/,
  },
  {
    name: 'empty plain_text',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks[0].text = plain('');
    }),
    expected: /header text text must not be empty/,
  },
  {
    name: 'nested text object without type (context)',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks.push({ type: 'context', elements: [{ type: 'plain_text', text: '' }] });
    }),
    expected: /\/blocks\/3\/elements\/0\/text: plain_text text object text must not be empty/,
  },
  // confirm dialogs and other nested elements
  {
    name: 'confirm title of 101',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[1].accessory.confirm.title = plain(x(101));
    }),
    expected: /accessory\/confirm\/title\/text: confirm title is 101/,
  },
  {
    name: 'confirm deny of 31',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[1].accessory.confirm.deny = plain(x(31));
    }),
    expected: /deny button is 31/,
  },
  {
    name: 'placeholder of 151',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[2].element.placeholder = plain(x(151));
    }),
    expected: /placeholder is 151 characters; the limit is 150/,
  },
  {
    name: 'datepicker initial_date not ISO',
    surface: 'modal',
    payload: modalWith((m) => {
      m.blocks[5].elements[2].initial_date = '01/03/2024';
    }),
    expected: /initial_date must be YYYY-MM-DD/,
  },
  {
    name: 'image element without alt_text',
    surface: 'modal',
    payload: modalWith((m) => {
      delete m.blocks[6].elements[1].alt_text;
    }),
    expected: /image alt_text is required/,
  },
  {
    name: 'button in a container child block',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks.push({
        type: 'container',
        title: plain('c'),
        child_blocks: [
          { type: 'actions', block_id: 's1', elements: [{ type: 'button', text: plain(x(76)) }] },
        ],
      });
    }),
    expected: /child_blocks\/0\/elements\/0\/text\/text: button text is 76/,
  },
  // rich text
  {
    name: 'rich_text without elements',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks.push({ type: 'rich_text', elements: [] });
    }),
    expected: /\/blocks\/3\/elements: rich_text needs a non-empty elements array/,
  },
  {
    name: 'rich_text holding a text object',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks.push({ type: 'rich_text', elements: [mrkdwn('*hi*')] });
    }),
    expected: /rich_text elements must be sections, lists, quotes or preformatted \(got 'mrkdwn'\)/,
  },
  {
    name: 'rich text element with empty text',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks.push(richText(section({ type: 'text', text: '' })));
    }),
    expected: /elements\/0\/elements\/0\/text: text element needs a non-empty string text/,
  },
  {
    name: 'user element without user_id',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks.push(richText(section({ type: 'user' })));
    }),
    expected: /user element needs a non-empty string user_id/,
  },
  {
    name: 'unknown rich text element',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks.push(richText(section({ type: 'button', text: plain('b') })));
    }),
    expected: /not a rich text element \(got 'button'\)/,
  },
  {
    name: 'rich_text_list without a style',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks.push(richText({ type: 'rich_text_list', elements: [section({ type: 'text', text: 'a' })] }));
    }),
    expected: /rich_text_list style must be 'bullet' or 'ordered'/,
  },
  {
    name: 'rich_text_list holding a quote',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks.push(
        richText({
          type: 'rich_text_list',
          style: 'bullet',
          elements: [{ type: 'rich_text_quote', elements: [{ type: 'text', text: 'a' }] }],
        }),
      );
    }),
    expected: /a rich_text_list holds rich_text_section elements only/,
  },
  {
    name: 'rich_text_list indent of 9',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks.push(
        richText({ type: 'rich_text_list', style: 'bullet', indent: 9, elements: [section(textEl('a'))] }),
      );
    }),
    expected: /indent must be an integer from 0 to 8/,
  },
  {
    name: 'emoji in preformatted text',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks.push(
        richText({ type: 'rich_text_preformatted', elements: [{ type: 'emoji', name: 'memo' }] }),
      );
    }),
    expected: /rich_text_preformatted holds text and link elements only/,
  },
  {
    name: 'rich text style that is not a boolean',
    surface: 'message',
    payload: messageWith((m) => {
      m.blocks.push(richText(section({ type: 'text', text: 'a', style: { bold: 'yes' } })));
    }),
    expected: /style\/bold: style takes booleans/,
  },
];

describe('each class of violation is caught', () => {
  it.each(cases)('$name', ({ surface, payload, expected }) => {
    const violations = blockKitViolations(surface, payload());
    expect(
      violations.some((v) => expected.test(v)),
      `violations were:\n${violations.join('\n')}`,
    ).toBe(true);
  });

  it('reports only the broken field, not unrelated noise', () => {
    const m: Loose = validModal();
    m.title = plain(x(25));
    expect(blockKitViolations('modal', m)).toEqual([
      '/title/text: modal title is 25 characters; the limit is 24',
    ]);
  });

  it('finds the duplicate block_id inside a container child block', () => {
    const msg: Loose = validMessage();
    msg.blocks.push({
      type: 'container',
      title: plain('c'),
      child_blocks: [{ type: 'divider', block_id: 's1' }],
    });
    expect(blockKitViolations('message', msg)).toEqual([
      "/blocks/3/child_blocks/0/block_id: block_id 's1' is already used at /blocks/1",
    ]);
  });
});

describe('malformed input', () => {
  it.each([
    ['message', null],
    ['message', 'hello'],
    ['message', 42],
    ['message', { text: 't', blocks: 'not-an-array' }],
    ['message', { text: 't', blocks: [null, 7, 'x', { type: 3 }] }],
    ['modal', null],
    ['modal', []],
    ['home', { type: 'home' }],
    [
      'modal',
      { type: 'modal', title: 'not an object', blocks: [{ type: 'section', fields: 'nope', accessory: [] }] },
    ],
  ] as const)('%s %j gives violations without throwing', (surface, payload) => {
    const violations = blockKitViolations(surface, payload);
    expect(violations.length).toBeGreaterThan(0);
  });

  it('survives a cyclic hand-built payload', () => {
    const el: Loose = { type: 'button', text: plain('b') };
    el.self = el;
    const block: Loose = { type: 'container', title: plain('c'), child_blocks: [] };
    block.child_blocks.push(block);
    const violations = blockKitViolations('message', {
      text: 't',
      blocks: [{ type: 'actions', elements: [el] }, block],
    });
    expect(violations.filter((v) => v.includes('cycle'))).toHaveLength(2);
  });

  it('survives very deep nesting', () => {
    let deep: Loose = { type: 'plain_text', text: 'x' };
    for (let i = 0; i < 5000; i++) deep = { nested: deep };
    const violations = blockKitViolations('message', {
      text: 't',
      blocks: [{ type: 'section', text: mrkdwn('s'), extra: deep }],
    });
    expect(violations.some((v) => v.includes('levels deep'))).toBe(true);
  });
});

describe('expectWithinBlockKitLimits', () => {
  it('does not throw for a valid payload', () => {
    expect(() => expectWithinBlockKitLimits('modal', validModal())).not.toThrow();
  });

  it('throws listing every violation', () => {
    const m: Loose = validModal();
    m.title = plain(x(30));
    m.callback_id = x(300);
    expect(() => expectWithinBlockKitLimits('modal', m)).toThrow(
      /modal payload breaks 2 Block Kit limit\(s\):\n {2}- \/title\/text: modal title is 30 characters.*\n {2}- \/callback_id: callback_id is 300/s,
    );
  });
});

describe('charCount', () => {
  it('counts an emoji as one character, as Slack documents limits in characters', () => {
    expect(charCount('ab')).toBe(2);
    expect(charCount('😀')).toBe(1);
    expect(charCount('a😀b')).toBe(3);
    expect(charCount('\ud800')).toBe(1); // a lone surrogate is still one unit
  });

  it('applies that count to limits: 24 emoji fit a modal title, 25 do not', () => {
    const m: Loose = validModal();
    m.title = plain('😀'.repeat(24));
    expect(blockKitViolations('modal', m)).toEqual([]);
    m.title = plain('😀'.repeat(25));
    expect(blockKitViolations('modal', m)).toEqual([
      '/title/text: modal title is 25 characters; the limit is 24',
    ]);
  });
});

// Keeps the fixtures honest: if a fixture index drifts, the mutations above would hit the wrong block.
describe('fixtures', () => {
  it('has the block layout the cases assume', () => {
    const m: Loose = validModal();
    expect(m.blocks.map((b: Loose) => b.type)).toEqual([
      'header',
      'section',
      'input',
      'input',
      'input',
      'actions',
      'context',
      'divider',
    ]);
    expect(modalBlock(m, 3).element.type).toBe('plain_text_input');
    expect(modalBlock(m, 4).element.type).toBe('checkboxes');
  });
});

describe('the chart block (data_visualization)', () => {
  const chart = (): Loose => ({
    type: 'data_visualization',
    title: 'Self and customer score',
    chart: {
      type: 'line',
      series: [
        {
          name: 'Self',
          data: [
            { label: 'Jan', value: 7 },
            { label: 'Feb', value: 8 },
          ],
        },
        {
          name: 'Customer',
          data: [
            { label: 'Jan', value: 5 },
            { label: 'Feb', value: 9 },
          ],
        },
      ],
      axis_config: { categories: ['Jan', 'Feb'], x_label: 'Month', y_label: 'Score' },
    },
  });
  const home = (block: Loose) => ({ type: 'home', blocks: [block] });

  it('accepts a line chart within its limits', () => {
    expect(blockKitViolations('home', home(chart()))).toEqual([]);
  });

  it.each([
    ['a title over 50 characters', (c: Loose) => (c.title = x(51)), /chart title is 51 characters/],
    ['no title', (c: Loose) => delete c.title, /chart title is required/],
    [
      'an unknown chart type',
      (c: Loose) => (c.chart.type = 'radar'),
      /chart type must be pie, bar, area or line/,
    ],
    [
      'seven series',
      (c: Loose) =>
        (c.chart.series = Array.from({ length: 7 }, (_, i) => ({
          name: `S${i}`,
          data: [{ label: 'Jan', value: 1 }],
        }))),
      /1-6 series/,
    ],
    [
      'a series of 21 points',
      (c: Loose) => (c.chart.series[0].data = Array.from({ length: 21 }, () => ({ label: 'Jan', value: 1 }))),
      /1-20 points/,
    ],
    ['a series name used twice', (c: Loose) => (c.chart.series[1].name = 'Self'), /used twice/],
    [
      'a series name over 20 characters',
      (c: Loose) => (c.chart.series[0].name = x(21)),
      /series name is 21 characters/,
    ],
    [
      'a category over 20 characters',
      (c: Loose) => (c.chart.axis_config.categories[0] = x(21)),
      /category is 21 characters/,
    ],
    [
      'a point outside the categories',
      (c: Loose) => (c.chart.series[0].data[0].label = 'Mar'),
      /not one of the categories/,
    ],
    ['a value that is not a number', (c: Loose) => (c.chart.series[0].data[0].value = '7'), /finite number/],
    [
      'an axis title over 50 characters',
      (c: Loose) => (c.chart.axis_config.y_label = x(51)),
      /y_label is 51 characters/,
    ],
  ])('refuses %s', (_name, change, expected) => {
    const block = chart();
    change(block);
    const violations = blockKitViolations('home', home(block));
    expect(
      violations.some((v) => expected.test(v)),
      violations.join('\n'),
    ).toBe(true);
  });
});

describe('the table block', () => {
  const raw = (text: string) => ({ type: 'raw_text', text });
  const table = (): Loose => ({
    type: 'table',
    column_settings: [{ is_wrapped: true }, { align: 'center' }],
    rows: [
      [raw('Service'), raw('Casey')],
      [raw('Loans'), raw('9')],
      [
        {
          type: 'rich_text',
          elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'Desk' }] }],
        },
        raw('–'),
      ],
    ],
  });
  const home = (block: Loose) => ({ type: 'home', blocks: [block] });

  it('accepts a table within its limits, and one of 100 rows of 20 cells', () => {
    expect(blockKitViolations('home', home(table()))).toEqual([]);
    const full = table();
    full.rows = Array.from({ length: 100 }, (_, i) => Array.from({ length: 20 }, (_, j) => raw(`${i}.${j}`)));
    full.column_settings = Array.from({ length: 20 }, () => ({ align: 'right' }));
    expect(blockKitViolations('home', home(full))).toEqual([]);
  });

  it.each([
    ['no rows', (t: Loose) => (t.rows = []), /a table needs 1-100 rows/],
    [
      '101 rows',
      (t: Loose) => (t.rows = Array.from({ length: 101 }, () => [raw('a')])),
      /a table needs 1-100 rows \(got 101\)/,
    ],
    [
      'a row of 21 cells',
      (t: Loose) => (t.rows[1] = Array.from({ length: 21 }, () => raw('a'))),
      /a table row needs 1-20 cells \(got 21\)/,
    ],
    ['an empty raw_text cell', (t: Loose) => (t.rows[1][1] = raw('')), /at least one character/],
    [
      'a cell of another type',
      (t: Loose) => (t.rows[1][1] = { type: 'mrkdwn', text: '*9*' }),
      /raw_text or rich_text/,
    ],
    [
      'an empty rich_text cell',
      (t: Loose) => (t.rows[2][0] = { type: 'rich_text', elements: [] }),
      /non-empty elements/,
    ],
    [
      '21 column settings',
      (t: Loose) => (t.column_settings = Array.from({ length: 21 }, () => ({}))),
      /at most 20 items/,
    ],
    ['an unknown alignment', (t: Loose) => (t.column_settings[1].align = 'middle'), /left, center or right/],
  ])('refuses %s', (_name, change, expected) => {
    const block = table();
    change(block);
    const violations = blockKitViolations('home', home(block));
    expect(
      violations.some((v) => expected.test(v)),
      violations.join('\n'),
    ).toBe(true);
  });
});
