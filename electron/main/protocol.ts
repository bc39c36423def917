import { readFile } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { EngineCalls } from '../shared/contract.js';
import { contentTypeOf, documentHeaders, documentPath, openRegularFile, parseDocumentPath } from '../host/document-files.js';
import { CONTENT_SECURITY_POLICY } from './security.js';

/** Where the UI fetches a library's source file from (the engine's `fileUrlTemplate`; served below). */
export const DOCUMENT_URL_TEMPLATE = 'app://quire/files/{library}/{document}';

/**
 * Serves `app://quire/...`: the built renderer, with the CSP on every response and no way out of
 * `rendererDir`; and, given the engine, `files/{library}/{document}`, a library's source file (the
 * passage view draws PDF pages from it), as `quire serve` serves `/files/`.
 */
export function appProtocolHandler(rendererDir: string, options: { engine?: Pick<EngineCalls, 'call'> } = {}): (request: { url: string }) => Promise<Response> {
  const root = normalize(rendererDir);
  return async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'quire') return new Response('Not found', { status: 404 });
    if (url.pathname.startsWith('/files/') && options.engine) return documentResponse(options.engine, url.pathname.slice('/files/'.length));
    const relative = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '') || 'index.html';
    const file = join(root, relative);
    if (!file.startsWith(root + sep)) return new Response('Forbidden', { status: 403 });
    try {
      const body = await readFile(file);
      return new Response(body, { headers: { 'Content-Type': contentTypeOf(file), 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' } });
    } catch {
      const index = await readFile(join(root, 'index.html')).catch(() => null);
      return index
        ? new Response(index, { headers: { 'Content-Type': contentTypeOf('index.html'), 'Content-Security-Policy': CONTENT_SECURITY_POLICY } })
        : new Response('Not found', { status: 404 });
    }
  };
}

async function documentResponse(engine: Pick<EngineCalls, 'call'>, rest: string): Promise<Response> {
  const wanted = parseDocumentPath(rest);
  const path = wanted && (await documentPath(engine, wanted.library, wanted.documentId));
  const opened = path ? await openRegularFile(path) : null;
  if (!path || !opened) return new Response('No such document', { status: 404 });
  const body = Readable.toWeb(opened.handle.createReadStream()) as unknown as ReadableStream<Uint8Array>;
  return new Response(body, { headers: { ...documentHeaders(path), 'Content-Length': String(opened.size) } });
}
