/**
 * Reads a Block Kit payload the way Slack renders its words, for tests of where typed text lands.
 *
 * Slack parses formatting, mentions and links in two places only: `mrkdwn` text objects and a
 * message's top-level `text` (the notification and screen-reader fallback). Everything else that is
 * shown is literal: `plain_text` text objects, the `text` elements of a `rich_text` block, and the
 * `initial_value` of an input.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export interface SlackTexts {
  /** Strings Slack reads as mrkdwn: every mrkdwn text object, and the message's `text` fallback. */
  mrkdwn: string[];
  /** The message's `text` fallback alone (also in `mrkdwn`). */
  fallback: string[];
  /** Strings shown as they are: plain_text objects, rich_text text elements, inputs' initial values. */
  literal: string[];
}

/** Sorts every shown string of a message, a view or a bare list of blocks by how Slack reads it. */
export function slackTexts(payload: unknown): SlackTexts {
  const found: SlackTexts = { mrkdwn: [], fallback: [], literal: [] };
  const visit = (node: unknown, depth: number): void => {
    if (depth > 64) throw new Error('payload nested too deeply to read');
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1);
      return;
    }
    if (!isObject(node)) return;
    if (typeof node.text === 'string') {
      if (node.type === 'mrkdwn') found.mrkdwn.push(node.text);
      else if (node.type === 'plain_text' || node.type === 'text') found.literal.push(node.text);
    }
    if (typeof node.initial_value === 'string') found.literal.push(node.initial_value);
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'text' || typeof value !== 'string') visit(value, depth + 1);
    }
  };
  if (isObject(payload) && typeof payload.text === 'string' && payload.type === undefined) {
    found.fallback.push(payload.text);
    found.mrkdwn.push(payload.text);
    visit(payload.blocks, 0);
    visit(payload.view, 0);
  } else {
    visit(payload, 0);
  }
  return found;
}

const MARKS = [
  ['bold', '*'],
  ['italic', '_'],
  ['strike', '~'],
  ['code', '`'],
] as const;

function unstyled(element: Json): string {
  switch (element.type) {
    case 'text':
      return String(element.text ?? '');
    case 'user':
      return `<@${String(element.user_id)}>`;
    case 'channel':
      return `<#${String(element.channel_id)}>`;
    case 'emoji':
      return `:${String(element.name)}:`;
    case 'link':
      return String(element.text ?? element.url);
    default:
      return '';
  }
}

function inline(element: Json): string {
  let shown = unstyled(element);
  const style = isObject(element.style) ? element.style : {};
  for (const [name, mark] of MARKS) if (style[name]) shown = `${mark}${shown}${mark}`;
  return shown;
}

const inlines = (elements: unknown) => (Array.isArray(elements) ? elements.filter(isObject) : []);

function richTextPart(part: Json): string {
  const content = () =>
    inlines(part.elements)
      .map((element) => inline(element))
      .join('');
  switch (part.type) {
    case 'rich_text_quote':
      return content()
        .split('\n')
        .map((line) => `>${line}`)
        .join('\n');
    case 'rich_text_list':
      return inlines(part.elements)
        .map((item) => `• ${richTextPart(item)}`)
        .join('\n');
    default:
      return content();
  }
}

/**
 * The words of blocks as a reader sees them, with the app's own emphasis written in mrkdwn's marks
 * (`*bold*`, `_italic_`, `~strike~`, `code` in backticks, `<@U1>` for a mention, `:emoji:`), so an
 * assertion reads the same whether a line is a mrkdwn object or rich text.
 */
export function visibleText(blocks: unknown): string {
  const list = Array.isArray(blocks) ? blocks : [blocks];
  return list
    .filter(isObject)
    .map((block) => {
      if (block.type === 'rich_text') return inlines(block.elements).map(richTextPart).join('\n');
      const parts: unknown[] = [block.text, ...(Array.isArray(block.fields) ? block.fields : [])];
      if (block.type === 'context') parts.push(...inlines(block.elements));
      return parts
        .filter(isObject)
        .map((part) => String(part.text ?? ''))
        .filter((text) => text !== '')
        .join('\n');
    })
    .filter((text) => text !== '')
    .join('\n');
}
