import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPReceiver } from '@slack/bolt';
import { type Handler, refuse } from '../http/guarded-server.js';
import type { RefusalLog } from '../http/refusal-log.js';
import { noteArrival } from './request-metrics.js';

/** Slack's own rule: a signed request more than five minutes from now, either way, is refused. */
export const MAX_REQUEST_SKEW_SECONDS = 300;

const SIGNATURE = /^v0=[0-9a-f]{64}$/;

/**
 * POST /slack/events. Everything a stranger can send is checked here, before Bolt sees the
 * request: the signing window, the body's size and the signature. A refusal is counted in the
 * refusal log rather than logged line by line (Bolt would log each forged request). Only a signed
 * request reaches the receiver, with its body already read; Bolt checks the signature again,
 * which costs one HMAC.
 */
export function slackEventsRoute({
  receiver,
  signingSecret,
  refusals,
  maxBodyBytes,
  isStopping,
}: {
  receiver: HTTPReceiver;
  signingSecret: string;
  refusals: RefusalLog;
  maxBodyBytes: number;
  isStopping: () => boolean;
}): Handler {
  return async (req, res) => {
    noteArrival(req);
    if (isStopping()) {
      // Slack retries events; a user pressing a button again will reach a copy that is running.
      refuse(res, 503, 'Shutting down', { 'retry-after': '1' });
      return;
    }
    const length = req.headers['content-length'];
    if (length === undefined) {
      // Slack always says how long its body is; a chunked body of unknown size is not Slack's.
      refusals.refused('length_required');
      refuse(res, 411, 'Length required');
      return;
    }
    if (Number(length) > maxBodyBytes) {
      refusals.refused('body_too_large');
      refuse(res, 413, 'Request body too large');
      return;
    }
    const timestamp = req.headers['x-slack-request-timestamp'];
    if (!timestampIsFresh(timestamp)) {
      refusals.refused('stale_timestamp');
      refuse(res, 401, 'Request timestamp outside the five-minute window');
      return;
    }
    const signature = req.headers['x-slack-signature'];
    if (typeof signature !== 'string' || !SIGNATURE.test(signature)) {
      refusals.refused('bad_signature');
      refuse(res, 401, 'Signature missing or malformed');
      return;
    }
    const body = await readBody(req, maxBodyBytes);
    if (body === 'too_large') {
      refusals.refused('body_too_large');
      refuse(res, 413, 'Request body too large');
      return;
    }
    if (body === 'aborted') return; // the client went away; there is no one to answer
    if (isSslCheck(req, body)) {
      // Slack's certificate check for slash commands carries nothing to act on.
      res.writeHead(200).end();
      return;
    }
    if (!signatureMatches(signingSecret, timestamp as string, body, signature)) {
      refusals.refused('bad_signature');
      refuse(res, 401, 'Signature does not match');
      return;
    }
    // Bolt reads `rawBody` when it is there instead of the (already consumed) stream.
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
    receiver.requestListener(req, res as ServerResponse);
  };
}

/** Signing freshness is about the wire, so it uses the machine's time, never the app's business clock. */
function timestampIsFresh(header: string | string[] | undefined): header is string {
  if (typeof header !== 'string' || !/^\d{1,12}$/.test(header)) return false;
  const skew = Math.abs(Math.floor(Date.now() / 1000) - Number(header));
  return skew <= MAX_REQUEST_SKEW_SECONDS;
}

function signatureMatches(secret: string, timestamp: string, body: Buffer, signature: string): boolean {
  const hmac = createHmac('sha256', secret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(body);
  const expected = Buffer.from(`v0=${hmac.digest('hex')}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function isSslCheck(req: IncomingMessage, body: Buffer): boolean {
  return (
    req.headers['content-type'] === 'application/x-www-form-urlencoded' &&
    new URLSearchParams(body.toString('latin1')).get('ssl_check') === '1'
  );
}

/** The body, read to its end; never more than `limit` bytes are kept, whatever Content-Length said. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (value: Buffer | 'too_large' | 'aborted') => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        settle('too_large');
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => settle(Buffer.concat(chunks)));
    req.once('error', () => settle('aborted'));
    req.once('close', () => settle(req.complete ? Buffer.concat(chunks) : 'aborted'));
  });
}
