import type { DocumentKind, DocumentReason, DocumentStatus } from '../../shared/library.js';
import { readerVersion } from '../ingest/reader-versions.js';
import { statement, type Db } from './db.js';

export interface DocumentRow {
  id: number;
  folderId: number;
  path: string;
  relativePath: string;
  kind: DocumentKind | null;
  size: number | null;
  mtimeMs: number | null;
  contentHash: string | null;
  status: DocumentStatus;
  reason: DocumentReason | null;
  message: string | null;
  chunkCount: number;
  indexedAt: string | null;
  /** Set for a part of a file (a mailbox's message, a message's attachment); null for files. */
  parentId: number | null;
  /** JSON facts about the document (a message's headers). */
  meta: string | null;
  /** The version of the reader of its kind that produced its text (`ingest/reader-versions.ts`). */
  readerVersion: number;
}

/** A part of a file recorded as a document of its own, under its parent. */
export interface NewChildDocument {
  /** Unique within the library: the file's path plus `#` and the part's key. */
  path: string;
  relativePath: string;
  outcome: Outcome;
  meta: string | null;
}

const COLUMNS = `id, folder_id AS folderId, path, relative_path AS relativePath, kind, size, mtime_ms AS mtimeMs,
  content_hash AS contentHash, status, reason, message, chunk_count AS chunkCount, indexed_at AS indexedAt, parent_id AS parentId, meta,
  reader_version AS readerVersion`;

export interface Outcome {
  status: DocumentStatus;
  reason: DocumentReason | null;
  message: string | null;
  kind: DocumentKind | null;
  size: number | null;
  mtimeMs: number | null;
  contentHash: string | null;
}

export class DocumentStore {
  constructor(private readonly db: Db) {}

  byPath(path: string): DocumentRow | undefined {
    return statement(this.db, `SELECT ${COLUMNS} FROM documents WHERE path = ?`).get(path) as DocumentRow | undefined;
  }

  byId(id: number): DocumentRow | undefined {
    return statement(this.db, `SELECT ${COLUMNS} FROM documents WHERE id = ?`).get(id) as DocumentRow | undefined;
  }

  /** The file on disk a document belongs to: itself, or for a part (a mail's attachment...) the file holding it. */
  fileOf(id: number): DocumentRow | undefined {
    let document = this.byId(id);
    while (document?.parentId != null) document = this.byId(document.parentId);
    return document;
  }

  /** The folder's files (not their parts, which come and go with their file). */
  inFolder(folderId: number): DocumentRow[] {
    return statement(this.db, `SELECT ${COLUMNS} FROM documents WHERE folder_id = ? AND parent_id IS NULL ORDER BY path`).all(folderId) as DocumentRow[];
  }

  childrenOf(parentId: number): DocumentRow[] {
    return statement(this.db, `SELECT ${COLUMNS} FROM documents WHERE parent_id = ? ORDER BY id`).all(parentId) as DocumentRow[];
  }

  /** Removes a file's parts (and theirs, and their chunks) before its new ones are recorded. */
  deleteChildren(parentId: number): void {
    statement(this.db, 'DELETE FROM documents WHERE parent_id = ?').run(parentId);
  }

  insertChild(parent: DocumentRow, child: NewChildDocument, chunkCount: number): number {
    const o = child.outcome;
    const result = statement(
      this.db,
      `INSERT INTO documents (folder_id, parent_id, path, relative_path, status, reason, message, kind, size, mtime_ms, content_hash, chunk_count, meta, indexed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`,
    ).run(parent.folderId, parent.id, child.path, child.relativePath, o.status, o.reason, o.message, o.kind, o.size, o.mtimeMs, o.contentHash, chunkCount, child.meta);
    return Number(result.lastInsertRowid);
  }

  list(): DocumentRow[] {
    return statement(this.db, `SELECT ${COLUMNS} FROM documents ORDER BY path`).all() as DocumentRow[];
  }

  /** A newly seen file starts as `pending` until its content has been indexed. */
  insertPending(folderId: number, path: string, relativePath: string, pathBytes: Buffer | null): number {
    const result = statement(this.db, 'INSERT INTO documents (folder_id, path, relative_path, path_bytes, status) VALUES (?, ?, ?, ?, ?)')
      .run(folderId, path, relativePath, pathBytes, 'pending');
    return Number(result.lastInsertRowid);
  }

  /** Records what indexing concluded; `chunkCount` must match the chunks written in the same transaction. */
  record(id: number, outcome: Outcome, chunkCount: number): void {
    statement(
      this.db,
      `UPDATE documents SET status = ?, reason = ?, message = ?, kind = ?, size = ?, mtime_ms = ?, content_hash = ?,
         chunk_count = ?, reader_version = ?, indexed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`,
    ).run(outcome.status, outcome.reason, outcome.message, outcome.kind, outcome.size, outcome.mtimeMs, outcome.contentHash, chunkCount, readerVersion(outcome.kind), id);
  }

  setMeta(id: number, meta: string | null): void {
    statement(this.db, 'UPDATE documents SET meta = ? WHERE id = ?').run(meta, id);
  }

  /** Same content under a new timestamp: nothing to re-index. */
  touch(id: number, size: number, mtimeMs: number): void {
    statement(this.db, 'UPDATE documents SET size = ?, mtime_ms = ? WHERE id = ?').run(size, mtimeMs, id);
  }

  delete(id: number): void {
    statement(this.db, 'DELETE FROM documents WHERE id = ?').run(id);
  }

  countsByStatus(): Record<DocumentStatus, number> {
    const counts: Record<DocumentStatus, number> = { pending: 0, indexed: 0, skipped: 0, failed: 0 };
    for (const row of statement(this.db, 'SELECT status, COUNT(*) AS n FROM documents GROUP BY status').all() as { status: DocumentStatus; n: number }[]) {
      counts[row.status] = row.n;
    }
    return counts;
  }
}
