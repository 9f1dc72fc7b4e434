import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/pglite-open.js';

/**
 * The embedded database is created in a process of its own, then opened with the app's memory
 * setting; a folder that already holds one is only opened.
 */
let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'sr-pglite-open-'));
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe('opening the embedded database', () => {
  it('creates a new folder apart, then opens it with the shared buffers asked for; next time it only opens', async () => {
    const dir = join(base, 'new');
    const first = await openPglite(dir, { sharedBuffers: '8MB' });
    expect((await first.query<{ shared_buffers: string }>('show shared_buffers')).rows).toEqual([
      { shared_buffers: '8MB' },
    ]);
    await first.exec('create table kept (n int); insert into kept values (42)');
    await first.close();
    const again = await openPglite(dir);
    expect((await again.query<{ shared_buffers: string }>('show shared_buffers')).rows).toEqual([
      { shared_buffers: '16MB' },
    ]);
    expect((await again.query<{ n: number }>('select n from kept')).rows).toEqual([{ n: 42 }]);
    await again.close();
  }, 60_000);

  it('says where it could not create one, from the process that tried', async () => {
    const blocked = join(base, 'a-file');
    await writeFile(blocked, 'not a folder');
    await expect(openPglite(join(blocked, 'data'))).rejects.toThrow(
      /^could not create the embedded database in .*a-file\/data: /,
    );
  }, 60_000);
});
