/**
 * Patches postgres.js (3.4.x) after install: a connection that drops while a small write is waiting
 * for its setImmediate either crashes the whole process (`TypeError: Cannot read properties of null
 * (reading 'write')` in nextWrite, thrown from the immediate, so no try/catch can catch it) or is left
 * with a stale write timer that never flushes again, so every later query on it hangs.
 * Upstream: porsager/postgres issues #1066, #1154, #1208; unmerged fixes #1168, #1176, #1209.
 * test/fault/database-outage.test.ts cuts PostgreSQL off under traffic and fails without this.
 *
 * The patch settles instead of writing to a missing socket (the queries waiting on it reject with
 * CONNECTION_CLOSED, as #1209 does), and clears the timer and the buffered bytes when a connection
 * is torn down. It is idempotent; if postgres.js changes shape, it says so and fails the install.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const MARK = '/* service-radar: nextWrite guard */';
// The package's main is cjs/src/index.js: its root is two folders up.
const root = dirname(dirname(dirname(createRequire(import.meta.url).resolve('postgres'))));

const edits = [
  [
    '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    `  function nextWrite(fn) {\n    ${MARK}\n    if (!socket) {\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
  ],
  [
    '    clearImmediate(nextWriteTimer)\n    if (socket) {',
    '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    if (socket) {',
  ],
  [
    '    clearImmediate(nextWriteTimer)\n    socket.removeListener',
    '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    socket.removeListener',
  ],
];

for (const file of ['src/connection.js', 'cjs/src/connection.js']) {
  const path = join(root, file);
  let text = readFileSync(path, 'utf8');
  if (text.includes(MARK)) continue;
  for (const [from, to] of edits) {
    if (!text.includes(from)) {
      console.error(
        `scripts/patch-postgres.mjs: ${file} has changed; check whether upstream fixed nextWrite.`,
      );
      process.exit(1);
    }
    text = text.replace(from, to);
  }
  writeFileSync(path, text);
}
