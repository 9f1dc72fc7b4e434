import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ConfigError, configKeys, loadConfig, loadDigestConfig } from '../../src/config.js';

const valid = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'shhh-very-secret' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('config', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({
      PORT: 3000,
      PGLITE_DIR: './data',
      LOG_LEVEL: 'info',
      DATABASE_POOL_SIZE: 10,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.SLACK_APP_TOKEN).toBeUndefined();
  });

  it('serves no metrics unless METRICS_PORT is set, and says what a wrong one should be', () => {
    expect(loadConfig(valid).METRICS_PORT).toBeUndefined();
    expect(loadConfig({ ...valid, METRICS_PORT: '' }).METRICS_PORT).toBeUndefined();
    expect(loadConfig({ ...valid, METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
    for (const wrong of ['metrics', '70000', '-1', '94.64'])
      expect(problems({ ...valid, METRICS_PORT: wrong })).toEqual([
        expect.stringMatching(/^METRICS_PORT must be a port number .*or empty for no metrics$/),
      ]);
  });

  it('gives the embedded database 16MB of shared buffers unless told, and says what a wrong size should be', () => {
    expect(loadConfig(valid).PGLITE_SHARED_BUFFERS).toBe('16MB');
    expect(loadConfig({ ...valid, PGLITE_SHARED_BUFFERS: '64MB' }).PGLITE_SHARED_BUFFERS).toBe('64MB');
    for (const wrong of ['16', 'lots', '16 MB', '0MB', '16mb; drop table rounds'])
      expect(problems({ ...valid, PGLITE_SHARED_BUFFERS: wrong })).toEqual([
        'PGLITE_SHARED_BUFFERS must be a size such as 16MB, 512kB or 1GB',
      ]);
  });

  it('treats empty values as unset, as .env.example leaves them', () => {
    const config = loadConfig({ ...valid, DATABASE_URL: '', SLACK_APP_TOKEN: '', SLACK_API_URL: '' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.SLACK_API_URL).toBeUndefined();
  });

  it('names each wrong variable and says what to do', () => {
    expect(problems({})).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SLACK_BOT_TOKEN is required/),
        expect.stringMatching(/^SLACK_SIGNING_SECRET is required in HTTP mode/),
      ]),
    );
    expect(problems({ ...valid, SLACK_BOT_TOKEN: 'xoxp-user-token' })).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN must be .*"xoxb-"/),
    ]);
    expect(problems({ ...valid, PORT: 'eighty' })[0]).toMatch(/^PORT /);
    expect(problems({ ...valid, DATABASE_URL: 'mysql://x' })[0]).toMatch(/^DATABASE_URL must be a postgres/);
    expect(problems({ ...valid, LOG_LEVEL: 'loud' })[0]).toMatch(/^LOG_LEVEL /);
    expect(problems({ ...valid, SLACK_APP_TOKEN: 'xoxb-wrong' })[0]).toMatch(
      /^SLACK_APP_TOKEN must be .*xapp-/,
    );
  });

  it('keeps words for RETENTION_DAYS, 730 by default, and refuses a period under 30 days', () => {
    expect(loadConfig(valid).RETENTION_DAYS).toBe(730);
    expect(loadConfig({ ...valid, RETENTION_DAYS: '365' }).RETENTION_DAYS).toBe(365);
    expect(problems({ ...valid, RETENTION_DAYS: '7' })).toEqual([
      expect.stringMatching(/^RETENTION_DAYS must be at least 30/),
    ]);
    expect(problems({ ...valid, RETENTION_DAYS: 'forever' })[0]).toMatch(/^RETENTION_DAYS /);
  });

  it('cuts digest weeks in the library’s time zone: the server’s by default, else a valid IANA zone', () => {
    const server = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(loadConfig(valid).LIBRARY_TIME_ZONE).toBe(server);
    expect(loadConfig({ ...valid, LIBRARY_TIME_ZONE: '' }).LIBRARY_TIME_ZONE).toBe(server);
    expect(loadConfig({ ...valid, LIBRARY_TIME_ZONE: ' Australia/Sydney ' }).LIBRARY_TIME_ZONE).toBe(
      'Australia/Sydney',
    );
    expect(problems({ ...valid, LIBRARY_TIME_ZONE: 'Moon/Base' })).toEqual([
      'LIBRARY_TIME_ZONE must be an IANA time zone such as Europe/London or America/Chicago',
    ]);
    // `digest show` reads it without the Slack settings.
    expect(loadDigestConfig({ LIBRARY_TIME_ZONE: 'Europe/London' })).toEqual({
      LIBRARY_TIME_ZONE: 'Europe/London',
    });
    expect(() => loadDigestConfig({ LIBRARY_TIME_ZONE: 'GMT+25' })).toThrow(ConfigError);
  });

  it('needs no signing secret in Socket Mode', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-2' }).SLACK_APP_TOKEN).toBe(
      'xapp-1-2',
    );
  });

  it('never repeats a secret value in its errors', () => {
    const message = problems({ SLACK_BOT_TOKEN: 'xoxp-secret-value-123', SLACK_SIGNING_SECRET: '' }).join(
      '\n',
    );
    expect(message).not.toContain('secret-value-123');
  });

  it('needs LINK_SECRET once PUBLIC_URL is set, and takes the URL without its trailing slash', () => {
    expect(problems({ ...valid, PUBLIC_URL: 'https://radar.example.org/' })).toEqual([
      expect.stringMatching(/^LINK_SECRET is required with PUBLIC_URL/),
    ]);
    const secret = 'a'.repeat(64);
    const config = loadConfig({ ...valid, PUBLIC_URL: 'https://radar.example.org/', LINK_SECRET: secret });
    expect(config.PUBLIC_URL).toBe('https://radar.example.org');
    expect(config.LIBRARY_NAME).toBe('The library');
    expect(problems({ ...valid, PUBLIC_URL: 'ftp://radar.example.org', LINK_SECRET: secret })).toEqual([
      expect.stringMatching(/^PUBLIC_URL must be an http\(s\) URL/),
    ]);
    expect(problems({ ...valid, PUBLIC_URL: 'https://radar.example.org/?a=1', LINK_SECRET: secret })).toEqual(
      [expect.stringMatching(/^PUBLIC_URL must not have a query/)],
    );
    const short = problems({
      ...valid,
      PUBLIC_URL: 'https://radar.example.org',
      LINK_SECRET: 'tooshort-secret',
    });
    expect(short).toEqual([expect.stringMatching(/^LINK_SECRET must be at least 32 characters/)]);
    expect(short.join('\n')).not.toContain('tooshort-secret');
  });

  it('.env.example documents every variable, each with a comment above it', async () => {
    const example = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    const lines = example.split('\n');
    for (const key of configKeys) {
      const index = lines.findIndex((line) => line.startsWith(`${key}=`));
      expect(index, `${key} missing from .env.example`).toBeGreaterThan(0);
      expect(lines[index - 1]?.startsWith('#'), `${key} has no comment`).toBe(true);
    }
    const documented = lines.filter((line) => /^[A-Z_]+=/.test(line)).map((line) => line.split('=')[0]);
    expect(documented.sort()).toEqual([...configKeys].sort());
  });
});
