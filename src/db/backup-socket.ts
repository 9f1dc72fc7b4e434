import { chmod, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { BackupError, type BackupSummary, writeBackup } from './backup.js';
import type { Database } from './client.js';

/**
 * `db backup` while the app runs on the embedded database. The folder opens in one process at a
 * time, so the CLI cannot read it while the app holds it; instead the app listens on a Unix socket
 * in the folder, readable and writable by the folder's owner only, and the CLI asks it to write the
 * backup, in the app's own process, through the same writeBackup as always: one consistent moment,
 * while the app goes on working.
 *
 * The protocol is one JSON line each way per connection: `{"file": "/abs/path", "actor": "cli:ana"}`,
 * answered by `{"ok": true, "summary": {...}}` or `{"ok": false, "error": "..."}`.
 */
export const BACKUP_SOCKET = 'service-radar.backup.sock';

/** A Unix socket's path must fit in sockaddr_un (108 bytes on Linux, with its terminator). */
const MAX_SOCKET_PATH = 107;
/** A request is a path and an actor: far below this. */
const MAX_REQUEST_BYTES = 16 * 1024;

const requestSchema = z.object({
  file: z.string().min(1).max(4096).refine(isAbsolute, 'an absolute path'),
  actor: z.string().regex(/^cli:\S{1,64}$/),
});
export type BackupRequest = z.infer<typeof requestSchema>;

type Reply = { ok: true; summary: BackupSummary } | { ok: false; error: string };

export const backupSocketPath = (dir: string) => join(dir, BACKUP_SOCKET);

export interface BackupSocket {
  path: string;
  close(): Promise<void>;
}

export interface ServeBackupsOptions {
  dir: string;
  db: Database;
  engine: 'postgres' | 'pglite';
  /** Called once a requested backup is written (the audit entry). */
  onBackup(summary: BackupSummary, request: BackupRequest): Promise<void>;
  /** An error's code, never its message's paths or anything else, for the log. */
  onError(code: string): void;
}

/**
 * Listens for backup requests on the folder's socket. Undefined when the folder's path is too long
 * for a socket (then `db backup` needs the app stopped, as it says). A socket left behind by a copy
 * that crashed is replaced: whoever calls this holds the folder's lock.
 */
export async function serveBackupRequests(options: ServeBackupsOptions): Promise<BackupSocket | undefined> {
  const path = backupSocketPath(options.dir);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) return undefined;
  // One backup at a time: a second request waits for the first.
  let queue: Promise<unknown> = Promise.resolve();
  const server = createServer((socket) => {
    readRequest(socket)
      .then(async (raw) => {
        const parsed = requestSchema.safeParse(raw);
        if (!parsed.success)
          return reply(socket, { ok: false, error: 'the request is not a backup request' });
        const request = parsed.data;
        const written = queue.then(() => writeBackup(options.db, request.file, { engine: options.engine }));
        queue = written.catch(() => undefined);
        const summary = await written;
        await options.onBackup(summary, request);
        return reply(socket, { ok: true, summary });
      })
      .catch((error: unknown) => {
        options.onError(codeOf(error));
        reply(socket, { ok: false, error: messageOf(error) });
      });
  });
  await rm(path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // The socket is bound inside listen(): created owner-only, not open to others for an instant.
    const umask = process.umask(0o177);
    try {
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      process.umask(umask);
    }
  });
  await chmod(path, 0o600);
  server.on('error', (error) => options.onError(codeOf(error)));
  return {
    path,
    close: () => closeServer(server, path),
  };
}

async function closeServer(server: Server, path: string): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(path, { force: true });
}

/** Reads one line of JSON from the socket, refusing more than MAX_REQUEST_BYTES. */
function readRequest(socket: Socket): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let received = '';
    socket.setEncoding('utf8');
    socket.setTimeout(10_000, () => reject(new BackupError('the request did not arrive in time')));
    const onData = (chunk: string) => {
      received += chunk;
      if (Buffer.byteLength(received) > MAX_REQUEST_BYTES) {
        // Nothing more is read: the answer goes, and the connection closes.
        socket.off('data', onData);
        socket.pause();
        reject(new BackupError('the request is too long'));
        return;
      }
      const end = received.indexOf('\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.setTimeout(0);
      try {
        resolve(JSON.parse(received.slice(0, end)));
      } catch {
        reject(new BackupError('the request is not JSON'));
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.on('end', () => reject(new BackupError('the request ended before its end of line')));
  });
}

function reply(socket: Socket, body: Reply): void {
  if (!socket.writable) return;
  socket.end(`${JSON.stringify(body)}\n`);
}

const codeOf = (error: unknown): string =>
  error instanceof BackupError
    ? 'backup_refused'
    : typeof (error as { code?: unknown })?.code === 'string'
      ? String((error as { code: string }).code)
      : 'backup_failed';

/** What the operator is told: a file system error's own message names their path and the reason. */
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : 'the backup failed');

/**
 * Asks the app holding `dir` to write a backup. Undefined when no app answers on the folder's
 * socket (none running, or one that does not listen); throws BackupError with the app's reason
 * when it answered but could not write it.
 */
export async function requestBackupFromRunningApp(
  dir: string,
  request: BackupRequest,
  { timeoutMs = 30 * 60_000 }: { timeoutMs?: number } = {},
): Promise<BackupSummary | undefined> {
  const path = backupSocketPath(dir);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) return undefined;
  const socket = createConnection(path);
  const connected = await new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true));
    socket.once('error', () => resolve(false));
  });
  if (!connected) {
    socket.destroy();
    return undefined;
  }
  const answer = await new Promise<string>((resolve, reject) => {
    let received = '';
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new BackupError('the running app did not answer in time'));
    });
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('end', () => resolve(received));
    socket.on('error', (error) =>
      reject(new BackupError(`the running app's answer was cut off (${codeOf(error)})`)),
    );
    socket.write(`${JSON.stringify(request)}\n`);
  });
  let reply: Reply;
  try {
    reply = JSON.parse(answer) as Reply;
  } catch {
    throw new BackupError('the running app answered something that is not a backup summary');
  }
  if (!reply.ok) throw new BackupError(`the running app could not write the backup: ${reply.error}`);
  return reply.summary;
}
