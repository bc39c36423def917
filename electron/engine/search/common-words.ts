import { changeStamp, statement, type Db } from '../store/db.js';
import { readVarints } from './fts5-stats.js';
import { indexedColumnWords, stemOf } from './query.js';

/**
 * The postings of a library's common words, kept in Quire's own table (migration 009) so that
 * lexical search can score those words itself: FTS5's `bm25()` costs about a microsecond for each
 * passage it ranks, and a query of everyday words matches most of the library; adding up a stored
 * posting costs a few nanoseconds.
 *
 * A posting is the passage's chunk id, its column-weighted count of the word (FTS5's `bm25()`
 * frequency, in halves) and its length in tokens over all columns, all as FTS5 counts them: the
 * text is cut with `textWords`/`stemOf` and every passage's per-column counts must equal FTS5's
 * own (`chunks_fts_docsize`), or nothing is built. With the row count, token total and document
 * frequency read from FTS5 at query time, a score computed from them is `bm25()`'s.
 *
 * Kept true as the library changes: once a build has noted itself in `meta`, triggers list the
 * passages added since (scored from their text by the search until the next refresh) and the
 * passages removed (their postings ignored). A refresh after indexing adds a generation holding
 * the added passages' postings; a full build starts over when generations or removals pile up.
 */

export interface CommonWordsRecord {
  /** Raised by each refresh; postings of a removed chunk are void in every generation up to the one noted at its removal. */
  generation: number;
  /** The generation of the last full build (a full build replaces the generations once there are `MAX_GENERATIONS`). */
  base: number;
  /** When the full build ran (with `generation`, names the postings a cache holds). */
  builtAt: string;
  /** The column weights the frequencies were counted with. */
  weights: [number, number, number];
  /** Words in at least this many passages (at the full build) have postings. */
  minDf: number;
  /** Chunks at the full build. */
  chunks: number;
}

export interface CommonWordsOptions {
  weights?: [number, number, number];
  /** Libraries smaller than this keep no postings (FTS5 ranks everything fast enough). */
  buildAbove?: number;
}

export interface RefreshResult {
  /** `full`: built from every passage; `added`: the passages added since went into a new generation; `none`: nothing kept (small library, or dropped). */
  kind: 'full' | 'added' | 'none';
  seconds: number;
  words: number;
  postings: number;
  /** Why the postings could not be built (text that FTS5 cuts differently), when they were not. */
  failure?: string;
}

const META_KEY = 'common_words';
const DEFAULT_WEIGHTS: [number, number, number] = [1, 2, 1.5];
const BUILD_ABOVE = 2_000;
/** A full build replaces the generations once there are this many, or once removals reach a tenth of the chunks. */
const MAX_GENERATIONS = 16;
const MAX_PACKED = 0xffff;
/** Added passages a search reads the ids of (it scores a few hundred from their text at most). */
export const ADDED_READ = 1_000;

/** A word's document frequency above which it gets postings: 2% of the passages, within [200, 1,000] (below it FTS5 ranks its passages in about a millisecond). */
export function commonWordMinDf(chunks: number): number {
  return Math.min(1_000, Math.max(200, Math.floor(chunks * 0.02)));
}

export function commonWordsRecord(db: Db): CommonWordsRecord | null {
  const raw = statement(db, 'SELECT value FROM meta WHERE key = ?').pluck().get(META_KEY) as string | undefined;
  return raw ? (JSON.parse(raw) as CommonWordsRecord) : null;
}

/** Drops the postings (and stops the triggers listing changes). */
export function dropCommonWords(db: Db): void {
  db.transaction(() => {
    db.prepare('DELETE FROM meta WHERE key = ?').run(META_KEY);
    db.exec('DELETE FROM common_word_postings; DELETE FROM common_word_added; DELETE FROM common_word_removed;');
  })();
}

class Growing {
  data = new Uint32Array(64);
  length = 0;

  push(id: number, packed: number): void {
    if (this.length + 2 > this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = id;
    this.data[this.length++] = packed;
  }

  blob(): Buffer {
    return Buffer.from(this.data.buffer, 0, this.length * 4);
  }
}

class BuildFailure extends Error {}

/**
 * Counts the common words of passages ([id, text, heading path JSON, file, FTS5 docsize record])
 * into postings per word. Throws BuildFailure when a passage's counts differ from FTS5's.
 */
class Collector {
  readonly lists: Growing[];
  private readonly halves: number[];
  private readonly frequency: Uint32Array;
  // A word in a column weighted 0 still matches the passage, so presence is kept apart from the count.
  private readonly seen: Uint8Array;
  private readonly touched: number[] = [];

