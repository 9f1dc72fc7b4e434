import type {
  RichTextBlock,
  RichTextBlockElement,
  RichTextElement,
  RichTextEmoji,
  RichTextLink,
  RichTextList,
  RichTextQuote,
  RichTextSection,
  RichTextText,
  RichTextUserMention,
} from '@slack/types';

/**
 * Rich text, for every line that carries words someone typed.
 *
 * Slack's mrkdwn has no escape for `*`, `_`, `~` or a backtick, so a service called `*urgent*` would
 * turn bold inside a mrkdwn text object, and a stray backtick would swallow the rest of the line.
 * The `text` elements of a rich_text block are shown as they are: no formatting, mention or link is
 * parsed in them, and `&`, `<`, `>` need no entities. The app's own emphasis is a style on the
 * elements beside the typed words, a mention is a `user` element, and an emoji an `emoji` element.
 */

export type Style = NonNullable<RichTextText['style']>;
export type Inline = RichTextElement;
/** A part that may be left out: `cond && part` reads better than a ternary in every builder. */
type Optional<T> = T | false | null | undefined | '';

export const text = (value: string, style?: Style): RichTextText => ({
  type: 'text',
  text: value,
  ...(style ? { style } : {}),
});
export const bold = (value: string): RichTextText => text(value, { bold: true });
export const italic = (value: string): RichTextText => text(value, { italic: true });
export const strike = (value: string): RichTextText => text(value, { strike: true });
export const code = (value: string): RichTextText => text(value, { code: true });

export const user = (userId: string, style?: Style): RichTextUserMention => ({
  type: 'user',
  user_id: userId,
  ...(style ? { style } : {}),
});
/** A link; its text defaults to the address itself. */
export const link = (url: string, label?: string): RichTextLink => ({
  type: 'link',
  url,
  ...(label ? { text: label } : {}),
});

export const emoji = (name: string): RichTextEmoji => ({ type: 'emoji', name });

const sameStyle = (a: Style | undefined, b: Style | undefined) =>
  JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});

/**
 * The elements of one line or paragraph. Empty text is dropped (the reference marks a text element's
 * text as required, and an empty one shows nothing), and neighbouring text of the same style is
 * joined, so a bold name followed by bold words is one bold run.
 */
export function inlines(parts: readonly Optional<Inline>[]): Inline[] {
  const out: Inline[] = [];
  for (const part of parts) {
    if (!part || (part.type === 'text' && part.text === '')) continue;
    const last = out[out.length - 1];
    if (part.type === 'text' && last?.type === 'text' && sameStyle(last.style, part.style)) {
      out[out.length - 1] = { ...last, text: last.text + part.text };
    } else {
      out.push(part);
    }
  }
  return out;
}

export const paragraph = (...parts: Optional<Inline>[]): RichTextSection => ({
  type: 'rich_text_section',
  elements: inlines(parts),
});

/** Someone's own words, set apart as a quote; line breaks are kept. */
export const quoted = (value: string): RichTextQuote => ({
  type: 'rich_text_quote',
  elements: inlines([text(value)]),
});

export const bulleted = (items: readonly (readonly Optional<Inline>[])[]): RichTextList => ({
  type: 'rich_text_list',
  style: 'bullet',
  elements: items.map((item) => paragraph(...item)),
});

/** A rich_text block; parts left with nothing to show are dropped, since Slack refuses them empty. */
export function richText(...parts: Optional<RichTextBlockElement>[]): RichTextBlock {
  return {
    type: 'rich_text',
    elements: parts.filter((part): part is RichTextBlockElement => !!part && part.elements.length > 0),
  };
}
