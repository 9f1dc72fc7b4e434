/**
 * One Bolt listener for each kind's many ids. Bolt runs every registered listener's middleware for
 * every request it receives (each step a copy of the request's arguments), so thirty listeners
 * cost thirty chains per request before the one that matches runs. Each kind registers one listener
 * whose pattern matches exactly its table's ids (anything else is left unmatched, as before) and
 * picks the handler by id.
 */
export interface Route<A> {
  /** Matches exactly the table's ids. */
  pattern: RegExp;
  listener: (args: A) => Promise<void>;
}

const literal = (id: string) => id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export function route<A>(
  table: Readonly<Record<string, (args: A) => Promise<void>>>,
  idOf: (args: A) => string | undefined,
): Route<A> {
  const handlers = new Map(Object.entries(table));
  return {
    pattern: new RegExp(`^(?:${[...handlers.keys()].map(literal).join('|')})$`),
    async listener(args) {
      const id = idOf(args);
      const handler = id === undefined ? undefined : handlers.get(id);
      if (handler) await handler(args);
    },
  };
}
