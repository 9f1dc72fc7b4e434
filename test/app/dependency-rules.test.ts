import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const depcruise = join(root, 'node_modules/.bin/depcruise');
const config = join(root, '.dependency-cruiser.cjs');

/** Runs the project's rules over `src` in `cwd`; the names of the rules broken, one per violation. */
function violations(cwd: string): string[] {
  const run = spawnSync(depcruise, ['src', '--config', config, '--output-type', 'json'], {
    cwd,
    encoding: 'utf8',
  });
  const report = JSON.parse(run.stdout) as { summary: { violations: { rule: { name: string } }[] } };
  return report.summary.violations.map((violation) => violation.rule.name).sort();
}

describe('dependency rules', () => {
  const fixture = mkdtempSync(join(tmpdir(), 'radar-deps-'));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(fixture, path)), { recursive: true });
    writeFileSync(join(fixture, path), text);
  };

  it('find no violation in src', () => {
    expect(violations(root)).toEqual([]);
  }, 60_000);

  it('refuse, from the patron pages, repository values and imports of src/slack, and the other way round', () => {
    const web = mkdtempSync(join(tmpdir(), 'radar-deps-web-'));
    try {
      const put = (path: string, text: string) => {
        mkdirSync(dirname(join(web, path)), { recursive: true });
        writeFileSync(join(web, path), text);
      };
      put('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'nodenext', strict: true } }));
      put('src/modules/shop/shop.repository.ts', 'export const createShopRepository = () => 1;\n');
      put('src/modules/shop/shop.usecases.ts', 'export const sell = () => 2;\n');
      put('src/slack/poster.ts', "import { page } from '../web/page.js';\nexport const post = () => page;\n");
      put('src/web/words.ts', 'export const words = 3;\n');
      put(
        'src/web/page.ts',
        "import { createShopRepository } from '../modules/shop/shop.repository.js';\nimport { sell } from '../modules/shop/shop.usecases.js';\nimport { words } from './words.js';\nexport const page = () => [createShopRepository(), sell, words];\n",
      );
      put('src/web/route.ts', "import { post } from '../slack/poster.js';\nexport const route = post;\n");
      put('src/main.ts', "import { route } from './web/route.js';\nexport const main = route;\n");
      put(
        'src/modules/shop/shop.views.ts',
        "import { page } from '../../web/page.js';\nexport const view = page;\n",
      );
      put(
        'src/index.ts',
        "import { view } from './modules/shop/shop.views.js';\nexport const index = view;\n",
      );
      expect(violations(web)).toEqual([
        'inner-imports-outer',
        'transports-stay-apart',
        'transports-stay-apart',
        'web-calls-no-repository',
      ]);
    } finally {
      rmSync(web, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuse wrong-way imports, repository values in listeners, and import loops', () => {
    write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'nodenext', strict: true } }));
    write(
      'src/lib/helper.ts',
      "import { rule } from '../modules/shop/shop.rules.js';\nexport const helper = rule;\n",
    );
    write('src/modules/shop/shop.rules.ts', 'export const rule = 1;\n');
    write(
      'src/modules/shop/shop.usecases.ts',
      "import { post } from '../../slack/poster.js';\nimport { helper } from '../../lib/helper.js';\nexport const sell = () => post(helper);\n",
    );
    write(
      'src/modules/shop/shop.repository.ts',
      "import { sell } from './shop.usecases.js';\nexport const createShopRepository = () => sell;\n",
    );
    write('src/slack/poster.ts', 'export const post = (value: number) => value;\n');
    write(
      'src/slack/listener.ts',
      "import { createShopRepository } from '../modules/shop/shop.repository.js';\nimport { sell } from '../modules/shop/shop.usecases.js';\nexport const listen = () => [createShopRepository(), sell];\n",
    );
    write(
      'src/modules/shop/shop.loop-a.ts',
      "import { b } from './shop.loop-b.js';\nexport const a = () => b;\n",
    );
    write(
      'src/modules/shop/shop.loop-b.ts',
      "import { a } from './shop.loop-a.js';\nexport const b = () => a;\n",
    );
    write('src/modules/shop/forgotten.ts', 'export const nobody = 1;\n');

    expect(violations(fixture)).toEqual([
      'inner-imports-outer',
      'lib-imports-no-module',
      'no-circular',
      'no-orphans',
      'slack-calls-no-repository',
    ]);
  }, 60_000);
});
