import type { OcrPage } from '../ocr/types.js';
import type { Db } from './db.js';

/**
 * Recognised pages by content key: the hash of a rendered page's pixels, or of the file's bytes
 * plus the page or frame number. Paths play no part, so a file renamed, moved or indexed again is
 * never read by OCR twice.
 */
export class OcrCache {
  constructor(private readonly db: Db) {}

  get(key: string): OcrPage | undefined {
    const row = this.db.prepare('SELECT result FROM ocr_cache WHERE key = ?').get(key) as { result: string } | undefined;
    return row ? (JSON.parse(row.result) as OcrPage) : undefined;
  }

  put(keys: readonly string[], page: OcrPage): void {
    const statement = this.db.prepare('INSERT INTO ocr_cache (key, result) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET result = excluded.result');
    const result = JSON.stringify(page);
    this.db.transaction(() => {
      for (const key of keys) statement.run(key, result);
    }).immediate();
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM ocr_cache').get() as { n: number }).n;
  }
}
