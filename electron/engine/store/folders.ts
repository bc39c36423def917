import type { Db } from './db.js';

export interface FolderRow {
  id: number;
  path: string;
  include: string[];
  exclude: string[];
}

interface RawFolder {
  id: number;
  path: string;
  include: string;
  exclude: string;
}

const toFolder = (raw: RawFolder): FolderRow => ({
  id: raw.id,
  path: raw.path,
  include: JSON.parse(raw.include) as string[],
  exclude: JSON.parse(raw.exclude) as string[],
});

export class FolderStore {
  constructor(private readonly db: Db) {}

  /** Adds the folder or updates its patterns; returns its row. */
  upsert(path: string, patterns: { include?: string[]; exclude?: string[] } = {}): FolderRow {
    const existing = this.byPath(path);
    const include = JSON.stringify(patterns.include ?? existing?.include ?? []);
    const exclude = JSON.stringify(patterns.exclude ?? existing?.exclude ?? []);
    this.db
      .prepare('INSERT INTO folders (path, include, exclude) VALUES (?, ?, ?) ON CONFLICT(path) DO UPDATE SET include = excluded.include, exclude = excluded.exclude')
      .run(path, include, exclude);
    return this.byPath(path)!;
  }

  byPath(path: string): FolderRow | undefined {
    const raw = this.db.prepare('SELECT id, path, include, exclude FROM folders WHERE path = ?').get(path) as RawFolder | undefined;
    return raw && toFolder(raw);
  }

  list(): FolderRow[] {
    return (this.db.prepare('SELECT id, path, include, exclude FROM folders ORDER BY path').all() as RawFolder[]).map(toFolder);
  }

  /** Removing a folder removes its documents and their chunks (foreign-key cascade). */
  remove(path: string): boolean {
    return this.db.prepare('DELETE FROM folders WHERE path = ?').run(path).changes > 0;
  }
}
