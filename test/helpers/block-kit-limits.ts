/**
 * A strict, offline checker for Slack's Block Kit limits.
 *
 * Slack rejects a payload that breaks any of these limits with `invalid_blocks` (or `view_too_large`,
 * `msg_blocks_too_long`), and only at run time in a real workspace. Checking them in tests catches a
 * long user-supplied string or an extra block before a user does. The numbers come from
 * /work/shared/SLACK-FACTS.md and Slack's Block Kit reference; where Slack documents a limit loosely
 * ("250 kB", "about 12,000 characters") we take the stricter reading.
 *
 * The checker walks every nested object generically (accessory, element, elements, fields, confirm,
 * options...), so a button inside an actions block gets the same rules as a button used as a section
 * accessory. It never throws on malformed input: a wrong shape is itself reported as a violation.
 */

export type BlockKitSurface = 'message' | 'modal' | 'home';

type JsonObject = Record<string, unknown>;

/** The chart block's limits (docs.slack.dev, block-kit/blocks/data-visualization-block). */
const DATA_VIZ = { title: 50, series: 6, points: 20, label: 20, axisTitle: 50 };
/** docs.slack.dev, block-kit/blocks/table-block: at most 100 rows of at most 20 cells, 20 column settings. */
const TABLE = { rows: 100, cells: 20, columnSettings: 20 };

const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  viewTitle: 24,
  privateMetadata: 3000,
  id: 255,
  sectionText: 3000,
  sectionFields: 10,
  sectionField: 2000,
  headerText: 150,
  inputLabel: 2000,
  inputHint: 2000,
  plainTextInputMax: 3000,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  accessibilityLabel: 75,
  placeholder: 150,
  selectOptions: 100,
  optionGroups: 100,
  optionGroupLabel: 75,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  overflowMin: 2,
  overflowMax: 5,
  radioOrCheckboxOptions: 10,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  contextElements: 10,
  actionsElements: 25,
  imageAltText: 2000,
  imageTitle: 2000,
  markdownBlockText: 12000,
  textObject: 3000,
  messageText: 40000,
  // msg_blocks_too_long: Slack says "about 12,000-13,000"; the lower bound is the safe one.
  messageBlocksTotalText: 12000,
  // view_too_large: Slack says "250 kB" without saying whether k is 1000 or 1024; take 1000.
  viewBytes: 250_000,
  // Not a Slack limit: a guard so a hostile or cyclic payload cannot exhaust the stack.
  maxDepth: 64,
} as const;

const TEXT_TYPES = new Set(['plain_text', 'mrkdwn']);
const STYLES = new Set(['primary', 'danger']);

/**
 * rich_text, from Slack's reference ("Rich text block" and its element pages): a block's elements
 * are sections, lists, quotes and preformatted runs; a list holds sections; the others hold inline
 * elements. The reference gives no character limit inside rich text, so its text counts only
 * toward the message's total (msg_blocks_too_long) and the view's size.
 */
const RICH_TEXT_PARTS = new Set([
  'rich_text_section',
  'rich_text_list',
  'rich_text_quote',
  'rich_text_preformatted',
]);
const RICH_TEXT_INLINES = new Set([
  'attachment_mention',
  'broadcast',
  'canvas',
  'canvas_user_mention',
  'canvas_message_unfurl',
  'channel',
  'citation',
  'color',
  'date',
  'emoji',
  'file',
  'link',
  'list_record',
  'message_mention',
  'salesforce_data_field',
  'tag',
  'team',
  'text',
  'user',
  'usergroup',
  'work_object_mention',
  'workflow_mention',
]);
/** The string each inline element needs (the reference marks them required). */
const RICH_TEXT_REQUIRED: Record<string, string> = {
  text: 'text',
  user: 'user_id',
  channel: 'channel_id',
  usergroup: 'usergroup_id',
  team: 'team_id',
  emoji: 'name',
  link: 'url',
  color: 'value',
};
const RICH_TEXT_STYLE_KEYS = new Set([
  'bold',
  'italic',
  'strike',
  'code',
  'underline',
  'highlight',
  'client_highlight',
  'unlink',
]);
const BROADCAST_RANGES = new Set(['here', 'channel', 'everyone']);

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Slack documents limits in "characters". We count Unicode code points so an emoji counts once, as a
 * person (and Slack's own counter in the Block Kit Builder) would count it, not as two UTF-16 units.
 */
export function charCount(s: string): number {
  let surrogatePairs = 0;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        surrogatePairs++;
        i++;
      }
    }
  }
  return s.length - surrogatePairs;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  return typeof value;
}

/** JSON with sorted keys, so two options compare equal whatever order their keys were written in. */
function canonical(value: unknown, depth = 0): string {
  if (depth > LIMITS.maxDepth) return '"<too deep>"';
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, depth + 1)).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k], depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

interface TextRule {
  what: string;
  max: number;
  plainOnly?: boolean;
  required?: boolean;
}

