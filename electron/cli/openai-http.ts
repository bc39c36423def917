import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchesApiKey, OpenAiError, toOpenAiError } from '../engine/index.js';
import type { EngineCalls } from '../shared/contract.js';

export interface OpenAiHttpDeps {
  /** The engine: the OpenAI API runs there (`openai.*` methods); this layer only moves HTTP. */
  engine: EngineCalls;
  /** The current key, asked for on every request so that a rotation takes effect at once. */
  apiKey: () => string;
  maxBodyBytes?: number;
}

export const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Past this, a refused upload is cut off instead of drained. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

export function isOpenAiPath(pathname: string): boolean {
  return pathname === '/v1' || pathname.startsWith('/v1/');
}

/**
 * Serves `/v1/...` in OpenAI's shapes; false for any other path. Host and Origin are checked by
 * the caller; here every request needs `Authorization: Bearer <api key>`. A client that goes
 * away aborts its request: dropped from the queue, or its generation stopped.
 */
export async function handleOpenAiRequest(request: IncomingMessage, response: ServerResponse, deps: OpenAiHttpDeps): Promise<boolean> {
  const { pathname } = new URL(request.url ?? '/', 'http://x');
  if (!isOpenAiPath(pathname)) return false;
  const abort = new AbortController();
  // 'close' on the response, not the request: the request's fires as soon as its body has been read.
  response.on('close', () => {
    if (!response.writableFinished) abort.abort();
  });
  try {
    authenticate(request, deps.apiKey());
    await route(request, response, pathname, deps, abort.signal);
  } catch (error) {
    fail(response, toOpenAiError(error));
  }
  return true;
}

async function route(request: IncomingMessage, response: ServerResponse, pathname: string, deps: OpenAiHttpDeps, signal: AbortSignal): Promise<void> {
  const method = request.method ?? 'GET';
  const only = (allowed: string): void => {
    if (method !== allowed) throw new OpenAiError(405, `${pathname} takes ${allowed}, not ${method}`, 'invalid_request_error', null, 'method_not_allowed');
  };
  const limit = deps.maxBodyBytes ?? MAX_BODY_BYTES;
  if (pathname === '/v1/models') {
    only('GET');
    return sendJson(response, 200, await deps.engine.call('openai.models', {}));
  }
  if (pathname.startsWith('/v1/models/')) {
    only('GET');
    let id: string;
    try {
      id = decodeURIComponent(pathname.slice('/v1/models/'.length));
    } catch {
      throw new OpenAiError(400, 'The model id in the path is not valid percent-encoding', 'invalid_request_error', 'model', 'invalid_value');
    }
    return sendJson(response, 200, await deps.engine.call('openai.model', { id }));
  }
  if (pathname === '/v1/chat/completions') {
    only('POST');
    const body = await readJson(request, limit);
    const completion = await deps.engine.call('openai.chat', { body }, { signal, onEvent: (chunk) => sendEvent(response, chunk) });
    if (response.headersSent) {
      if (!response.destroyed) response.end('data: [DONE]\n\n');
      return;
    }
    return sendJson(response, 200, completion);
  }
  if (pathname === '/v1/embeddings') {
    only('POST');
    return sendJson(response, 200, await deps.engine.call('openai.embeddings', { body: await readJson(request, limit) }));
  }
  throw new OpenAiError(404, `Unknown endpoint: ${method} ${pathname}`, 'invalid_request_error', null, 'unknown_url');
}

function authenticate(request: IncomingMessage, key: string): void {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new OpenAiError(401, "You didn't provide an API key: send it as 'Authorization: Bearer <key>' (see: quire api-key).", 'invalid_request_error', null, 'invalid_api_key');
  if (!matchesApiKey(match[1]!, key)) throw new OpenAiError(401, 'Incorrect API key provided (see: quire api-key).', 'invalid_request_error', null, 'invalid_api_key');
}

const tooLarge = (limit: number): OpenAiError =>
  new OpenAiError(413, `The request body is larger than ${limit} bytes`, 'invalid_request_error', null, 'request_too_large');

/** Reads the body up to `limit` bytes; past it, refuses while discarding the rest so the client can read the refusal. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const refuse = (): void => {
      refused = true;
      chunks.length = 0;
      reject(tooLarge(limit));
    };
    if (Number(request.headers['content-length'] ?? 0) > limit) refuse();
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (refused) {
        if (size > MAX_DRAIN_BYTES) request.destroy();
        return;
      }
      if (size > limit) refuse();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      if (!refused) resolve(Buffer.concat(chunks));
    });
    request.on('error', (error) => {
      if (!refused) reject(error);
    });
  });
}

async function readJson(request: IncomingMessage, limit: number): Promise<unknown> {
  const text = (await readBody(request, limit)).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new OpenAiError(400, `The request body is not valid JSON: ${(error as Error).message}`, 'invalid_request_error', null, 'invalid_json');
  }
}

const HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { ...HEADERS, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

function sendEvent(response: ServerResponse, data: unknown): void {
  if (response.destroyed) return;
  if (!response.headersSent) response.writeHead(200, { ...HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  response.write(`data: ${JSON.stringify(data)}\n\n`);
}

function fail(response: ServerResponse, error: OpenAiError): void {
  if (response.destroyed || response.writableEnded) return;
  if (response.headersSent) {
    // Mid-stream: OpenAI clients raise an `error` event as an APIError.
    response.end(`data: ${JSON.stringify(error.body)}\n\n`);
    return;
  }
  const headers = error.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
  const text = JSON.stringify(error.body);
  response.writeHead(error.status, { ...HEADERS, ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
