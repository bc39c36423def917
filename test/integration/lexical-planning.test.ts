import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LexicalSearch } from '../../electron/engine/search/lexical.js';
import { ChunkStore } from '../../electron/engine/store/chunks.js';
import { openDatabase, type Db } from '../../electron/engine/store/db.js';
import { DocumentStore } from '../../electron/engine/store/documents.js';
import { FolderStore } from '../../electron/engine/store/folders.js';
import { tempDir } from '../helpers.js';

// 400 chunks: "note" and "harbour" in every one, "lantern" in 60 (15%), "compass" in 31, "anchor" in 8, "zephyr" in 2.
const CHUNKS = 400;
const WORDS: [string, (i: number) => boolean][] = [
  ['harbour', () => true],
  ['lantern', (i) => i % 20 < 3],
  ['compass', (i) => i % 13 === 1],
  ['anchor', (i) => i % 50 === 7],
  ['zephyr', (i) => i === 11 || i === 211],
];

let tmp: ReturnType<typeof tempDir>;
let db: Db;

beforeAll(() => {
  tmp = tempDir();
  db = openDatabase(join(tmp.dir, 'planning.sqlite'));
  const folderId = new FolderStore(db).upsert('/planning').id;
  const documents = new DocumentStore(db);
  const chunks = new ChunkStore(db);
  db.transaction(() => {
    const documentId = documents.insertPending(folderId, '/planning/notes.md', 'notes.md', null);
    chunks.replace(
      documentId,
      Array.from({ length: CHUNKS }, (_, i) => {
        const text = `note ${i}: ${WORDS.filter(([, has]) => has(i)).map(([word]) => word).join(' ')}`;
        return { text, charStart: 0, charEnd: text.length, page: null, lineStart: i + 1, lineEnd: i + 1, headingPath: [], tokenCount: 8 };
      }),
    );
  })();
});
afterAll(() => {
  db.close();
  tmp.cleanup();
});

/** At this library's scale: a query of words each in more than 10% of the passages is "common". */
const search = () => new LexicalSearch(db, { pruneAbove: 100, commonTermShare: 0.1 });
const words = (terms: { word: string }[]) => terms.map((t) => t.word);
const reference = (match: string, limit: number) =>
  (db.prepare('SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, 1, 2, 1.5), rowid LIMIT ?').pluck().all(match, limit) as number[]);

describe('lexical query planning in a large library', () => {
  it('keeps every word: a word found in most passages still ranks the rest', () => {
    expect(words(search().plan('harbour zephyr'))).toEqual(['harbour', 'zephyr']);
    const { hits } = search().search('harbour zephyr', 10);
    expect(hits.map((h) => h.chunkId)).toEqual(reference('"harbour" OR "zephyr"', 10));
    expect(hits).toHaveLength(10);
  });

  it('ranks a query of common words only, unless told to skip it (hybrid search)', () => {
    const plan = search().planQuery('harbour lantern note', { skipCommon: true });
    expect(plan.common).toBe(true);
    expect(words(plan.terms)).toEqual(['harbour', 'lantern', 'note']);
    expect(search().planQuery('harbour zephyr', { skipCommon: true }).common).toBe(false);
    expect(search().search('harbour lantern note', 5).hits.map((h) => h.chunkId)).toEqual(reference('"harbour" OR "lantern" OR "note"', 5));
    expect(search().search('harbour lantern note', 5, { skipCommon: true }).hits).toEqual([]);
  });

  it('follows the library as it grows: a word that became common is ranked as FTS5 ranks it now', () => {
    const before = search().search('anchor zephyr', 5).hits.map((h) => h.chunkId);
    expect(before).toEqual(reference('"anchor" OR "zephyr"', 5));
    const documents = new DocumentStore(db);
    const chunks = new ChunkStore(db);
    db.transaction(() => {
      const documentId = documents.insertPending(1, '/planning/more.md', 'more.md', null);
      chunks.replace(
        documentId,
        Array.from({ length: 100 }, (_, i) => ({ text: `zephyr again ${i}`, charStart: 0, charEnd: 10, page: null, lineStart: 1, lineEnd: 1, headingPath: [], tokenCount: 3 })),
      );
    })();
    const after = search().search('anchor zephyr', 5).hits.map((h) => h.chunkId);
    expect(after).toEqual(reference('"anchor" OR "zephyr"', 5));
    expect(after).not.toEqual(before);
  });
});
