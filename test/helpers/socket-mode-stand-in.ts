/**
 * The Socket Mode half of the Slack stand-in: the WebSocket end that `apps.connections.open` hands
 * out, speaking Slack's envelopes as @slack/socket-mode 3.x (which Bolt's SocketModeReceiver uses)
 * expects them.
 *
 * What the client relies on, read from node_modules/@slack/socket-mode/dist/src:
 * - it connects to the returned `url` as is (no debug parameters added), with undici's WebSocket;
 * - it counts itself connected only when `{"type":"hello"}` arrives, and `start()` waits for it;
 * - it acknowledges an envelope by sending `{ envelope_id, payload: { ...what ack() was given } }`,
 *   so an empty ack arrives as `payload: {}`;
 * - on `{"type":"disconnect"}` it sends a close frame (1000) and waits for the answering one; on any
 *   close it calls apps.connections.open again after `clientPingTimeout` (5 s) times the failures;
 * - it pings every `clientPingTimeout / 3` and gives the connection up after four unanswered pings,
 *   so the server answers every ping with a pong, as Slack's does.
 *
 * The `ws` package is not installed (socket-mode 3.x uses undici's WebSocket client, and undici has
 * no server), so the few parts of RFC 6455 a server needs are written out here: the handshake,
 * unmasking client frames, text, ping, pong and close. Nothing here compresses: the handshake
 * answer names no extension, so the client sends plain frames.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** How long Slack waits for an acknowledgement before it counts the envelope unacknowledged. */
export const SOCKET_MODE_ACK_DEADLINE_MS = 3_000;
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const LINK_PATH = '/link/';

export type SocketModeEnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SocketModeEnvelope {
  /** Generated when left out. */
  envelope_id?: string;
  type: SocketModeEnvelopeType;
  payload: object;
  /** Slack says true for commands, view submissions and shortcuts; false for events and block actions. */
  accepts_response_payload?: boolean;
  /** events_api only: 0 for the first delivery, then 1, 2, 3. */
  retry_attempt?: number;
  /** events_api only: '' for the first delivery, e.g. 'timeout' for a retry. */
  retry_reason?: string;
}

export interface SocketModeAck {
  envelope_id: string;
  // biome-ignore lint/suspicious/noExplicitAny: the ack's payload is whatever the listener gave ack().
  payload?: Record<string, any>;
}

export interface SocketModeConnection {
  /** 1 for the first connection since the stand-in started or was reset, and so on. */
  readonly number: number;
  /** The app-level token apps.connections.open was called with, for this connection's ticket. */
  readonly appToken: string | undefined;
  /** True until the socket is closed, by either side or by drop(). */
  readonly open: boolean;
  /** Every message the app sent on this socket, parsed. */
  readonly received: Record<string, unknown>[];
  /** Resolves when the socket is gone; `code` is the close frame's, undefined when it was dropped. */
  readonly closed: Promise<{ code: number | undefined }>;
  /**
   * Sends an envelope and resolves with the app's acknowledgement; rejects when none comes within
   * Slack's 3 seconds or the socket closes first.
   */
  send(envelope: SocketModeEnvelope): Promise<SocketModeAck>;
  /** Sends any message as a text frame, for shapes the helpers do not build. */
  sendMessage(message: object): void;
  /** Slack asking the app to reconnect: `{"type":"disconnect","reason":...}`. */
  disconnect(reason?: 'refresh_requested' | 'warning' | 'link_disabled'): void;
  /** The connection lost without a close frame (a network fault, Slack's end going away). */
  drop(): void;
}

export interface SocketModeStandIn {
  /** Every connection since the stand-in started or was reset, oldest first. */
  readonly connections: readonly SocketModeConnection[];
  /**
   * Resolves with connection `number` (1-based since reset) once its hello has been sent; rejects
   * after timeoutMs (default 15,000: a reconnect waits 5 s in the client before it asks again).
   */
  waitForConnection(number: number, timeoutMs?: number): Promise<SocketModeConnection>;
  /** Sends on the newest open connection; rejects when there is none. */
  send(envelope: SocketModeEnvelope): Promise<SocketModeAck>;
}