  constructor(
    readonly stems: ReadonlyMap<string, number>,
    weights: readonly number[],
  ) {
    this.lists = Array.from({ length: stems.size }, () => new Growing());
    this.halves = weights.map((w) => w * 2);
    this.frequency = new Uint32Array(stems.size);
    this.seen = new Uint8Array(stems.size);
  }

  add(rows: readonly unknown[][]): void {
    const { stems, halves, frequency, seen, touched, lists } = this;
    for (const row of rows) {
      const [id, text, heading, file, size] = row as [number, string, string, string, Buffer | null];
      const sizes = size ? readVarints(size, size.length) : null;
      if (!sizes || sizes.length !== 3) throw new BuildFailure(`passage ${id} has no FTS5 size record`);
      if (id > 0xffffffff) throw new BuildFailure(`chunk id ${id} is too large`);
      const columns = indexedColumnWords(text, heading, file, sizes);
      if (typeof columns === 'string') throw new BuildFailure(`passage ${id} ${columns}`);
      let length = 0;
      for (let c = 0; c < 3; c++) {
        const words = columns[c]!;
        length += words.length;
        for (const word of words) {
          const index = stems.get(stemOf(word));
          if (index === undefined) continue;
          if (seen[index] === 0) {
            seen[index] = 1;
            touched.push(index);
          }
          frequency[index]! += halves[c]!;
        }
      }
      if (length > MAX_PACKED) throw new BuildFailure(`passage ${id} has ${length} tokens`);
      for (const index of touched) {
        const halvesCount = frequency[index]!;
        if (halvesCount > MAX_PACKED) throw new BuildFailure(`passage ${id} has a word ${halvesCount / 2} times`);
        lists[index]!.push(id, halvesCount * 0x10000 + length);
        frequency[index] = 0;
        seen[index] = 0;
      }
      touched.length = 0;
    }
  }

  /** Writes the lists as one generation; returns the postings written. */
  write(db: Db, generation: number): number {
    const insert = statement(db, 'INSERT INTO common_word_postings (stem, generation, postings) VALUES (?, ?, ?)');
    let postings = 0;
    for (const [stem, index] of this.stems) {
      const list = this.lists[index]!;
      if (list.length === 0) continue;
      insert.run(stem, generation, list.blob());
      postings += list.length / 2;
    }
    return postings;
  }
}

const PASSAGES = `SELECT c.id, c.text, c.heading_path, d.relative_path, z.sz FROM chunks c JOIN documents d ON d.id = c.document_id LEFT JOIN chunks_fts_docsize z ON z.id = c.id`;
/** Passages read between two turns of the event loop (about 0.1-0.3 s of work). */
const BATCH = 2_000;

const running = new WeakMap<Db, Promise<unknown>>();

/**
 * Brings the postings up to date: a full build when there are none (or they are out of shape), else
 * the passages added since the last refresh go into a new generation. Passages are read in batches,
 * giving the event loop a turn between them, and written in one short transaction at the end, so
 * that searches meanwhile run (on the postings as they were, or without) and writers are not held up;
 * what changes meanwhile is listed by the triggers, which is why the new generation is noted in
 * `meta` before the first read (see `fullBuild`). One refresh at a time per connection.
 */
export function refreshCommonWords(db: Db, options: CommonWordsOptions = {}): Promise<RefreshResult> {
  const previous = running.get(db) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => refresh(db, options));
  running.set(db, next);
  return next;
}

