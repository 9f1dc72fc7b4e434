import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { migratePgliteDatabase, migratePostgresDatabase } from '../src/db/migrate.js';
import { browserRequired, findChromium } from './helpers/browser.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplatePath: string;
    postgresTemplate: { adminUrl: string; templateName: string } | null;
    /** Chromium for the patron pages' browser tests, or null when this machine has none. */
    chromiumPath: string | null;
  }
}

/**
 * Runs once per test run: migrates one PGlite and dumps it (each test file then clones it in about a
 * second instead of running initdb), and, when TEST_DATABASE_URL is set, migrates a PostgreSQL
 * template database that each test file copies. First it rebuilds dist/ if it was not built from the
 * sources as they are now, for the tests that start the app as `npm start` does.
 */
export default async function setup(project: TestProject) {
  buildIfStale();
  const chromiumPath = findChromium() ?? null;
  if (!chromiumPath && browserRequired())
    throw new Error(
      "Chromium is required here (CI or REQUIRE_BROWSER=1) for the patron pages' browser tests: apt-get install chromium, or set CHROMIUM_PATH",
    );
  if (!chromiumPath)
    process.stderr.write(
      "\n[service-radar] Chromium was not found (/usr/bin/chromium or CHROMIUM_PATH): the patron pages' browser tests (test/web/*.browser.test.ts: keyboard, phone, 200% zoom, axe-core) did not run. Install it (see docs/testing.md).\n\n",
    );
  project.provide('chromiumPath', chromiumPath);
  const dir = await mkdtemp(join(tmpdir(), 'service-radar-test-'));
  const pglite = await PGlite.create();
  await migratePgliteDatabase(pglite);
  const dump = await pglite.dumpDataDir('none');
  await pglite.close();
  const pgliteTemplatePath = join(dir, 'pglite-template.tar');
  await writeFile(pgliteTemplatePath, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplatePath', pgliteTemplatePath);

  const adminUrl = process.env.TEST_DATABASE_URL;
  let templateName: string | undefined;
  if (adminUrl) {
    templateName = `service_radar_template_${randomBytes(4).toString('hex')}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database ${templateName}`);
    } finally {
      await admin.end({ timeout: 5 });
    }
    await migratePostgresDatabase(withDatabase(adminUrl, templateName));
    project.provide('postgresTemplate', { adminUrl, templateName });
  } else {
    process.stderr.write(
      '\n[service-radar] TEST_DATABASE_URL is not set: tests run on PGlite only. Set it (see docs/testing.md) to run them on PostgreSQL too.\n\n',
    );
    project.provide('postgresTemplate', null);
  }

  return async () => {
    await rm(dir, { recursive: true, force: true });
    if (adminUrl && templateName) {
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`drop database if exists ${templateName} with (force)`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    }
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** `npm run build` unless dist/ already holds what the sources compile to (scripts/build.mjs decides). */
function buildIfStale(): void {
  const script = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
  const built = spawnSync(process.execPath, [script, '--if-stale'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`building dist/ failed (${built.status ?? built.signal})`);
}
