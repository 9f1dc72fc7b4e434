import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';

const run = promisify(execFile);
const script = join(import.meta.dirname, '..', '..', 'scripts', 'check-links.mjs');
const made: string[] = [];
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A copy of the link check beside a README and one docs page, as a checkout would hold them. */
async function project(readme: string, page: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'service-radar-links-'));
  made.push(root);
  await mkdir(join(root, 'scripts'));
  await mkdir(join(root, 'docs'));
  await copyFile(script, join(root, 'scripts', 'check-links.mjs'));
  await writeFile(join(root, 'README.md'), readme);
  await writeFile(join(root, 'docs', 'operating.md'), page);
  return root;
}

const check = (root: string) =>
  run(process.execPath, [join(root, 'scripts', 'check-links.mjs')]).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );

it("passes the project's own README and docs", async () => {
  const result = await run(process.execPath, [script]);
  expect(result.stdout).toBe('');
});

it('fails on a link to a page that is not there, and on an anchor no heading makes', async () => {
  const root = await project(
    '# App\n\nSee [the database](docs/operating.md#the-database), [gone](docs/gone.md) and [here](#nowhere).\n',
    '# Operating\n\n## The database\n\nText.\n',
  );
  const result = await check(root);
  expect(result.code).toBe(1);
  expect(result.stdout).toContain('docs/gone.md');
  expect(result.stdout).toContain('#nowhere');
  expect(result.stdout).not.toContain('#the-database');
});

it('passes once the section a link names exists', async () => {
  const root = await project(
    '# App\n\n[Configuration](docs/operating.md#configuration)\n',
    '# Ops\n\n## Configuration\n',
  );
  expect(await check(root)).toEqual({ code: 0, stdout: '' });
});