/** What the stand-in's HTTP side uses: issue addresses, take upgrades, reset and close. */
export interface SocketModeServer extends SocketModeStandIn {
  /** A single-use address for apps.connections.open to answer with. */
  issueUrl(appToken: string | undefined): string;
  /** Handles the HTTP server's 'upgrade' event. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  reset(): void;
  close(): void;
}

const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([0x80 | opcode, length]);
  } else if (length < 65_536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** Takes whole frames off the front of `buffer`; returns them and what is left. */
function parseFrames(buffer: Buffer): { frames: Frame[]; rest: Buffer; error?: string } {
  const frames: Frame[] = [];
  let offset = 0;
  while (buffer.length - offset >= 2) {
    const first = buffer[offset] as number;
    const second = buffer[offset + 1] as number;
    const masked = (second & 0x80) !== 0;
    // RFC 6455 5.1: a server must close the connection on an unmasked client frame.
    if (!masked) return { frames, rest: Buffer.alloc(0), error: 'unmasked client frame' };
    let length = second & 0x7f;
    let cursor = offset + 2;
    if (length === 126) {
      if (buffer.length < cursor + 2) break;
      length = buffer.readUInt16BE(cursor);
      cursor += 2;
    } else if (length === 127) {
      if (buffer.length < cursor + 8) break;
      length = Number(buffer.readBigUInt64BE(cursor));
      cursor += 8;
    }
    if (buffer.length < cursor + 4 + length) break;
    const mask = buffer.subarray(cursor, cursor + 4);
    cursor += 4;
    const payload = Buffer.from(buffer.subarray(cursor, cursor + length));
    for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
    frames.push({ fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload });
    offset = cursor + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

interface PendingAck {
  resolve: (ack: SocketModeAck) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  type: string;
}

export function createSocketModeServer({
  origin,
  appId,
}: {
  /** The stand-in's http://127.0.0.1:port, turned into ws:// for the addresses. */
  origin: () => string;
  appId: string;
}): SocketModeServer {
  const tickets = new Map<string, { appToken: string | undefined; used: boolean }>();
  const connections: SocketModeConnection[] = [];
  const sockets = new Set<Duplex>();
  const connectionWaiters = new Set<{ number: number; resolve: (c: SocketModeConnection) => void }>();
  let envelopeSequence = 0;

  const openCount = () => connections.filter((c) => c.open).length;

  const accept = (socket: Duplex, appToken: string | undefined): SocketModeConnection => {
    let open = true;
    let closeSent = false;
    let buffer: Buffer = Buffer.alloc(0);
    let fragments: Buffer[] = [];
    const received: Record<string, unknown>[] = [];
    const pending = new Map<string, PendingAck>();
    let markClosed: (value: { code: number | undefined }) => void = () => undefined;
    const closed = new Promise<{ code: number | undefined }>((resolve) => {
      markClosed = resolve;
    });

    const write = (opcode: number, payload: Buffer) => {
      if (open && !socket.destroyed) socket.write(frame(opcode, payload));
    };
    const finish = (code: number | undefined) => {
      if (!open) return;
      open = false;
      sockets.delete(socket);
      for (const [id, ack] of pending) {
        clearTimeout(ack.timer);
        ack.reject(new Error(`envelope ${id} (${ack.type}) was not acknowledged: the socket closed first`));
      }
      pending.clear();
      markClosed({ code });
    };
    const sendMessage = (message: object) => write(OPCODE.text, Buffer.from(JSON.stringify(message), 'utf8'));
    const onText = (text: string) => {
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        received.push({ unparsed: text });
        return;
      }
      if (typeof message !== 'object' || message === null) return;
      const record = message as Record<string, unknown>;
      received.push(record);
      const id = typeof record.envelope_id === 'string' ? record.envelope_id : undefined;
      const waiting = id ? pending.get(id) : undefined;
      if (id && waiting) {
        pending.delete(id);
        clearTimeout(waiting.timer);
        waiting.resolve(record as unknown as SocketModeAck);
      }
    };

    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const { frames, rest, error } = parseFrames(buffer);
      buffer = rest;
      for (const { fin, opcode, payload } of frames) {
        if (opcode === OPCODE.ping) write(OPCODE.pong, payload);
        else if (opcode === OPCODE.pong) {
          // Nothing sends pings from this end; an unsolicited pong is allowed and ignored.
        } else if (opcode === OPCODE.close) {
          const code = payload.length >= 2 ? payload.readUInt16BE(0) : undefined;
          // Answer the close handshake (the client waits for it), then end the TCP connection.
          if (!closeSent) write(OPCODE.close, payload.subarray(0, 2));
          closeSent = true;
          socket.end();
          finish(code);
        } else {
          fragments.push(payload);
          if (fin) {
            const whole = Buffer.concat(fragments);
            fragments = [];
            if (opcode === OPCODE.text || opcode === OPCODE.continuation) onText(whole.toString('utf8'));
          }
        }
      }
      if (error) {
        socket.destroy();
        finish(undefined);
      }
    });
    socket.on('close', () => finish(undefined));
    socket.on('error', () => finish(undefined));

    const connection: SocketModeConnection = {
      number: connections.length + 1,
      appToken,
      get open() {
        return open;
      },
      received,
      closed,
      send: (envelope) =>
        new Promise<SocketModeAck>((resolve, reject) => {
          if (!open) {
            reject(new Error(`connection ${connection.number} is closed`));
            return;
          }
          envelopeSequence++;
          const id =
            envelope.envelope_id ?? `${randomBytes(4).toString('hex')}-envelope-${String(envelopeSequence)}`;
          const timer = setTimeout(() => {
            pending.delete(id);
            reject(
              new Error(
                `envelope ${id} (${envelope.type}) was not acknowledged within ${SOCKET_MODE_ACK_DEADLINE_MS} ms: Slack would count it unacknowledged`,
              ),
            );
          }, SOCKET_MODE_ACK_DEADLINE_MS);
          pending.set(id, { resolve, reject, timer, type: envelope.type });
          sendMessage({
            envelope_id: id,
            type: envelope.type,
            payload: envelope.payload,
            accepts_response_payload: envelope.accepts_response_payload ?? envelope.type !== 'events_api',
            ...(envelope.type === 'events_api'
              ? { retry_attempt: envelope.retry_attempt ?? 0, retry_reason: envelope.retry_reason ?? '' }
              : {}),
          });
        }),
      sendMessage,
      disconnect: (reason = 'refresh_requested') =>
        sendMessage({ type: 'disconnect', reason, debug_info: { host: 'applink-stand-in' } }),
      drop: () => {
        socket.destroy();
        finish(undefined);
      },
    };
    connections.push(connection);
    sockets.add(socket);
    sendMessage({
      type: 'hello',
      num_connections: openCount(),
      debug_info: { host: 'applink-stand-in', build_number: 1, approximate_connection_time: 18_060 },
      connection_info: { app_id: appId },
    });
    for (const waiter of [...connectionWaiters])
      if (waiter.number === connection.number) {
        connectionWaiters.delete(waiter);
        waiter.resolve(connection);
      }
    return connection;
  };

