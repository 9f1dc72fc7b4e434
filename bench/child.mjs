// The IPC side of a benchmark child process (the app, or the bare Bolt app), in plain JavaScript so
// the children run as production does, without a TypeScript loader. Its messages are typed in
// bench/child.ts.

/**
 * @param {number} port
 * @param {() => Promise<unknown>} stop
 */
export function serveBenchRequests(port, stop) {
  const send = (message) => process.send?.(message);
  process.on('message', (message) => {
    if (message.type === 'memory') {
      if (message.gc) {
        if (!globalThis.gc) throw new Error('start the process with --expose-gc');
        // Twice: the first pass runs finalizers whose garbage the second collects.
        globalThis.gc();
        globalThis.gc();
      }
      const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
      send({ type: 'memory', rss, heapUsed, heapTotal, external });
    } else if (message.type === 'stop') {
      stop()
        .then(() => {
          send({ type: 'stopped' });
          process.exit(0);
        })
        .catch((error) => {
          process.stderr.write(`stop failed: ${String(error)}\n`);
          process.exit(1);
        });
    }
  });
  send({ type: 'ready', port });
}
