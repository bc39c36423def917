import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { readOrCreateApiKey } from '../engine/index.js';
import { contentTypeOf, documentHeaders, documentPath, openRegularFile, parseDocumentPath } from '../host/document-files.js';
import { EngineHost } from '../host/engine-host.js';
import { ClientMessage, EngineError, isStreamMethod, type MethodName, type ServerMessage } from '../shared/contract.js';
import { forkEngineProcess } from './engine-process.js';
import { handleOpenAiRequest, isOpenAiPath } from './openai-http.js';

export interface BrowserModeOptions {
  dataDir: string;
  port?: number;
  /** Directory of the built renderer (renderer/dist). */
  staticDir?: string;
  watch?: boolean;
  /** Fixed token (tests); random per run otherwise. */
  token?: string;
  /** The generation model to keep loaded (a registered id or a GGUF path), instead of settings.activeModel. */
  model?: string;
}

export interface BrowserModeServer {
  url: string;
  port: number;
  token: string;
  /** The engine, in its own supervised process; the UI's WebSocket, /files and the /v1 API all call it. */
  engine: EngineHost;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;
export function defaultStaticDir(): string {
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'renderer', 'dist');
}

/**
 * Browser mode: the same engine and UI as the desktop app, served on 127.0.0.1 only. Every API
 * request needs the per-run token; Host and Origin must be this server's own, so a web page
 * elsewhere (or a DNS-rebinding attack) cannot reach the engine.
 */
export async function startBrowserMode(options: BrowserModeOptions): Promise<BrowserModeServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const staticDir = options.staticDir ?? defaultStaticDir();
  let port = 0;
  const engine = new EngineHost({
    spawn: () => forkEngineProcess(),
    init: { dataDir: options.dataDir, watch: options.watch ?? true, model: options.model, fileUrlTemplate: `/files/{library}/{document}?token=${token}`, openFiles: false },
    onNotice: (notice) => broadcast({ type: 'notice', notice }),
    health: { intervalMs: 10_000, timeoutMs: 120_000 },
  });
  // A bad --model (or data folder) fails here, before the URL is printed.
  await engine.start();
  const sockets = new Set<WebSocket>();
  const broadcast = (message: ServerMessage): void => {
    for (const socket of sockets) socket.send(JSON.stringify(message));
  };

  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const sameOrigin = (request: IncomingMessage): boolean => {
    if (!allowedHosts().includes(request.headers.host ?? '')) return false;
    const origin = request.headers.origin;
    return origin === undefined || allowedHosts().some((h) => origin === `http://${h}`);
  };
  const hasToken = (request: IncomingMessage): boolean => {
    const given = new URL(request.url ?? '/', 'http://x').searchParams.get('token') ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const handleRequest = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (!sameOrigin(request)) return refuse(response, 403, 'Forbidden: wrong Host or Origin');
    const url = new URL(request.url ?? '/', 'http://x');
    // Tools, not the UI: the API key instead of the per-run token.
    if (isOpenAiPath(url.pathname)) return void (await handleOpenAiRequest(request, response, { engine, apiKey: () => readOrCreateApiKey(options.dataDir) }));
    if (url.pathname.startsWith('/files/')) {
      if (!hasToken(request)) return refuse(response, 401, 'Unauthorized: missing or wrong token');
      const wanted = parseDocumentPath(url.pathname.slice('/files/'.length));
      const path = wanted && (await documentPath(engine, wanted.library, wanted.documentId));
      if (!path) return refuse(response, 404, 'No such document');
      return sendFile(response, path, documentHeaders(path));
    }
    await serveStatic(staticDir, url.pathname, response, port);
  };
  const server: Server = createServer((request, response) => {
    handleRequest(request, response).catch((error: unknown) => failRequest(request, response, error));
  });
  // A client that sends garbage before a request line, or resets mid-request, costs only its own connection.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  const sockServer = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://x');
    const fail = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/ws') return fail(404, 'Not Found');
    if (!sameOrigin(request)) return fail(403, 'Forbidden');
    if (!hasToken(request)) return fail(401, 'Unauthorized');
    sockServer.handleUpgrade(request, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    sockets.add(ws);
    // An oversized or non-UTF-8 frame makes ws close the socket with an error; it must not reach the process.
    ws.on('error', (error) => {
      logRequestFailure(`WebSocket closed: ${error.message}`);
      ws.terminate();
    });
    const running = new Map<number, AbortController>();
    const send = (message: ServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    ws.on('message', (data) => {
      try {
        onMessage(data.toString());
      } catch (error) {
        logRequestFailure(`WebSocket message failed: ${(error as Error).message}`);
        send({ type: 'error', id: null, error: { code: 'internal', message: 'The message could not be handled' } });
      }
    });
    const onMessage = (text: string): void => {
      let message: ClientMessage;
      try {
        message = ClientMessage.parse(JSON.parse(text));
      } catch (error) {
        send({ type: 'error', id: null, error: { code: 'bad-request', message: `Malformed message: ${(error as Error).message.slice(0, 300)}` } });
        return;
      }
      if (message.type === 'cancel') {
        running.get(message.id)?.abort();
        return;
      }
      const { id, method, params } = message;
      const abort = new AbortController();
      running.set(id, abort);
      const stream = isStreamMethod(method);
      // The method name and params are checked by the engine against the contract.
      engine
        .call(method as MethodName, params as never, { signal: abort.signal, onEvent: (event) => stream && send({ type: 'event', id, event }) })
        .then((result) => send({ type: 'result', id, result }))
        .catch((error: unknown) => {
          const e = error instanceof EngineError ? error : new EngineError('internal', (error as Error)?.message ?? String(error));
          send({ type: 'error', id, error: abort.signal.aborted ? { code: 'cancelled', message: 'Cancelled' } : { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) } });
        })
        .finally(() => running.delete(id));
    };
    ws.on('close', () => {
      sockets.delete(ws);
      for (const abort of running.values()) abort.abort();
    });
  }

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => done());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    engine,
    async close() {
      for (const socket of sockets) socket.terminate();
      sockServer.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await engine.stop();
    },
  };
}