async function refresh(db: Db, options: CommonWordsOptions): Promise<RefreshResult> {
  const started = performance.now();
  const weights = options.weights ?? DEFAULT_WEIGHTS;
  if (!weights.every((w) => w >= 0 && Number.isInteger(w * 2))) throw new Error('Common-word postings count in halves: weights must be multiples of 0.5');
  const result = (kind: RefreshResult['kind'], words: number, postings: number, failure?: string): RefreshResult => ({
    kind, seconds: (performance.now() - started) / 1000, words, postings, ...(failure ? { failure } : {}),
  });
  const chunks = statement(db, 'SELECT COUNT(*) FROM chunks').pluck().get() as number;
  const record = commonWordsRecord(db);
  if (chunks < (options.buildAbove ?? BUILD_ABOVE)) {
    if (record) dropCommonWords(db);
    return result('none', 0, 0);
  }
  try {
    if (record && record.builtAt !== '' && sameWeights(record.weights, weights) && record.generation - record.base < MAX_GENERATIONS - 1) {
      const removed = statement(db, 'SELECT COUNT(*) FROM common_word_removed').pluck().get() as number;
      const drift = Math.abs(chunks - record.chunks) / record.chunks;
      if (removed <= chunks / 10 && drift <= 0.25) {
        const { words, postings } = await addGeneration(db, record);
        return result('added', words, postings);
      }
    }
    const { words, postings } = await fullBuild(db, chunks, weights, record);
    return result('full', words, postings);
  } catch (error) {
    if (!(error instanceof BuildFailure)) throw error;
    dropCommonWords(db);
    return result('none', 0, 0, error.message);
  }
}

const turn = (): Promise<void> => new Promise((done) => setImmediate(done));

