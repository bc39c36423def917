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

/** Pruning as in a large library, at this library's scale: common above 10%, a posting budget of 40. */
const search = () => new LexicalSearch(db, { pruneAbove: 100, commonTermShare: 0.1, postings: { share: 0.1, min: 20, max: 40 } });
const words = (terms: { word: string }[]) => terms.map((t) => t.word);

describe('lexical query planning in a large library', () => {
  it('drops words found in most passages when rarer ones remain', () => {
    expect(words(search().plan('harbour zephyr'))).toEqual(['zephyr']);
    const { hits } = search().search('harbour zephyr', 10);
    expect(hits.map((h) => h.chunkId).length).toBe(2);
  });

  it('keeps the rarest words while their passages fit the posting budget', () => {
    // zephyr (2) + anchor (8) + compass (31) = 41 > 40: compass no longer fits, lantern (60) is common.
    expect(words(search().plan('lantern compass anchor zephyr'))).toEqual(['zephyr', 'anchor']);
  });

  it('searches a query of common words only by its rarest word (two when alike), unless told to skip it', () => {
    const plan = search().planQuery('harbour lantern note');
    expect(plan.common).toBe(true);
    expect(words(plan.terms)).toEqual(['lantern']);
    expect(words(search().planQuery('harbour note').terms)).toEqual(['harbour', 'note']);
    expect(search().search('harbour lantern note', 5).hits).toHaveLength(5);
    expect(search().search('harbour lantern note', 5, { skipCommon: true }).hits).toEqual([]);
  });

  it('follows the library as it grows: a word that became common is dropped', () => {
    const before = words(search().plan('anchor zephyr'));
    expect(before).toEqual(['zephyr', 'anchor']);
    const documents = new DocumentStore(db);
    const chunks = new ChunkStore(db);
    db.transaction(() => {
      const documentId = documents.insertPending(1, '/planning/more.md', 'more.md', null);
      chunks.replace(
        documentId,
        Array.from({ length: 100 }, (_, i) => ({ text: `zephyr again ${i}`, charStart: 0, charEnd: 10, page: null, lineStart: 1, lineEnd: 1, headingPath: [], tokenCount: 3 })),
      );
    })();
    expect(words(search().plan('anchor zephyr'))).toEqual(['anchor']);
  });
});
