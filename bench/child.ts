/** The messages between the benchmark and its child processes (served by bench/child.mjs). */

export type ChildRequest = { type: 'memory'; gc?: boolean } | { type: 'stop' };
export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'memory'; rss: number; heapUsed: number; heapTotal: number; external: number }
  | { type: 'stopped' };
