import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LibraryVersionError, openDatabase, schemaVersion } from '../../electron/engine/store/db.js';
import { migrations } from '../../electron/engine/store/migrations/index.js';
import { ReadingFiles } from '../../electron/engine/store/reading-files.js';
import { VectorStore } from '../../electron/engine/store/vectors.js';
import { tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

const tables = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

describe('migrations', () => {
  it('are numbered 1..n in order, with no gap', () => {
    const versions = migrations.map((m) => m.version);
    const expected = Array.from({ length: versions.length }, (_, i) => i + 1);
    expect(versions).toEqual(expected);
  });

  it('008 stores a calibration per embedder', () => {
    const db = openDatabase(join(tmp.dir, 'lib.sqlite'));
    db.prepare("INSERT INTO retrieval_calibrations (embedder, calibration, adapter) VALUES ('m:64', '{}', NULL)").run();
    expect(() => db.prepare("INSERT INTO retrieval_calibrations (embedder, calibration) VALUES ('m:64', '{}')").run()).toThrow(/UNIQUE/);
    db.close();
  });

  it('010 lists the files being read: a crash counts them, a kill forgets them, a removed document takes its row along', () => {
    const db = openDatabase(join(tmp.dir, 'lib.sqlite'));
    db.prepare("INSERT INTO folders (path) VALUES ('/docs')").run();
    const insert = db.prepare("INSERT INTO documents (folder_id, path, relative_path, status) VALUES (1, ?, ?, 'pending')");
    const [a, b] = ['a.txt', 'b.txt'].map((name) => Number(insert.run(`/docs/${name}`, name).lastInsertRowid));
    const reading = new ReadingFiles(db);
    reading.start(a!);
    reading.start(b!, 1);
    expect([...reading.leftUnfinished({ blame: true })]).toEqual([[a, 1], [b, 2]]);
    expect([...reading.leftUnfinished({ blame: true })]).toEqual([]);
    reading.start(a!);
    expect([...reading.leftUnfinished({ blame: false })]).toEqual([]);
    expect([...reading.leftUnfinished({ blame: true })]).toEqual([]);
    reading.start(b!);
    db.prepare('DELETE FROM documents WHERE id = ?').run(b);
    expect(db.prepare('SELECT COUNT(*) FROM files_being_read').pluck().get()).toBe(0);
    db.close();
  });

  it('001 creates folders, documents, chunks and meta in a WAL file with foreign keys on', () => {
    const file = join(tmp.dir, 'lib.sqlite');
    const db = openDatabase(file, { migrations: migrations.slice(0, 1) });
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).toEqual(expect.arrayContaining(['chunks', 'documents', 'folders', 'meta']));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);

    const folder = Number(db.prepare("INSERT INTO folders (path) VALUES ('/docs')").run().lastInsertRowid);
    const doc = Number(db.prepare("INSERT INTO documents (folder_id, path, relative_path) VALUES (?, '/docs/a.txt', 'a.txt')").run(folder).lastInsertRowid);
    db.prepare("INSERT INTO chunks (document_id, ordinal, text, char_start, char_end, token_count) VALUES (?, 0, 'x', 0, 1, 1)").run(doc);
    // Removing a folder removes its documents and their chunks.
    db.prepare('DELETE FROM folders WHERE id = ?').run(folder);
    expect(db.prepare('SELECT COUNT(*) AS n FROM chunks').get()).toEqual({ n: 0 });
    // A status outside the enum is refused by the schema itself.
    const again = Number(db.prepare("INSERT INTO folders (path) VALUES ('/docs')").run().lastInsertRowid);
    expect(() => db.prepare("INSERT INTO documents (folder_id, path, relative_path, status) VALUES (?, '/x', 'x', 'weird')").run(again)).toThrow(/CHECK/);
    db.close();
  });

  it('002 keeps the FTS5 index in step with chunks, including rows that existed before it', () => {
    const file = join(tmp.dir, 'lib.sqlite');
    const v1 = openDatabase(file, { migrations: migrations.slice(0, 1) });
    const folder = Number(v1.prepare("INSERT INTO folders (path) VALUES ('/docs')").run().lastInsertRowid);
    const doc = Number(v1.prepare("INSERT INTO documents (folder_id, path, relative_path) VALUES (?, '/docs/notes.txt', 'notes.txt')").run(folder).lastInsertRowid);
    v1.prepare(`INSERT INTO chunks (document_id, ordinal, text, char_start, char_end, heading_path, token_count) VALUES (?, 0, 'old harbour', 0, 11, '["Ports"]', 2)`).run(doc);
    v1.close();
    const db = openDatabase(file, { migrations: migrations.slice(0, 2) });
    const match = (q: string) => (db.prepare('SELECT COUNT(*) AS n FROM chunks_fts WHERE chunks_fts MATCH ?').get(q) as { n: number }).n;
    expect(match('harbour')).toBe(1);
    expect(match('heading:ports')).toBe(1);
    expect(match('file:notes')).toBe(1);
    db.prepare("INSERT INTO chunks (document_id, ordinal, text, char_start, char_end, token_count) VALUES (?, 1, 'new lighthouse', 12, 26, 2)").run(doc);
    expect(match('lighthouse')).toBe(1);
    db.prepare('DELETE FROM documents WHERE id = ?').run(doc);
    expect(match('harbour OR lighthouse')).toBe(0);
    db.close();
  });

  it('003 stores conversations whose messages go with them', () => {
    const db = openDatabase(join(tmp.dir, 'lib.sqlite'), { migrations: migrations.slice(0, 3) });
    const id = Number(db.prepare("INSERT INTO conversations (title) VALUES ('Q')").run().lastInsertRowid);
    db.prepare("INSERT INTO messages (conversation_id, role, text, sources) VALUES (?, 'assistant', 'A [1]', '[{\"n\":1,\"chunkId\":5}]')").run(id);
    expect(() => db.prepare("INSERT INTO messages (conversation_id, role, text) VALUES (?, 'robot', 'x')").run(id)).toThrow(/CHECK/);
    db.prepare('DELETE FROM conversations WHERE id = ?').run(id);
    expect(db.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 0 });
    db.close();
  });

  it('004 keeps question sets and runs; a removed chunk unlinks its question instead of deleting it', () => {
    const file = join(tmp.dir, 'lib.sqlite');
    const v3 = openDatabase(file, { migrations: migrations.slice(0, 3) });
    const folder = Number(v3.prepare("INSERT INTO folders (path) VALUES ('/docs')").run().lastInsertRowid);
    const doc = Number(v3.prepare("INSERT INTO documents (folder_id, path, relative_path) VALUES (?, '/docs/a.md', 'a.md')").run(folder).lastInsertRowid);
    const chunk = Number(v3.prepare("INSERT INTO chunks (document_id, ordinal, text, char_start, char_end, token_count) VALUES (?, 0, 'Max is a dog', 0, 12, 4)").run(doc).lastInsertRowid);
    v3.close();
    const db = openDatabase(file, { migrations: migrations.slice(0, 4) });
    expect(schemaVersion(db)).toBe(4);
    expect(tables(db)).toEqual(expect.arrayContaining(['eval_question_sets', 'eval_questions', 'eval_runs', 'eval_run_modes']));
    const set = Number(db.prepare("INSERT INTO eval_question_sets (name, origin) VALUES ('s', 'generated')").run().lastInsertRowid);
    db.prepare("INSERT INTO eval_questions (set_id, qid, question, answer, split, chunk_id, sources) VALUES (?, 'q1', 'Who is Max?', 'a dog', 'train', ?, '[\"a.md\"]')").run(set, chunk);
    expect(() => db.prepare("INSERT INTO eval_questions (set_id, qid, question) VALUES (?, 'q1', 'again')").run(set)).toThrow(/UNIQUE/);
    expect(() => db.prepare("INSERT INTO eval_questions (set_id, qid, question, split) VALUES (?, 'q2', 'x', 'validation')").run(set)).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO eval_question_sets (name, origin) VALUES ('s', 'guessed')").run()).toThrow(/CHECK/);
    db.prepare('DELETE FROM documents WHERE id = ?').run(doc);
    expect(db.prepare('SELECT qid, chunk_id AS chunkId, sources FROM eval_questions').all()).toEqual([{ qid: 'q1', chunkId: null, sources: '["a.md"]' }]);
    const run = Number(db.prepare("INSERT INTO eval_runs (created_at, question_set, k, question_count, report) VALUES ('t', 'q.jsonl', 5, 1, '{}')").run().lastInsertRowid);
    db.prepare("INSERT INTO eval_run_modes (run_id, mode, score, metrics) VALUES (?, 'rag-base', 0.5, '{\"recall@5\":1}')").run(run);
    db.prepare('DELETE FROM eval_runs WHERE id = ?').run(run);
    expect(db.prepare('SELECT COUNT(*) AS n FROM eval_run_modes').get()).toEqual({ n: 0 });
    db.prepare('DELETE FROM eval_question_sets WHERE id = ?').run(set);
    expect(db.prepare('SELECT COUNT(*) AS n FROM eval_questions').get()).toEqual({ n: 0 });
    db.close();
  });

  it('005 adds parts of files under their file, chunk locations and the OCR cache', () => {
    const file = join(tmp.dir, 'lib.sqlite');
    const v4 = openDatabase(file, { migrations: migrations.slice(0, 4) });
    const folder = Number(v4.prepare("INSERT INTO folders (path) VALUES ('/docs')").run().lastInsertRowid);
    const mbox = Number(v4.prepare("INSERT INTO documents (folder_id, path, relative_path) VALUES (?, '/docs/inbox.mbox', 'inbox.mbox')").run(folder).lastInsertRowid);
    v4.close();
    const db = openDatabase(file, { migrations: migrations.slice(0, 5) });
    expect(schemaVersion(db)).toBe(5);
    const message = Number(
      db.prepare("INSERT INTO documents (folder_id, parent_id, path, relative_path, meta) VALUES (?, ?, '/docs/inbox.mbox#m1', 'inbox.mbox > Hello', '{\"subject\":\"Hello\"}')").run(folder, mbox).lastInsertRowid,
    );
    db.prepare("INSERT INTO chunks (document_id, ordinal, text, char_start, char_end, token_count, sheet, row_start, row_end, frame, ocr_confidence) VALUES (?, 0, 'x', 0, 1, 1, 'Budget', 2, 9, 3, 91.5)").run(message);
    expect(db.prepare('SELECT sheet, row_start AS r0, row_end AS r1, frame, ocr_confidence AS c FROM chunks').get()).toEqual({ sheet: 'Budget', r0: 2, r1: 9, frame: 3, c: 91.5 });
    db.prepare("INSERT INTO ocr_cache (key, result) VALUES ('page:abc', '{}')").run();
    expect(() => db.prepare("INSERT INTO ocr_cache (key, result) VALUES ('page:abc', '{}')").run()).toThrow(/UNIQUE/);
    // Removing the file removes its parts and their chunks; the OCR cache outlives them.
    db.prepare('DELETE FROM documents WHERE id = ?').run(mbox);
    expect(db.prepare('SELECT COUNT(*) AS n FROM documents').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM chunks').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM ocr_cache').get()).toEqual({ n: 1 });
    db.close();
  });

  it('loads sqlite-vec and FTS5 into every library connection', () => {
    const db = openDatabase(join(tmp.dir, 'lib.sqlite'));
    expect((db.prepare('SELECT vec_version() AS v').get() as { v: string }).v).toMatch(/^v0\.1\./);
    db.exec("CREATE VIRTUAL TABLE probe USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2')");
    db.prepare('INSERT INTO probe VALUES (?)').run('Cafés are running');
    expect(db.prepare("SELECT COUNT(*) AS n FROM probe WHERE probe MATCH 'cafe run'").get()).toEqual({ n: 1 });
    db.close();
  });

  it("007 keeps the fast path's 1-bit codes in Quire's own table: filled from the float vectors of a library embedded before it, kept with the vectors after", () => {
    const file = join(tmp.dir, 'lib.sqlite');
    const dimension = 64;
    const vector = (i: number): Float32Array => {
      let state = (i * 2654435761) >>> 0;
      return Float32Array.from({ length: dimension }, () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = Math.imul(state ^ (state >>> 15), state | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
      });
    };
    const blob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    // A library as Quire wrote it before 007: vec0 with its own bit column, the float table and the change log.
    const v6 = openDatabase(file, { migrations: migrations.slice(0, 6) });
    const folder = Number(v6.prepare("INSERT INTO folders (path) VALUES ('/docs')").run().lastInsertRowid);
    const doc = Number(v6.prepare("INSERT INTO documents (folder_id, path, relative_path) VALUES (?, '/docs/a.txt', 'a.txt')").run(folder).lastInsertRowid);
    v6.exec(`
      CREATE VIRTUAL TABLE chunk_vectors USING vec0(chunk_id INTEGER PRIMARY KEY, embedding float[${dimension}] distance_metric=cosine, embedding_bits bit[${dimension}]);
      CREATE TABLE chunk_vector_floats (chunk_id INTEGER PRIMARY KEY, embedding BLOB NOT NULL) STRICT;
      CREATE TRIGGER chunk_vectors_delete AFTER DELETE ON chunks BEGIN
        DELETE FROM chunk_vectors WHERE chunk_id = old.id; DELETE FROM chunk_vector_floats WHERE chunk_id = old.id;
      END;
      CREATE TABLE chunk_vector_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, chunk_id INTEGER NOT NULL, op INTEGER NOT NULL) STRICT;
      CREATE TRIGGER chunk_vector_added AFTER INSERT ON chunk_vector_floats BEGIN INSERT INTO chunk_vector_changes (chunk_id, op) VALUES (new.chunk_id, 1); END;
      CREATE TRIGGER chunk_vector_removed AFTER DELETE ON chunk_vector_floats BEGIN INSERT INTO chunk_vector_changes (chunk_id, op) VALUES (old.chunk_id, 0); END;`);
    for (let i = 1; i <= 40; i++) {
      const id = Number(v6.prepare("INSERT INTO chunks (document_id, ordinal, text, char_start, char_end, token_count) VALUES (?, ?, 'x', 0, 1, 1)").run(doc, i).lastInsertRowid);
      v6.prepare('INSERT INTO chunk_vectors (chunk_id, embedding, embedding_bits) VALUES (?, ?, vec_quantize_binary(?))').run(BigInt(id), blob(vector(i)), blob(vector(i)));
      v6.prepare('INSERT INTO chunk_vector_floats (chunk_id, embedding) VALUES (?, ?)').run(id, blob(vector(i)));
    }
    // sqlite-vec's own copy of the bits is spoiled: the fast path must not be reading it.
    v6.exec('UPDATE chunk_vectors_vector_chunks01 SET vectors = zeroblob(length(vectors))');
    v6.close();

    const db = openDatabase(file);
    expect(tables(db)).toContain('chunk_vector_bits');
    expect(db.prepare("SELECT value FROM meta WHERE key = 'vector_bits_pending'").pluck().get()).toBe('1');
    const store = new VectorStore(db);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'vector_bits_pending'").pluck().get()).toBeUndefined();
    expect(store.count()).toBe(40);
    const expected = (i: number): Buffer => {
      const bytes = Buffer.alloc(dimension / 8);
      vector(i).forEach((x, j) => void (x > 0 && (bytes[j >> 3] = bytes[j >> 3]! | (1 << (j & 7)))));
      return bytes;
    };
    expect(db.prepare('SELECT bits FROM chunk_vector_bits WHERE chunk_id = 7').pluck().get()).toEqual(expected(7));
    // With only one candidate from the bits, the fast path finds each vector itself: it reads the codes table.
    for (const i of [3, 17, 33]) expect(store.nearestFast(vector(i), 1, 1)[0]!.chunkId).toBe(i);

    // New vectors get their code in the same transaction; a removed chunk takes its code along.
    const id = Number(db.prepare("INSERT INTO chunks (document_id, ordinal, text, char_start, char_end, token_count) VALUES (?, 99, 'y', 0, 1, 1)").run(doc).lastInsertRowid);
    db.transaction(() => store.insert([id], [vector(99)]))();
    expect(db.prepare('SELECT bits FROM chunk_vector_bits WHERE chunk_id = ?').pluck().get(id)).toEqual(expected(99));
    expect(store.nearestFast(vector(99), 1, 1)[0]!.chunkId).toBe(id);
    db.prepare('DELETE FROM chunks WHERE id = 17').run();
    expect(db.prepare('SELECT COUNT(*) FROM chunk_vector_bits WHERE chunk_id = 17').pluck().get()).toBe(0);
    expect(store.nearestFast(vector(17), 3, 40).map((h) => h.chunkId)).not.toContain(17);
    expect(store.count()).toBe(40);

    // A new model's vectors start a vec0 table with no bit column of its own.
    store.reset(dimension);
    expect(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'chunk_vectors'").pluck().get()).not.toMatch(/bit\[/);
    expect(store.count()).toBe(0);
    db.close();
  });

  it('009: once common-word postings exist, triggers list added chunks and removals with the generation', () => {
    const db = openDatabase(join(tmp.dir, 'lib.sqlite'));
    const folder = db.prepare("INSERT INTO folders (path) VALUES ('/f') RETURNING id").pluck().get() as number;
    const document = db.prepare("INSERT INTO documents (folder_id, path, relative_path, status) VALUES (?, '/f/a.md', 'a.md', 'indexed') RETURNING id").pluck().get(folder) as number;
    const insert = db.prepare("INSERT INTO chunks (document_id, ordinal, text, char_start, char_end, token_count) VALUES (?, ?, 'some words', 0, 10, 2) RETURNING id").pluck();
    const first = insert.get(document, 0) as number;
    const listed = () => [db.prepare('SELECT chunk_id FROM common_word_added').pluck().all(), db.prepare('SELECT chunk_id, generation FROM common_word_removed').raw().all()];
    expect(listed()).toEqual([[], []]);
    db.prepare("INSERT INTO meta (key, value) VALUES ('common_words', json_object('generation', 3))").run();
    const second = insert.get(document, 1) as number;
    db.prepare('DELETE FROM chunks WHERE id = ?').run(first);
    expect(listed()).toEqual([[second], [[first, 3]]]);
    db.prepare('DELETE FROM chunks WHERE id = ?').run(second);
    expect(listed()).toEqual([[], [[first, 3], [second, 3]]]);
    db.close();
  });

  it('reopening is idempotent and keeps data', () => {
    const file = join(tmp.dir, 'lib.sqlite');
    const first = openDatabase(file);
    first.prepare("INSERT INTO meta (key, value) VALUES ('k', 'v')").run();
    first.close();
    const second = openDatabase(file);
    expect(schemaVersion(second)).toBe(migrations.at(-1)!.version);
    expect(second.prepare("SELECT value FROM meta WHERE key = 'k'").get()).toEqual({ value: 'v' });
    second.close();
  });

  it('refuses a library written by a newer schema instead of damaging it', () => {
    const file = join(tmp.dir, 'lib.sqlite');
    const raw = new Database(file);
    raw.pragma(`user_version = ${migrations.at(-1)!.version + 5}`);
    raw.close();
    expect(() => openDatabase(file)).toThrow(LibraryVersionError);
  });

  it('a failing migration leaves the previous version intact', () => {
    const file = join(tmp.dir, 'lib.sqlite');
    openDatabase(file).close();
    const broken = [...migrations, { version: migrations.at(-1)!.version + 1, name: 'broken', up: 'CREATE TABLE ok_table (x); THIS IS NOT SQL;' }];
    expect(() => openDatabase(file, { migrations: broken })).toThrow();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    expect(tables(db)).not.toContain('ok_table');
    db.close();
  });
});
