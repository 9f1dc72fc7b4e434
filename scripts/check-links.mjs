#!/usr/bin/env node
// Checks that every relative link and #anchor in README.md and docs/*.md resolves, with GitHub's
// anchor rules, so moving a section between pages cannot leave a dead link behind. Plain Node, no
// dependencies: `node scripts/check-links.mjs` prints each broken link and exits 1, or prints nothing.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pages = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(root, 'docs', name)),
];

// Fenced code is not markdown: a `#` there is a shell comment, a `[x](y)` there is not a link.
function withoutCode(text) {
  return text
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/`[^`\n]*`/g, (span) => span.replace(/[[\]()]/g, ' '));
}

// GitHub renders the heading, then slugs its text: lowercase, punctuation removed (hyphens and
// underscores kept), each space a hyphen; a repeated slug gets -1, -2...
function slug(heading) {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*~]/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '').replace(/ /g, '-');
}

const anchorCache = new Map();
function anchorsOf(file) {
  if (anchorCache.has(file)) return anchorCache.get(file);
  const anchors = new Set();
  const seen = new Map();
  const text = readFileSync(file, 'utf8').replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const match of text.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const base = slug(match[1]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  for (const match of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1]);
  anchorCache.set(file, anchors);
  return anchors;
}

const broken = [];
for (const page of pages) {
  const text = withoutCode(readFileSync(page, 'utf8'));
  const targets = [
    ...[...text.matchAll(/!?\[(?:[^\]]|\][^(])*?\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
      (m) => m[1],
    ),
    ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]),
  ];
  for (const target of targets) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // https:, mailto:
    const [pathPart, anchor] = target.split('#', 2);
    const file = pathPart === '' ? page : resolve(dirname(page), decodeURI(pathPart));
    const where = `${relative(root, page)}: ${target}`;
    if (!existsSync(file)) {
      broken.push(`${where} (no such file)`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(file).isDirectory() || !file.endsWith('.md')) {
      broken.push(`${where} (an anchor into something that is not a markdown page)`);
      continue;
    }
    if (!anchorsOf(file).has(decodeURIComponent(anchor))) broken.push(`${where} (no such heading)`);
  }
}

if (broken.length > 0) {
  for (const line of broken) console.log(line);
  process.exit(1);
}