  const refuse = (socket: Duplex, status: string) => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  return {
    connections,
    issueUrl: (appToken) => {
      const ticket = randomBytes(16).toString('hex');
      tickets.set(ticket, { appToken, used: false });
      return `${origin().replace(/^http/, 'ws')}${LINK_PATH}?ticket=${ticket}&app_id=${appId}`;
    },
    upgrade: (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const key = req.headers['sec-websocket-key'];
      const ticket = tickets.get(url.searchParams.get('ticket') ?? '');
      if (url.pathname !== LINK_PATH || typeof key !== 'string') {
        refuse(socket, '400 Bad Request');
        return;
      }
      // Each address from apps.connections.open is good for one connection, as Slack's are.
      if (!ticket || ticket.used) {
        refuse(socket, '401 Unauthorized');
        return;
      }
      ticket.used = true;
      const acceptKey = createHash('sha1').update(`${key}${WEBSOCKET_GUID}`).digest('base64');
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${acceptKey}\r\n\r\n`,
      );
      accept(socket, ticket.appToken);
      if (head.length > 0) socket.emit('data', head);
    },
    waitForConnection: (number, timeoutMs = 15_000) =>
      new Promise<SocketModeConnection>((resolve, reject) => {
        const existing = connections[number - 1];
        if (existing) {
          resolve(existing);
          return;
        }
        const waiter = {
          number,
          resolve: (connection: SocketModeConnection) => {
            clearTimeout(timer);
            resolve(connection);
          },
        };
        const timer = setTimeout(() => {
          connectionWaiters.delete(waiter);
          reject(
            new Error(
              `Socket Mode connection ${number} did not arrive within ${timeoutMs} ms (${connections.length} so far)`,
            ),
          );
        }, timeoutMs);
        connectionWaiters.add(waiter);
      }),
    send: (envelope) => {
      const current = [...connections].reverse().find((c) => c.open);
      return current
        ? current.send(envelope)
        : Promise.reject(new Error('no open Socket Mode connection to send on'));
    },
    reset: () => {
      connections.length = 0;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
}