interface OptionRule {
  plainOnly: boolean;
  allowGroups: boolean;
  min?: number;
  max: number;
}

class Checker {
  readonly violations: string[] = [];
  /** Text objects already checked with a context-specific limit, so the generic walk skips them. */
  private readonly checkedText = new WeakSet<object>();
  /**
   * Objects on the current walk path: protects against cycles in hand-built (not JSON-parsed)
   * payloads, while still visiting an object shared by two places (e.g. an option reused as
   * initial_option) in both.
   */
  private readonly ancestors = new Set<object>();
  private readonly blockIds = new Map<string, string>();
  private messageText = 0;

  constructor(private readonly surface: BlockKitSurface) {}

  add(path: string, message: string): void {
    this.violations.push(`${path || '/'}: ${message}`);
  }

  /** Checks a string field that may be absent. */
  maxChars(path: string, value: unknown, max: number, what: string, required = false): void {
    if (value === undefined) {
      if (required) this.add(path, `${what} is required`);
      return;
    }
    if (typeof value !== 'string') {
      this.add(path, `${what} must be a string (got ${describe(value)})`);
      return;
    }
    const n = charCount(value);
    if (n > max) this.add(path, `${what} is ${n} characters; the limit is ${max}`);
  }

  /** block_id, action_id, callback_id, external_id: strings of 1 to 255 characters. */
  identifier(path: string, value: unknown, what: string): void {
    if (value === undefined) return;
    if (typeof value === 'string' && value.length === 0) {
      this.add(path, `${what} must not be empty`);
      return;
    }
    this.maxChars(path, value, LIMITS.id, what);
  }

  textObject(path: string, value: unknown, rule: TextRule): void {
    if (value === undefined) {
      if (rule.required) this.add(path, `${rule.what} is required`);
      return;
    }
    if (!isObject(value)) {
      this.add(path, `${rule.what} must be a text object (got ${describe(value)})`);
      return;
    }
    this.checkedText.add(value);
    const { type, text } = value;
    if (typeof type !== 'string' || !TEXT_TYPES.has(type)) {
      this.add(`${path}/type`, `${rule.what} needs type 'plain_text' or 'mrkdwn' (got ${describe(type)})`);
    } else if (rule.plainOnly && type !== 'plain_text') {
      this.add(`${path}/type`, `${rule.what} must be plain_text, not ${type}`);
    }
    if (typeof text !== 'string') {
      this.add(`${path}/text`, `${rule.what} needs a string text (got ${describe(text)})`);
      return;
    }
    // Slack's text object reference: "The minimum length is 1" (for plain_text and mrkdwn alike).
    if (text.length === 0) {
      this.add(`${path}/text`, `${rule.what} text must not be empty`);
      return;
    }
    const n = charCount(text);
    if (n > rule.max) this.add(`${path}/text`, `${rule.what} is ${n} characters; the limit is ${rule.max}`);
  }

  blocks(path: string, blocks: unknown, max: number, what: string): void {
    if (!Array.isArray(blocks)) {
      this.add(path, `${what} must be an array (got ${describe(blocks)})`);
      return;
    }
    if (blocks.length > max) this.add(path, `${blocks.length} ${what}; the limit is ${max}`);
    blocks.forEach((block, i) => {
      this.block(`${path}/${i}`, block);
    });
  }

  block(path: string, block: unknown): void {
    if (!isObject(block)) {
      this.add(path, `block must be an object (got ${describe(block)})`);
      return;
    }
    // Container blocks nest blocks, so a hand-built cycle could otherwise recurse forever.
    if (this.ancestors.has(block)) {
      this.add(path, 'payload refers to itself (a cycle); Slack needs plain JSON');
      return;
    }
    this.ancestors.add(block);
    try {
      this.blockBody(path, block);
    } finally {
      this.ancestors.delete(block);
    }
  }

