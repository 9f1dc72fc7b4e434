import { connect } from 'node:net';

export interface RawResponse {
  /** The status code of the first response, or undefined when none came back. */
  status?: number;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent, as text. */
  raw: string;
}

/**
 * Sends bytes exactly as given over a fresh TCP connection: no client library normalises the
 * method, target or headers. Resolves with the first response once it is complete, the server
 * closes the connection, or `timeoutMs` passes without one.
 */
export function rawRequest(
  port: number,
  bytes: string | Buffer,
  { timeoutMs = 3_000, head = false }: { timeoutMs?: number; head?: boolean } = {},
): Promise<RawResponse> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseResponse(received.toString('latin1')));
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (isComplete(received.toString('latin1'), head)) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
  });
}

function parseResponse(raw: string): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: match ? Number(match[1]) : undefined,
    headers,
    body: split === -1 ? '' : raw.slice(split + 4),
    raw,
  };
}

function isComplete(raw: string, head: boolean): boolean {
  const split = raw.indexOf('\r\n\r\n');
  if (split === -1) return false;
  const { status, headers, body } = parseResponse(raw);
  if (head || status === 204 || status === 304 || (status !== undefined && status < 200)) return true;
  if (headers['content-length'] !== undefined) return body.length >= Number(headers['content-length']);
  if (headers['transfer-encoding']?.includes('chunked')) return body.endsWith('0\r\n\r\n');
  return false; // a body without a length ends when the connection does
}
