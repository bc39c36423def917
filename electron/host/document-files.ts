import { open, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import type { EngineCalls } from '../shared/contract.js';

/**
 * Serving a library's source file to the UI (the passage view draws PDF pages from it), the same
 * in both shells: `quire serve`'s `/files/{library}/{document}` and the desktop app's
 * `app://quire/files/{library}/{document}`. The engine says which file a document is; the shell
 * opens it once and streams from that handle.
 */

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8', '.pdf': 'application/pdf', '.csv': 'text/plain; charset=utf-8', '.log': 'text/plain; charset=utf-8',
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** A document is shown, never run: no script, no plugin, no sniffing it into HTML. */
export function documentHeaders(path: string): Record<string, string> {
  return { 'Content-Type': contentTypeOf(path), 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox" };
}

/** `files/{library}/{document}` (after the shell's own prefix) → what to ask the engine for; null when malformed. */
export function parseDocumentPath(rest: string): { library: string; documentId: number } | null {
  const [library, id, ...extra] = rest.split('/');
  if (!library || !id || extra.length > 0 || !/^\d+$/.test(id)) return null;
  let name: string;
  try {
    name = decodeURIComponent(library);
  } catch {
    return null;
  }
  const documentId = Number(id);
  return Number.isSafeInteger(documentId) ? { library: name, documentId } : null;
}

/** The document's file on disk, or null when the engine knows no such document (or cannot say). */
export async function documentPath(engine: Pick<EngineCalls, 'call'>, library: string, documentId: number): Promise<string | null> {
  return engine.call('documents.file', { library, documentId }).then(
    (found) => found.path,
    () => null,
  );
}

/**
 * Opens the file once: no check-then-read race, and a path that is now a folder, gone or
 * unreadable is null (a 404), never a stream error later.
 */
export async function openRegularFile(path: string): Promise<{ handle: FileHandle; size: number } | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error('not a file');
    return { handle, size: stats.size };
  } catch {
    await handle.close().catch(() => undefined);
    return null;
  }
}