  private blockBody(path: string, block: JsonObject): void {
    const type = block.type;
    if (typeof type !== 'string') {
      this.add(`${path}/type`, `block needs a string type (got ${describe(type)})`);
      return;
    }
    if (block.block_id !== undefined) {
      this.identifier(`${path}/block_id`, block.block_id, 'block_id');
      if (typeof block.block_id === 'string') {
        const first = this.blockIds.get(block.block_id);
        if (first !== undefined) {
          this.add(`${path}/block_id`, `block_id '${block.block_id}' is already used at ${first}`);
        } else {
          this.blockIds.set(block.block_id, path);
        }
      }
    }

    switch (type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) {
          this.add(path, 'section needs text or fields');
        }
        this.textObject(`${path}/text`, block.text, { what: 'section text', max: LIMITS.sectionText });
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields)) {
            this.add(`${path}/fields`, `section fields must be an array (got ${describe(block.fields)})`);
          } else {
            if (block.fields.length > LIMITS.sectionFields) {
              this.add(
                `${path}/fields`,
                `${block.fields.length} section fields; the limit is ${LIMITS.sectionFields}`,
              );
            }
            block.fields.forEach((field, i) => {
              this.textObject(`${path}/fields/${i}`, field, {
                what: 'section field',
                max: LIMITS.sectionField,
              });
            });
          }
        }
        break;
      }
      case 'header':
        this.textObject(`${path}/text`, block.text, {
          what: 'header text',
          max: LIMITS.headerText,
          plainOnly: true,
          required: true,
        });
        break;
      case 'input':
        this.textObject(`${path}/label`, block.label, {
          what: 'input label',
          max: LIMITS.inputLabel,
          plainOnly: true,
          required: true,
        });
        this.textObject(`${path}/hint`, block.hint, {
          what: 'input hint',
          max: LIMITS.inputHint,
          plainOnly: true,
        });
        if (!isObject(block.element)) {
          this.add(`${path}/element`, `input block needs an element object (got ${describe(block.element)})`);
        }
        break;
      case 'actions':
        this.elementList(path, block.elements, LIMITS.actionsElements, 'actions elements');
        break;
      case 'context':
        this.elementList(path, block.elements, LIMITS.contextElements, 'context elements');
        if (Array.isArray(block.elements)) {
          block.elements.forEach((el, i) => {
            const t = isObject(el) ? el.type : undefined;
            if (t !== 'image' && t !== 'plain_text' && t !== 'mrkdwn') {
              this.add(
                `${path}/elements/${i}`,
                `context elements must be text objects or images (got ${describe(t)})`,
              );
            }
          });
        }
        break;
      case 'image':
        this.maxChars(`${path}/alt_text`, block.alt_text, LIMITS.imageAltText, 'image alt_text', true);
        this.maxChars(`${path}/image_url`, block.image_url, LIMITS.url, 'image_url');
        if (block.image_url === undefined && block.slack_file === undefined) {
          this.add(path, 'image block needs image_url or slack_file');
        }
        this.textObject(`${path}/title`, block.title, {
          what: 'image title',
          max: LIMITS.imageTitle,
          plainOnly: true,
        });
        break;
      case 'markdown':
        this.maxChars(`${path}/text`, block.text, LIMITS.markdownBlockText, 'markdown block text', true);
        break;
      case 'rich_text':
        this.richText(path, block);
        break;
      case 'data_visualization':
        this.dataVisualization(path, block);
        break;
      case 'table':
        this.table(path, block);
        break;
      default:
        // divider, file, video and newer blocks have no limits we check here beyond
        // what the generic walk below applies to anything nested inside them.
        break;
    }

    // Each block is its own scope for action_id uniqueness.
    const actionIds = new Map<string, string>();
    this.walkChildren(path, block, actionIds, 0);
  }

  /**
   * The 2026 chart block (docs.slack.dev, block-kit/blocks/data-visualization-block): a title of at
   * most 50 characters; a pie of 1-6 segments, or a line, bar or area chart of 1-6 series with
   * unique names of at most 20 characters, each of 1-20 points labelled (at most 20 characters) by
   * the axis' categories (each at most 20), axis titles at most 50.
   */
  private dataVisualization(path: string, block: JsonObject): void {
    this.maxChars(`${path}/title`, block.title, DATA_VIZ.title, 'chart title', true);
    const chart = block.chart;
    if (!isObject(chart)) {
      this.add(`${path}/chart`, `data_visualization needs a chart object (got ${describe(chart)})`);
      return;
    }
    if (chart.type === 'pie') {
      const segments = chart.segments;
      if (!Array.isArray(segments) || segments.length < 1 || segments.length > DATA_VIZ.series)
        this.add(`${path}/chart/segments`, `a pie needs 1-${DATA_VIZ.series} segments`);
      return;
    }
    if (chart.type !== 'line' && chart.type !== 'bar' && chart.type !== 'area') {
      this.add(
        `${path}/chart/type`,
        `chart type must be pie, bar, area or line (got ${describe(chart.type)})`,
      );
      return;
    }
    const axis = chart.axis_config;
    if (!isObject(axis) || !Array.isArray(axis.categories)) {
      this.add(`${path}/chart/axis_config`, 'a line, bar or area chart needs axis_config.categories');
      return;
    }
    const categories = axis.categories as unknown[];
    categories.forEach((category, i) => {
      this.maxChars(`${path}/chart/axis_config/categories/${i}`, category, DATA_VIZ.label, 'category', true);
    });
    this.maxChars(`${path}/chart/axis_config/x_label`, axis.x_label, DATA_VIZ.axisTitle, 'x_label');
    this.maxChars(`${path}/chart/axis_config/y_label`, axis.y_label, DATA_VIZ.axisTitle, 'y_label');
    const series = chart.series;
    if (!Array.isArray(series) || series.length < 1 || series.length > DATA_VIZ.series) {
      this.add(`${path}/chart/series`, `a chart needs 1-${DATA_VIZ.series} series`);
      return;
    }
    const names = new Set<unknown>();
    series.forEach((one, i) => {
      const at = `${path}/chart/series/${i}`;
      if (!isObject(one)) {
        this.add(at, 'a series must be an object');
        return;
      }
      this.maxChars(`${at}/name`, one.name, DATA_VIZ.label, 'series name', true);
      if (names.has(one.name)) this.add(`${at}/name`, `series name ${describe(one.name)} is used twice`);
      names.add(one.name);
      const data = one.data;
      if (!Array.isArray(data) || data.length < 1 || data.length > DATA_VIZ.points) {
        this.add(`${at}/data`, `a series needs 1-${DATA_VIZ.points} points`);
        return;
      }
      data.forEach((point, j) => {
        if (!isObject(point)) {
          this.add(`${at}/data/${j}`, 'a point must be an object');
          return;
        }
        this.maxChars(`${at}/data/${j}/label`, point.label, DATA_VIZ.label, 'point label', true);
        if (!categories.includes(point.label))
          this.add(
            `${at}/data/${j}/label`,
            `point label ${describe(point.label)} is not one of the categories`,
          );
        if (typeof point.value !== 'number' || !Number.isFinite(point.value))
          this.add(
            `${at}/data/${j}/value`,
            `point value must be a finite number (got ${describe(point.value)})`,
          );
      });
    });
  }

  /**
   * The table block: 1-100 rows, each of 1-20 cells; a cell is raw_text (at least one character) or
   * rich_text; at most 20 column settings, each aligned left, center or right.
   */
  private table(path: string, block: JsonObject): void {
    const rows = block.rows;
    if (!Array.isArray(rows) || rows.length < 1 || rows.length > TABLE.rows) {
      this.add(
        `${path}/rows`,
        `a table needs 1-${TABLE.rows} rows (got ${Array.isArray(rows) ? rows.length : describe(rows)})`,
      );
      return;
    }
    rows.forEach((row, i) => {
      const at = `${path}/rows/${i}`;
      if (!Array.isArray(row) || row.length < 1 || row.length > TABLE.cells) {
        this.add(
          at,
          `a table row needs 1-${TABLE.cells} cells (got ${Array.isArray(row) ? row.length : describe(row)})`,
        );
        return;
      }
      row.forEach((cell, j) => {
        const cellAt = `${at}/${j}`;
        if (!isObject(cell)) {
          this.add(cellAt, `a table cell must be an object (got ${describe(cell)})`);
        } else if (cell.type === 'raw_text') {
          if (typeof cell.text !== 'string' || cell.text.length === 0)
            this.add(
              `${cellAt}/text`,
              `a raw_text cell needs at least one character (got ${describe(cell.text)})`,
            );
        } else if (cell.type === 'rich_text') {
          this.richText(cellAt, cell);
        } else {
          this.add(`${cellAt}/type`, `a table cell is raw_text or rich_text (got ${describe(cell.type)})`);
        }
      });
    });
    const settings = block.column_settings;
    if (settings === undefined) return;
    if (!Array.isArray(settings) || settings.length > TABLE.columnSettings) {
      this.add(`${path}/column_settings`, `column_settings holds at most ${TABLE.columnSettings} items`);
      return;
    }
    settings.forEach((setting, i) => {
      if (!isObject(setting)) {
        this.add(`${path}/column_settings/${i}`, 'a column setting must be an object');
        return;
      }
      if (setting.align !== undefined && !['left', 'center', 'right'].includes(setting.align as string))
        this.add(
          `${path}/column_settings/${i}/align`,
          `align is left, center or right (got ${describe(setting.align)})`,
        );
      if (setting.is_wrapped !== undefined && typeof setting.is_wrapped !== 'boolean')
        this.add(`${path}/column_settings/${i}/is_wrapped`, 'is_wrapped must be a boolean');
    });
  }

  private richText(path: string, block: JsonObject): void {
    if (!Array.isArray(block.elements) || block.elements.length === 0) {
      this.add(
        `${path}/elements`,
        `rich_text needs a non-empty elements array (got ${describe(block.elements)})`,
      );
      return;
    }
    block.elements.forEach((part, i) => {
      this.richTextPart(`${path}/elements/${i}`, part, false);
    });
  }

  private richTextPart(path: string, part: unknown, inList: boolean): void {
    const type = isObject(part) ? part.type : undefined;
    if (!isObject(part) || typeof type !== 'string' || !RICH_TEXT_PARTS.has(type)) {
      this.add(
        path,
        `rich_text elements must be sections, lists, quotes or preformatted (got ${describe(type)})`,
      );
      return;
    }
    if (inList && type !== 'rich_text_section') {
      this.add(path, `a rich_text_list holds rich_text_section elements only (got '${type}')`);
    }
    if (part.border !== undefined && part.border !== 0 && part.border !== 1) {
      this.add(`${path}/border`, `border must be 0 or 1 (got ${describe(part.border)})`);
    }
    if (!Array.isArray(part.elements)) {
      this.add(`${path}/elements`, `${type} needs an elements array (got ${describe(part.elements)})`);
      return;
    }
    if (type === 'rich_text_list') {
      if (part.style !== 'bullet' && part.style !== 'ordered') {
        this.add(
          `${path}/style`,
          `rich_text_list style must be 'bullet' or 'ordered' (got ${describe(part.style)})`,
        );
      }
      // @slack/types: "a number from 0 (default) to 8".
      const { indent, offset } = part;
      if (
        indent !== undefined &&
        !(Number.isInteger(indent) && (indent as number) >= 0 && (indent as number) <= 8)
      ) {
        this.add(`${path}/indent`, `indent must be an integer from 0 to 8 (got ${describe(indent)})`);
      }
      if (offset !== undefined && !(Number.isInteger(offset) && (offset as number) >= 0)) {
        this.add(`${path}/offset`, `offset must be a whole number (got ${describe(offset)})`);
      }
      if (part.elements.length === 0) this.add(`${path}/elements`, 'rich_text_list needs at least one item');
      part.elements.forEach((item, i) => {
        this.richTextPart(`${path}/elements/${i}`, item, true);
      });
      return;
    }
    if (part.elements.length === 0) this.add(`${path}/elements`, `${type} needs at least one element`);
    part.elements.forEach((el, i) => {
      this.richTextInline(`${path}/elements/${i}`, el, type === 'rich_text_preformatted');
    });
  }

  private richTextInline(path: string, el: unknown, preformatted: boolean): void {
    const type = isObject(el) ? el.type : undefined;
    if (!isObject(el) || typeof type !== 'string' || !RICH_TEXT_INLINES.has(type)) {
      this.add(path, `not a rich text element (got ${describe(type)})`);
      return;
    }
    if (preformatted && type !== 'text' && type !== 'link') {
      this.add(path, `rich_text_preformatted holds text and link elements only (got '${type}')`);
    }
    const required = RICH_TEXT_REQUIRED[type];
    if (required !== undefined) {
      const value = el[required];
      // The stricter reading: an empty string is as good as a missing one.
      if (typeof value !== 'string' || value === '') {
        this.add(
          `${path}/${required}`,
          `${type} element needs a non-empty string ${required} (got ${describe(value)})`,
        );
      }
    }
    if (type === 'link') this.maxChars(`${path}/url`, el.url, LIMITS.url, 'link url');
    if (type === 'broadcast' && !(typeof el.range === 'string' && BROADCAST_RANGES.has(el.range))) {
      this.add(
        `${path}/range`,
        `broadcast range must be here, channel or everyone (got ${describe(el.range)})`,
      );
    }
    if (el.style !== undefined) {
      if (!isObject(el.style)) {
        this.add(`${path}/style`, `style must be an object of booleans (got ${describe(el.style)})`);
      } else {
        for (const [key, value] of Object.entries(el.style)) {
          if (!RICH_TEXT_STYLE_KEYS.has(key) || typeof value !== 'boolean') {
            this.add(
              `${path}/style/${key}`,
              `style takes booleans for ${[...RICH_TEXT_STYLE_KEYS].join(', ')}`,
            );
          }
        }
      }
    }
  }

  private elementList(path: string, elements: unknown, max: number, what: string): void {
    if (!Array.isArray(elements)) {
      this.add(`${path}/elements`, `${what} must be an array (got ${describe(elements)})`);
      return;
    }
    if (elements.length > max)
      this.add(`${path}/elements`, `${elements.length} ${what}; the limit is ${max}`);
  }

  /** Visits every property of an object (the block itself or anything below it). */
  private walkChildren(path: string, node: JsonObject, actionIds: Map<string, string>, depth: number): void {
    if (typeof node.text === 'string') this.messageText += charCount(node.text);
    for (const [key, value] of Object.entries(node)) {
      const childPath = `${path}/${key}`;
      if (key === 'child_blocks' && node.type === 'container' && depth === 0) {
        // Container blocks nest whole blocks: they share the surface's block_id namespace.
        if (Array.isArray(value)) {
          value.forEach((child, i) => {
            this.block(`${childPath}/${i}`, child);
          });
        }
        continue;
      }
      if (key === 'confirm' && isObject(value) && value.type === undefined) {
        this.confirmDialog(childPath, value);
      }
      this.walk(childPath, value, actionIds, depth + 1);
    }
  }

  private walk(path: string, node: unknown, actionIds: Map<string, string>, depth: number): void {
    if (typeof node !== 'object' || node === null) return;
    if (depth > LIMITS.maxDepth) {
      this.add(path, `nested more than ${LIMITS.maxDepth} levels deep; not checked further`);
      return;
    }
    if (this.ancestors.has(node)) {
      this.add(path, 'payload refers to itself (a cycle); Slack needs plain JSON');
      return;
    }
    this.ancestors.add(node);
    try {
      if (Array.isArray(node)) {
        node.forEach((item, i) => {
          this.walk(`${path}/${i}`, item, actionIds, depth + 1);
        });
        return;
      }
      const obj = node as JsonObject;
      if (typeof obj.type === 'string') {
        if (TEXT_TYPES.has(obj.type)) {
          if (!this.checkedText.has(obj)) {
            this.textObject(path, obj, { what: `${obj.type} text object`, max: LIMITS.textObject });
          }
        } else {
          this.element(path, obj, actionIds);
        }
      }
      this.walkChildren(path, obj, actionIds, depth);
    } finally {
      this.ancestors.delete(node);
    }
  }

  private element(path: string, el: JsonObject, actionIds: Map<string, string>): void {
    if (el.action_id !== undefined) {
      this.identifier(`${path}/action_id`, el.action_id, 'action_id');
      if (typeof el.action_id === 'string') {
        const first = actionIds.get(el.action_id);
        if (first !== undefined) {
          this.add(
            `${path}/action_id`,
            `action_id '${el.action_id}' is already used in this block at ${first}`,
          );
        } else {
          actionIds.set(el.action_id, path);
        }
      }
    }
    if (el.placeholder !== undefined) {
      this.textObject(`${path}/placeholder`, el.placeholder, {
        what: 'placeholder',
        max: LIMITS.placeholder,
        plainOnly: true,
      });
    }
    if (el.max_selected_items !== undefined) {
      const n = el.max_selected_items;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
        this.add(
          `${path}/max_selected_items`,
          `max_selected_items must be an integer >= 1 (got ${describe(n)})`,
        );
      }
    }

    switch (el.type) {
      case 'button':
      case 'workflow_button':
        this.textObject(`${path}/text`, el.text, {
          what: 'button text',
          max: LIMITS.buttonText,
          plainOnly: true,
          required: true,
        });
        this.maxChars(`${path}/value`, el.value, LIMITS.buttonValue, 'button value');
        this.maxChars(`${path}/url`, el.url, LIMITS.url, 'button url');
        this.maxChars(
          `${path}/accessibility_label`,
          el.accessibility_label,
          LIMITS.accessibilityLabel,
          'button accessibility_label',
        );
        this.style(path, el.style);
        break;
      case 'static_select':
      case 'multi_static_select':
        this.options(path, el, { plainOnly: true, allowGroups: true, max: LIMITS.selectOptions });
        break;
      case 'external_select':
      case 'multi_external_select':
        // Options come from the app's options endpoint; only the initial ones travel in the payload.
        if (el.initial_option !== undefined) this.option(`${path}/initial_option`, el.initial_option, true);
        if (Array.isArray(el.initial_options)) {
          el.initial_options.forEach((o, i) => {
            this.option(`${path}/initial_options/${i}`, o, true);
          });
        }
        break;
      case 'overflow':
        this.options(path, el, {
          plainOnly: true,
          allowGroups: false,
          min: LIMITS.overflowMin,
          max: LIMITS.overflowMax,
        });
        break;
      case 'radio_buttons':
      case 'checkboxes':
        this.options(path, el, { plainOnly: false, allowGroups: false, max: LIMITS.radioOrCheckboxOptions });
        break;
      case 'plain_text_input':
        this.plainTextInput(path, el);
        break;
      case 'datepicker':
        if (
          el.initial_date !== undefined &&
          !(typeof el.initial_date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(el.initial_date))
        ) {
          this.add(
            `${path}/initial_date`,
            `initial_date must be YYYY-MM-DD (got ${describe(el.initial_date)})`,
          );
        }
        break;
      case 'timepicker':
        if (
          el.initial_time !== undefined &&
          !(typeof el.initial_time === 'string' && /^\d{2}:\d{2}$/.test(el.initial_time))
        ) {
          this.add(`${path}/initial_time`, `initial_time must be HH:mm (got ${describe(el.initial_time)})`);
        }
        break;
      case 'image':
        this.maxChars(`${path}/alt_text`, el.alt_text, LIMITS.imageAltText, 'image alt_text', true);
        this.maxChars(`${path}/image_url`, el.image_url, LIMITS.url, 'image_url');
        if (el.image_url === undefined && el.slack_file === undefined) {
          this.add(path, 'image element needs image_url or slack_file');
        }
        break;
      default:
        break;
    }
  }

  private style(path: string, style: unknown): void {
    if (style !== undefined && !(typeof style === 'string' && STYLES.has(style))) {
      this.add(`${path}/style`, `style must be 'primary' or 'danger' (got ${describe(style)})`);
    }
  }

  private plainTextInput(path: string, el: JsonObject): void {
    const { min_length: min, max_length: max, initial_value: initial } = el;
    const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);
    if (max !== undefined && !(isInt(max) && max >= 1 && max <= LIMITS.plainTextInputMax)) {
      this.add(
        `${path}/max_length`,
        `max_length must be an integer from 1 to ${LIMITS.plainTextInputMax} (got ${describe(max)})`,
      );
    }
    if (min !== undefined && !(isInt(min) && min >= 0 && min <= LIMITS.plainTextInputMax)) {
      this.add(
        `${path}/min_length`,
        `min_length must be an integer from 0 to ${LIMITS.plainTextInputMax} (got ${describe(min)})`,
      );
    }
    if (isInt(min) && isInt(max) && min > max) {
      this.add(`${path}/min_length`, `min_length ${min} is greater than max_length ${max}`);
    }
    if (initial !== undefined) {
      if (typeof initial !== 'string') {
        this.add(`${path}/initial_value`, `initial_value must be a string (got ${describe(initial)})`);
      } else {
        const cap = isInt(max) ? Math.min(max, LIMITS.plainTextInputMax) : LIMITS.plainTextInputMax;
        const n = charCount(initial);
        if (n > cap)
          this.add(`${path}/initial_value`, `initial_value is ${n} characters; max_length is ${cap}`);
      }
    }
  }

  private options(path: string, el: JsonObject, rule: OptionRule): void {
    const type = String(el.type);
    const all: unknown[] = [];
    const hasOptions = el.options !== undefined;
    const hasGroups = el.option_groups !== undefined;
    if (hasGroups && !rule.allowGroups) {
      this.add(`${path}/option_groups`, `${type} does not take option_groups`);
    }
    if (rule.allowGroups && hasOptions && hasGroups) {
      this.add(path, `${type} takes options or option_groups, not both`);
    }
    if (!hasOptions && !(rule.allowGroups && hasGroups)) {
      this.add(
        `${path}/options`,
        `${type} needs ${rule.allowGroups ? 'options or option_groups' : 'options'}`,
      );
    }
    if (hasOptions) this.optionList(`${path}/options`, el.options, rule, type, all);
    if (hasGroups && rule.allowGroups) {
      const groups = el.option_groups;
      if (!Array.isArray(groups)) {
        this.add(`${path}/option_groups`, `option_groups must be an array (got ${describe(groups)})`);
      } else {
        if (groups.length > LIMITS.optionGroups) {
          this.add(
            `${path}/option_groups`,
            `${groups.length} option groups; the limit is ${LIMITS.optionGroups}`,
          );
        }
        groups.forEach((group, i) => {
          const gPath = `${path}/option_groups/${i}`;
          if (!isObject(group)) {
            this.add(gPath, `option group must be an object (got ${describe(group)})`);
            return;
          }
          this.textObject(`${gPath}/label`, group.label, {
            what: 'option group label',
            max: LIMITS.optionGroupLabel,
            plainOnly: true,
            required: true,
          });
          this.optionList(
            `${gPath}/options`,
            group.options,
            { ...rule, min: undefined, max: LIMITS.selectOptions },
            'option group',
            all,
          );
        });
      }
    }

    // Slack requires initial options to be an exact copy of one of the options.
    const known = new Set(all.map((o) => canonical(o)));
    const mustBeKnown = (p: string, o: unknown) => {
      if (!known.has(canonical(o)))
        this.add(p, `initial option ${canonical(o)} is not one of the ${type} options`);
    };
    if (el.initial_option !== undefined) mustBeKnown(`${path}/initial_option`, el.initial_option);
    if (el.initial_options !== undefined) {
      if (!Array.isArray(el.initial_options)) {
        this.add(
          `${path}/initial_options`,
          `initial_options must be an array (got ${describe(el.initial_options)})`,
        );
      } else {
        el.initial_options.forEach((o, i) => {
          mustBeKnown(`${path}/initial_options/${i}`, o);
        });
      }
    }
  }

  private optionList(path: string, list: unknown, rule: OptionRule, what: string, all: unknown[]): void {
    if (!Array.isArray(list)) {
      this.add(path, `${what} options must be an array (got ${describe(list)})`);
      return;
    }
    if (list.length > rule.max) this.add(path, `${list.length} ${what} options; the limit is ${rule.max}`);
    if (rule.min !== undefined && list.length < rule.min) {
      this.add(path, `${list.length} ${what} options; at least ${rule.min} are needed`);
    }
    list.forEach((o, i) => {
      this.option(`${path}/${i}`, o, rule.plainOnly);
      all.push(o);
    });
  }

  private option(path: string, o: unknown, plainOnly: boolean): void {
    if (!isObject(o)) {
      this.add(path, `option must be an object (got ${describe(o)})`);
      return;
    }
    this.textObject(`${path}/text`, o.text, {
      what: 'option text',
      max: LIMITS.optionText,
      plainOnly,
      required: true,
    });
    this.maxChars(`${path}/value`, o.value, LIMITS.optionValue, 'option value', true);
    this.textObject(`${path}/description`, o.description, {
      what: 'option description',
      max: LIMITS.optionDescription,
      plainOnly,
    });
    this.maxChars(`${path}/url`, o.url, LIMITS.url, 'option url');
  }

  private confirmDialog(path: string, c: JsonObject): void {
    this.textObject(`${path}/title`, c.title, {
      what: 'confirm title',
      max: LIMITS.confirmTitle,
      plainOnly: true,
    });
    this.textObject(`${path}/text`, c.text, {
      what: 'confirm text',
      max: LIMITS.confirmText,
      required: true,
    });
    this.textObject(`${path}/confirm`, c.confirm, {
      what: 'confirm button',
      max: LIMITS.confirmButton,
      plainOnly: true,
    });
    this.textObject(`${path}/deny`, c.deny, {
      what: 'deny button',
      max: LIMITS.confirmButton,
      plainOnly: true,
    });
    this.style(path, c.style);
  }

  checkMessage(payload: unknown): void {
    let blocks: unknown;
    let text: unknown;
    const bare = Array.isArray(payload);
    if (bare) {
      blocks = payload;
    } else if (isObject(payload)) {
      blocks = payload.blocks;
      text = payload.text;
    } else {
      this.add(
        '',
        `message must be an object with text/blocks, or an array of blocks (got ${describe(payload)})`,
      );
      return;
    }
    this.maxChars('/text', text, LIMITS.messageText, 'message text');
    if (blocks === undefined) return;
    const blocksPath = bare ? '' : '/blocks';
    this.blocks(blocksPath, blocks, LIMITS.messageBlocks, 'blocks in a message');
    // A bare blocks array has no text to check; with an object, the text is the notification and
    // screen-reader fallback, which Slack shows instead of the blocks.
    if (
      !bare &&
      Array.isArray(blocks) &&
      blocks.length > 0 &&
      !(typeof text === 'string' && text.trim() !== '')
    ) {
      this.add(
        '/text',
        'message text must be a non-empty string when blocks are sent (notification fallback)',
      );
    }
    if (this.messageText > LIMITS.messageBlocksTotalText) {
      this.add(
        blocksPath,
        `msg_blocks_too_long: the blocks hold ${this.messageText} characters of text; the limit is ${LIMITS.messageBlocksTotalText}`,
      );
    }
  }

  checkView(view: unknown): void {
    const surface = this.surface;
    if (!isObject(view)) {
      this.add('', `${surface} view must be an object (got ${describe(view)})`);
      return;
    }
    const expected = surface === 'home' ? 'home' : 'modal';
    if (view.type !== expected)
      this.add('/type', `view type must be '${expected}' (got ${describe(view.type)})`);
    if (surface === 'modal') {
      const rule = { max: LIMITS.viewTitle, plainOnly: true };
      this.textObject('/title', view.title, { ...rule, what: 'modal title', required: true });
      this.textObject('/submit', view.submit, { ...rule, what: 'modal submit' });
      this.textObject('/close', view.close, { ...rule, what: 'modal close' });
      const hasInput =
        Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === 'input');
      if (hasInput && view.submit === undefined)
        this.add('/submit', 'a modal with input blocks needs submit');
    }
    this.maxChars('/private_metadata', view.private_metadata, LIMITS.privateMetadata, 'private_metadata');
    this.identifier('/callback_id', view.callback_id, 'callback_id');
    this.identifier('/external_id', view.external_id, 'external_id');
    this.blocks('/blocks', view.blocks, LIMITS.viewBlocks, `blocks in a ${surface}`);
    let bytes: number | undefined;
    try {
      bytes = Buffer.byteLength(JSON.stringify(view) ?? '', 'utf8');
    } catch (err) {
      this.add('', `view is not JSON-serialisable: ${(err as Error).message}`);
    }
    if (bytes !== undefined && bytes > LIMITS.viewBytes) {
      this.add('', `view_too_large: the view is ${bytes} bytes of JSON; the limit is ${LIMITS.viewBytes}`);
    }
  }
}

/**
 * Returns every Block Kit limit the payload breaks, as "json-pointer: message" strings; an empty
 * array means Slack should accept it.
 *
 * - 'message': `{ text?, blocks? }` (extra keys such as `channel` are ignored) or a bare blocks array.
 * - 'modal' / 'home': the view object.
 */
export function blockKitViolations(surface: BlockKitSurface, payload: unknown): string[] {
  const checker = new Checker(surface);
  try {
    if (surface === 'message') checker.checkMessage(payload);
    else checker.checkView(payload);
  } catch (err) {
    // The checker is meant to be total; if it is not, say so rather than crash the caller.
    checker.add('', `checker failed on this payload: ${(err as Error).message}`);
  }
  return checker.violations;
}

/** Throws an Error listing every violation, so a test fails with all of them at once. */
export function expectWithinBlockKitLimits(surface: BlockKitSurface, payload: unknown): void {
  const violations = blockKitViolations(surface, payload);
  if (violations.length > 0) {
    throw new Error(
      `${surface} payload breaks ${violations.length} Block Kit limit(s):\n${violations.map((v) => `  - ${v}`).join('\n')}`,
    );
  }
}
