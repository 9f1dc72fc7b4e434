#!/usr/bin/env node
// Builds dist/, what `npm start` and `npm run cli` run: compiles src/ with tsconfig.build.json, then
// copies beside the JavaScript every other file src/ holds (the patron pages' templates and
// stylesheet), which the code finds next to itself. `npm ci` runs this (the `prepare` script).
// Files outside src/ that the app reads (locales/, drizzle/) are found from the project folder, the
// same two levels up from src/web/ as from dist/web/, and are not copied.
//
// `node scripts/build.mjs --if-stale` builds only when dist/ was not built from the sources as they
// are now (the tests' global setup uses it). Plain Node; its one dependency is typescript.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
/** Written last, so a build that stopped half-way counts as no build. */
const stamp = join(dist, '.source-hash');

const require = createRequire(import.meta.url);

/** A hash of what the build reads: each file of src/ (name and content), both tsconfigs, the compiler's version. */
function sourceHash() {
  const hash = createHash('sha256').update(`typescript ${require('typescript/package.json').version}\0`);
  const files = readdirSync(src, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .concat([join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json')])
    .sort();
  for (const file of files)
    hash
      .update(`${relative(root, file)}\0`)
      .update(readFileSync(file))
      .update('\0');
  return hash.digest('hex');
}

const hash = sourceHash();
if (process.argv.includes('--if-stale') && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) {
  process.exit(0);
}

rmSync(dist, { recursive: true, force: true });
const tsc = require.resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (compiled.status !== 0) {
  process.stderr.write(`tsc -p tsconfig.build.json failed (${compiled.status ?? compiled.signal})\n`);
  process.exit(1);
}
cpSync(src, dist, {
  recursive: true,
  filter: (from) => !from.endsWith('.ts'),
});
writeFileSync(stamp, hash);