function setRecord(db: Db, record: CommonWordsRecord): void {
  statement(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(META_KEY, JSON.stringify(record));
}

/**
 * Every passage up to the largest chunk id at the start, as generation G (one above the last).
 * G is noted first, so that from then on the triggers list every passage added (searched from its
 * text until the next refresh) and note every removal as of G (which voids its postings in G and
 * before: a passage read, then removed, or removed and its id used again, never counts from here).
 * At the end the earlier generations go, with the removals that only voided them, and so do the
 * "added" marks of the passages this build read (those up to the largest id, bar any removed since).
 */
async function fullBuild(db: Db, chunks: number, weights: [number, number, number], previous: CommonWordsRecord | null): Promise<{ words: number; postings: number }> {
  const minDf = commonWordMinDf(chunks);
  const generation = (previous?.generation ?? 0) + 1;
  const building: CommonWordsRecord = { generation, base: generation, builtAt: new Date().toISOString(), weights, minDf, chunks };
  // Searches meanwhile go on with the previous postings (their generations are below G) or without
  // (a first build: no postings yet, and `builtAt` empty until it is done).
  setRecord(db, previous ? { ...previous, generation } : { ...building, builtAt: '' });
  const lastId = (statement(db, 'SELECT max(id) FROM chunks').pluck().get() as number | null) ?? 0;
  // FTS5's vocabulary counts the passages of each word (a few deleted ones too, which only adds a word or two).
  const common = statement(db, 'SELECT term FROM chunks_terms WHERE doc >= ?').pluck().all(minDf) as string[];
  const collector = new Collector(new Map(common.map((stem, index) => [stem, index])), weights);
  const read = statement(db, `${PASSAGES} WHERE c.id > ? AND c.id <= ? ORDER BY c.id LIMIT ?`).raw();
  for (let after = 0; ; ) {
    const rows = read.all(after, lastId, BATCH) as unknown[][];
    if (rows.length === 0) break;
    collector.add(rows);
    after = rows.at(-1)![0] as number;
    await turn();
  }
  const postings = db.transaction(() => {
    statement(db, 'DELETE FROM common_word_postings WHERE generation < ?').run(generation);
    statement(db, 'DELETE FROM common_word_removed WHERE generation < ?').run(generation);
    statement(db, 'DELETE FROM common_word_added WHERE chunk_id <= ? AND chunk_id NOT IN (SELECT chunk_id FROM common_word_removed)').run(lastId);
    const written = collector.write(db, generation);
    setRecord(db, building);
    return written;
  }).immediate();
  return { words: collector.stems.size, postings };
}

/** The passages listed as added, as generation G; noted first for the same reasons as in `fullBuild`. */
async function addGeneration(db: Db, record: CommonWordsRecord): Promise<{ words: number; postings: number }> {
  if (statement(db, 'SELECT COUNT(*) FROM common_word_added').pluck().get() === 0) return { words: 0, postings: 0 };
  const generation = record.generation + 1;
  setRecord(db, { ...record, generation });
  const added = statement(db, 'SELECT chunk_id FROM common_word_added ORDER BY chunk_id').pluck().all() as number[];
  const common = statement(db, 'SELECT DISTINCT stem FROM common_word_postings').pluck().all() as string[];
  const collector = new Collector(new Map(common.map((stem, index) => [stem, index])), record.weights);
  const read = statement(db, `${PASSAGES} WHERE c.id IN (SELECT value FROM json_each(?)) ORDER BY c.id`).raw();
  for (let at = 0; at < added.length; at += BATCH) {
    collector.add(read.all(JSON.stringify(added.slice(at, at + BATCH))) as unknown[][]);
    await turn();
  }
  const postings = db.transaction(() => {
    statement(db, 'DELETE FROM common_word_added WHERE chunk_id IN (SELECT value FROM json_each(?)) AND chunk_id NOT IN (SELECT chunk_id FROM common_word_removed WHERE generation >= ?)')
      .run(JSON.stringify(added), generation);
    return collector.write(db, generation);
  }).immediate();
  return { words: collector.stems.size, postings };
}

function sameWeights(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

/** One generation of a word's postings: pairs of [chunk id, frequency in halves · 65536 + length]. */
export interface PostingSegment {
  generation: number;
  pairs: Uint32Array;
  maxId: number;
}

/** What a search reads, valid for one change stamp. */
export interface CommonWords {
  record: CommonWordsRecord;
  stems: ReadonlySet<string>;
  /** Passages added since the last refresh (they have no postings yet); only the first `ADDED_READ` are read. */
  added: number[];
  /** By chunk id: 1 + the generation noted at its removal, 0 if not removed (postings of generations up to that one are void). */
  removedThrough: Int32Array;
  segments(stem: string): PostingSegment[];
}

interface Cached {
  stamp: string;
  view: CommonWords | null;
}

const views = new WeakMap<Db, Cached>();
/** Decoded postings by database, for one build and generation; the least recently used dropped past this many bytes. */
const postingCaches = new WeakMap<Db, { key: string; bytes: number; segments: Map<string, PostingSegment[]> }>();
const POSTING_CACHE_BYTES = 256 * 1024 ** 2;

/** The postings as they stand, or null when the library has none (searches then go without). */
export function commonWords(db: Db): CommonWords | null {
  const stamp = changeStamp(db);
  const cached = views.get(db);
  if (cached?.stamp === stamp) return cached.view;
  const record = commonWordsRecord(db);
  let view: CommonWords | null = null;
  if (record) {
    const key = `${record.builtAt}:${record.generation}`;
    let cache = postingCaches.get(db);
    if (cache?.key !== key) postingCaches.set(db, (cache = { key, bytes: 0, segments: new Map() }));
    const postings = cache;
    const stems = new Set(statement(db, 'SELECT DISTINCT stem FROM common_word_postings').pluck().all() as string[]);
    // A search scores a few hundred added passages from their text at most (more, and it goes without the postings).
    const added = statement(db, 'SELECT chunk_id FROM common_word_added LIMIT ?').pluck().all(ADDED_READ) as number[];
    const removed = statement(db, 'SELECT chunk_id, generation FROM common_word_removed').raw().all() as [number, number][];
    const removedThrough = new Int32Array(removed.reduce((max, [id]) => Math.max(max, id + 1), 0));
    for (const [id, generation] of removed) removedThrough[id] = generation + 1;
    const read = statement(db, 'SELECT generation, postings FROM common_word_postings WHERE stem = ? ORDER BY generation').raw();
    view = {
      record, stems, added, removedThrough,
      segments(stem: string): PostingSegment[] {
        let segments = postings.segments.get(stem);
        if (segments) {
          // Most recently used last: query words are Zipfian, so the longest lists stay.
          postings.segments.delete(stem);
        } else {
          segments = (read.all(stem) as [number, Buffer][]).map(([generation, blob]) => ({ generation, pairs: aligned(blob), maxId: largestId(aligned(blob)) }));
          postings.bytes += bytes(segments);
          for (const [oldest, dropped] of postings.segments) {
            if (postings.bytes <= POSTING_CACHE_BYTES) break;
            postings.segments.delete(oldest);
            postings.bytes -= bytes(dropped);
          }
        }
        postings.segments.set(stem, segments);
        return segments;
      },
    };
  }
  views.set(db, { stamp, view });
  return view;
}

function largestId(pairs: Uint32Array): number {
  let largest = 0;
  for (let i = 0; i < pairs.length; i += 2) largest = Math.max(largest, pairs[i]!);
  return largest;
}

const bytes = (segments: readonly PostingSegment[]): number => segments.reduce((sum, s) => sum + s.pairs.byteLength, 0);

function aligned(blob: Buffer): Uint32Array {
  if (blob.byteOffset % 4 === 0) return new Uint32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
  const copy = new Uint32Array(blob.byteLength / 4);
  new Uint8Array(copy.buffer).set(blob);
  return copy;
}
