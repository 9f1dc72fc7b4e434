/** The IPC side of a benchmark child process (the app, or the bare Bolt app). */

export type ChildRequest = { type: 'memory'; gc?: boolean } | { type: 'stop' };
export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'memory'; rss: number; heapUsed: number; heapTotal: number; external: number }
  | { type: 'stopped' };

export function serveBenchRequests(port: number, stop: () => Promise<unknown>): void {
  const send = (message: ChildMessage) => process.send?.(message);
  process.on('message', (message: ChildRequest) => {
    if (message.type === 'memory') {
      if (message.gc) {
        const gc = (globalThis as { gc?: () => void }).gc;
        if (!gc) throw new Error('start the process with --expose-gc');
        // Twice: the first pass runs finalizers whose garbage the second collects.
        gc();
        gc();
      }
      const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
      send({ type: 'memory', rss, heapUsed, heapTotal, external });
    } else if (message.type === 'stop') {
      stop()
        .then(() => {
          send({ type: 'stopped' });
          process.exit(0);
        })
        .catch((error: unknown) => {
          process.stderr.write(`stop failed: ${String(error)}\n`);
          process.exit(1);
        });
    }
  });
  send({ type: 'ready', port });
}
