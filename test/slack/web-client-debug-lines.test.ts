import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LogLevel, type Logger as SdkLogger, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * patches/@slack+web-api+8.2.0.patch: the Web API client builds its request and answer debug lines
 * (copies of the payload, in JSON) only when its logger is at debug level.
 */
describe('the Web API client debug lines', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ ok: true, channel: 'D1', ts: '1.1', message: { text: 'words' } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = async (level: LogLevel) => {
    const debug: string[] = [];
    const logger: SdkLogger = {
      debug: (...parts) => void debug.push(String(parts[0])),
      info: () => {},
      warn: () => {},
      error: () => {},
      setLevel: () => {},
      getLevel: () => level,
      setName: () => {},
    };
    const client = new WebClient('xoxb-debug-lines', {
      slackApiUrl: url,
      logger,
      retryConfig: { retries: 0 },
    });
    const answer = await client.chat.postMessage({ channel: 'U1', text: 'private words' });
    expect(answer.ok).toBe(true);
    return debug.filter((line) => /^http request (?:body|headers|result)\b/.test(line));
  };

  it('are not built at info level', async () => {
    expect(await post(LogLevel.INFO)).toEqual([]);
  });

  it('are built at debug level, with the token masked', async () => {
    const lines = await post(LogLevel.DEBUG);
    expect(lines.map((line) => line.split(':')[0])).toEqual([
      'http request body',
      'http request headers',
      'http request result',
    ]);
    expect(lines.join('\n')).not.toContain('xoxb-debug-lines');
  });
});
