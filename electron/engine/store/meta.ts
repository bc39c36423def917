import { IndexingSettings, OcrSettings } from '../../shared/library.js';
import type { Db } from './db.js';

export interface EmbedderRecord {
  model: string;
  dimension: number;
  pooling: string;
  /** Folder the model was loaded from, so later commands can load it again without being told. */
  path?: string;
}

/** Key/value facts about a library, such as which embedder its vectors belong to. */
export class MetaStore {
  constructor(private readonly db: Db) {}

  get(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  set(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  embedder(): EmbedderRecord | null {
    const raw = this.get('embedder');
    return raw ? (JSON.parse(raw) as EmbedderRecord) : null;
  }

  setEmbedder(record: EmbedderRecord): void {
    this.set('embedder', JSON.stringify(record));
  }

  clearEmbedder(): void {
    this.db.prepare("DELETE FROM meta WHERE key = 'embedder'").run();
  }

  /** The library's OCR setting, or null when it was never set (the engine's default applies). */
  ocr(): OcrSettings | null {
    const raw = this.get('ocr');
    if (!raw) return null;
    const parsed = OcrSettings.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  }

  /** Whether symbolic links that lead out of the library's folders are followed (off unless set). */
  followLinksOutside(): boolean {
    return this.get('follow-links-outside') === 'true';
  }

  setFollowLinksOutside(follow: boolean): void {
    this.set('follow-links-outside', String(follow));
  }

  setOcr(settings: OcrSettings): void {
    this.set('ocr', JSON.stringify(OcrSettings.parse(settings)));
  }

  /** Chunk size, overlap and file size cap as last given for this library, or null when never given. */
  indexing(): IndexingSettings | null {
    const raw = this.get('indexing');
    if (!raw) return null;
    const parsed = IndexingSettings.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  }

  setIndexing(settings: IndexingSettings): void {
    this.set('indexing', JSON.stringify(IndexingSettings.parse(settings)));
  }
}
