import { z } from 'zod';
import { removeControlCharacters } from '../lib/control-characters.js';

/**
 * Reads submitted modal values defensively. Slack's shapes are parsed with zod; anything missing or
 * of the wrong type reads as null, and the use case then says what is missing. Nothing here throws.
 * Every value comes out without control characters (src/lib/control-characters.ts): a NUL would
 * make PostgreSQL refuse the whole row, and an escape sequence would reach operators' terminals.
 */
const stateValue = z
  .object({
    type: z.string().optional(),
    value: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
    selected_user: z.string().nullish(),
    selected_date: z.string().nullish(),
    selected_conversation: z.string().nullish(),
  })
  .loose();

const stateValues = z.record(z.string(), z.record(z.string(), z.unknown()));

export type ViewState = z.infer<typeof stateValues>;

export function parseViewState(raw: unknown): ViewState {
  const parsed = stateValues.safeParse(raw);
  return parsed.success ? parsed.data : {};
}

function read(state: ViewState, blockId: string, actionId: string) {
  const parsed = stateValue.safeParse(state[blockId]?.[actionId]);
  return parsed.success ? parsed.data : undefined;
}

const clean = (value: string | null | undefined): string | null =>
  value == null ? null : removeControlCharacters(value);

export const readText = (state: ViewState, blockId: string, actionId: string): string | null =>
  clean(read(state, blockId, actionId)?.value);

/** An option's value is the app's own, unless the payload was forged; it is cleaned all the same. */
export const readSelected = (state: ViewState, blockId: string, actionId: string): string | null =>
  clean(read(state, blockId, actionId)?.selected_option?.value);

export const readUser = (state: ViewState, blockId: string, actionId: string): string | null =>
  clean(read(state, blockId, actionId)?.selected_user);

export const readDate = (state: ViewState, blockId: string, actionId: string): string | null =>
  clean(read(state, blockId, actionId)?.selected_date);

/** The values of the ticked checkboxes (or of a multi-select); nothing ticked reads as []. */
export function readChecked(state: ViewState, blockId: string, actionId: string): string[] {
  const value = state[blockId]?.[actionId] as { selected_options?: unknown } | undefined;
  const options = Array.isArray(value?.selected_options) ? value.selected_options : [];
  return options
    .map((option) => (option as { value?: unknown } | null)?.value)
    .filter((v): v is string => typeof v === 'string')
    .map(removeControlCharacters);
}

/** The conversation chosen in a conversations_select; an id the app checks before using it. */
export const readConversation = (state: ViewState, blockId: string, actionId: string): string | null =>
  clean(read(state, blockId, actionId)?.selected_conversation);

/** Parses a view's private_metadata against a schema; tampered or missing metadata is undefined. */
export function readMetadata<T>(raw: unknown, schema: z.ZodType<T>): T | undefined {
  if (typeof raw !== 'string' || raw.length > 3000) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