function refuse(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}

/** A percent-decoded path segment, or null when it is not valid percent-encoding (`%ff`, `%E0%A4%A`). */
function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function logRequestFailure(message: string): void {
  process.stderr.write(`quire serve: ${message}\n`);
}

/** The last line of defence for one request: a short generic answer and one log line; the server goes on. */
function failRequest(request: IncomingMessage, response: ServerResponse, error: unknown): void {
  logRequestFailure(`${request.method ?? '?'} ${(request.url ?? '').slice(0, 200)} failed: ${(error as Error)?.message ?? String(error)}`);
  if (response.headersSent) response.destroy();
  else refuse(response, 500, 'Internal error');
}

/** Streams from the one open handle (see `openRegularFile`). */
async function sendFile(response: ServerResponse, path: string, headers: Record<string, string>): Promise<void> {
  const opened = await openRegularFile(path);
  if (!opened) return refuse(response, 404, 'No such document');
  const { handle, size } = opened;
  response.writeHead(200, { ...headers, 'Content-Length': size });
  const stream = handle.createReadStream();
  stream.on('error', (error) => {
    logRequestFailure(`reading ${path} failed: ${error.message}`);
    response.destroy();
  });
  response.on('error', () => stream.destroy());
  stream.pipe(response);
}

async function serveStatic(root: string, pathname: string, response: ServerResponse, port: number): Promise<void> {
  const decoded = safeDecode(pathname);
  if (decoded === null || decoded.includes('\0')) return refuse(response, 400, 'Bad Request: malformed path');
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  let file = join(root, relative || 'index.html');
  if (!file.startsWith(root + sep) && file !== root) return refuse(response, 403, 'Forbidden');
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
  if (!existsSync(file)) return refuse(response, 503, `The UI is not built: run npm run build (looked in ${root})`);
  return sendFile(response, file, {
    'Content-Type': contentTypeOf(file),
    'Content-Security-Policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
}
