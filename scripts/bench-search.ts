// `npm run bench` (second part): search over synthetic libraries of 10k, 100k and 1M chunks.
// Each library is built through the real stores and triggers (chunks + FTS5 + vec0), then searched
// through the real Searcher. Reports insert throughput, median/p95 top-10 latency of lexical, exact
// vector, fast vector and hybrid search, recall@10 of the fast path against exact search, and a
// plain JavaScript brute-force scan over the same vectors as the baseline.
// BENCH_SEARCH_SIZES=10000,100000 limits the sizes; BENCH_SEARCH_QUERIES sets the query count; a
// mode slower than BENCH_SEARCH_MODE_SECONDS (default 60) stops after at least 30 queries.
// BENCH_SEARCH_KEEP=1 keeps each size's library file in bench-out/ and reuses it on the next run
// (the data is seeded, so it is the same library; insert throughput is then not measured);
// BENCH_SEARCH_POSTINGS=keep then also keeps its common-word postings instead of building them again.
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stemmer } from 'stemmer';
import type { Embedder } from '../electron/engine/embed/embedder.js';
import { commonWordsRecord, dropCommonWords, refreshCommonWords, type RefreshResult } from '../electron/engine/search/common-words.js';
import { LexicalSearch, type LexicalHit } from '../electron/engine/search/lexical.js';
import { PruningLexicalSearch } from '../electron/engine/search/lexical-pruned.js';
import type { QueryTerm } from '../electron/engine/search/query.js';
import { Searcher, type SearchMode, type SearchTuning } from '../electron/engine/search/searcher.js';
import { DEFAULT_VECTOR, VectorSearch } from '../electron/engine/search/vector.js';
import { ChunkStore, type NewChunk } from '../electron/engine/store/chunks.js';
import { openDatabase, type Db } from '../electron/engine/store/db.js';
import { DocumentStore } from '../electron/engine/store/documents.js';
import { FolderStore } from '../electron/engine/store/folders.js';
import { BitIndex } from '../electron/engine/store/bit-index.js';
import { loadCodes, VectorStore } from '../electron/engine/store/vectors.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench-out');
const KEEP = process.env.BENCH_SEARCH_KEEP === '1';
const dbFileFor = (size: number): string => join(out, KEEP ? `search-bench-${size}.sqlite` : 'search-bench.sqlite');

const SIZES = (process.env.BENCH_SEARCH_SIZES ?? '10000,100000,1000000').split(',').map((s) => Number(s.trim()));
const QUERIES = Number(process.env.BENCH_SEARCH_QUERIES ?? 200);
const WARMUP = 10;
const MODE_SECONDS = Number(process.env.BENCH_SEARCH_MODE_SECONDS ?? 60);
const MIN_QUERIES = 30;
const K = 10;
const DIM = 384;
const CENTROIDS = 1000;
/** Per-dimension noise: ‖noise‖ ≈ 1, so a vector sits at cosine ≈ 0.71 from its centroid and ≈ 0.5 from its cluster-mates. */
const NOISE = 1 / Math.sqrt(DIM);
const QUERY_NEAR_NOISE = NOISE / 2;
const VOCABULARY = 50_000;
const ZIPF_S = 1.07;
const BATCH = 5000;
const CHUNKS_PER_DOCUMENT = 100;
// Issue 16: lexical and hybrid p95 <= 15 ms at 100k chunks and <= 50 ms at 1M.
const TARGETS = { lexicalP95: new Map([[100_000, 15], [1_000_000, 50]]), hybridP95: new Map([[100_000, 15], [1_000_000, 50]]), recall: 0.95 };

for (const size of SIZES) {
  if (!Number.isInteger(size) || size <= 0 || size % CHUNKS_PER_DOCUMENT !== 0) throw new Error(`BENCH_SEARCH_SIZES: ${size} is not a positive multiple of ${CHUNKS_PER_DOCUMENT}`);
}

class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller). */
  gaussian(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.next()));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

class Zipf {
  private readonly cdf: Float64Array;

  constructor(n: number, s: number) {
    this.cdf = new Float64Array(n);
    let sum = 0;
    for (let rank = 1; rank <= n; rank++) this.cdf[rank - 1] = sum += rank ** -s;
  }

  /** A 0-based rank. */
  sample(rng: Rng): number {
    const u = rng.next() * this.cdf[this.cdf.length - 1]!;
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Pronounceable lower-case words, shorter ones at the common ranks, no two sharing a Porter stem. */
function makeVocabulary(rng: Rng, size: number): string[] {
  const onsets = ['', 'b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'cl', 'dr', 'st', 'tr', 'sh', 'ch', 'pl', 'gr', 'fl'];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ea', 'io'];
  const codas = ['', '', 'n', 'r', 'l', 's', 't', 'm', 'k', 'nd', 'st', 'x'];
  const pick = (list: readonly string[]): string => list[rng.int(list.length)]!;
  const words: string[] = [];
  const stems = new Set<string>();
  while (words.length < size) {
    const syllables = words.length < 300 ? 1 + rng.int(2) : words.length < 5000 ? 2 + rng.int(2) : 2 + rng.int(3);
    let word = '';
    for (let i = 0; i < syllables; i++) word += pick(onsets) + pick(vowels) + pick(codas);
    const stem = stemmer(word);
    if (word.length < 2 || stems.has(stem)) continue;
    stems.add(stem);
    words.push(word);
  }
  return words;
}

function normalize(v: Float32Array): void {
  let norm = 0;
  for (let j = 0; j < v.length; j++) norm += v[j]! * v[j]!;
  const scale = 1 / Math.sqrt(norm);
  for (let j = 0; j < v.length; j++) v[j] = v[j]! * scale;
}

/** out = normalize(base + sigma · N(0, I)). */
function perturb(rng: Rng, base: Float32Array, sigma: number, outVector: Float32Array): void {
  for (let j = 0; j < DIM; j++) outVector[j] = base[j]! + sigma * rng.gaussian();
  normalize(outVector);
}

/** The query embedding is looked up, not computed: the embedding model is not what this bench measures. */
class LookupEmbedder implements Embedder {
  readonly model = 'bench-lookup';
  readonly dimension = DIM;
  readonly pooling = 'mean';

  constructor(private readonly vectors: ReadonlyMap<string, Float32Array>) {}

  embedPassages(): Promise<Float32Array[]> {
    return Promise.reject(new Error('The bench inserts passage vectors directly'));
  }

  embedQuery(text: string): Promise<Float32Array> {
    const vector = this.vectors.get(text);
    return vector ? Promise.resolve(vector) : Promise.reject(new Error(`No vector for query "${text}"`));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** FTS5 ranking every passage with any query word (no pruning, no MaxScore): the reference. */
class PlainLexicalSearch extends LexicalSearch {
  override search(query: string, limit: number): { hits: LexicalHit[]; terms: QueryTerm[] } {
    const terms = this.plan(query);
    return { hits: terms.length > 0 && limit > 0 ? this.plain(terms, limit) : [], terms };
  }
}

type LexicalVariant = 'exact' | 'pruning' | 'plain';
const LEXICAL_VARIANTS: readonly LexicalVariant[] = ['exact', 'pruning', 'plain'];

/** A Searcher whose lexical list comes from `variant` (the Searcher builds its own; the bench swaps it). */
function withLexical(searcher: Searcher, db: Db, variant: LexicalVariant): Searcher {
  const lexical = variant === 'exact' ? new LexicalSearch(db) : variant === 'pruning' ? new PruningLexicalSearch(db) : new PlainLexicalSearch(db);
  (searcher as unknown as { lexical: unknown }).lexical = lexical;
  return searcher;
}

/**
 * The fast path's first pass read its codes from sqlite-vec's private shadow tables until they got
 * their own table (migration 007). Both loads are timed here, and the two indexes must pick the
 * same 1,000 candidates; the old read is reimplemented here only (it needs vec0's bit column,
 * which libraries created since no longer have).
 */
function compareBitLoads(db: Db, queries: readonly Float32Array[]): SizeResult['bitsLoad'] {
  let started = performance.now();
  const own = loadCodes(db, DIM);
  const ownMs = performance.now() - started;
  const hasShadow = /embedding_bits/.test((db.prepare("SELECT sql FROM sqlite_master WHERE name = 'chunk_vectors'").pluck().get() as string | undefined) ?? '');
  if (!hasShadow) return { ownMs, shadowMs: null, sameCandidates: null };
  started = performance.now();
  const chunks = db
    .prepare('SELECT c.size, c.validity, c.rowids, v.vectors FROM chunk_vectors_chunks c JOIN chunk_vectors_vector_chunks01 v ON v.rowid = c.chunk_id ORDER BY c.chunk_id')
    .raw()
    .all() as [number, Buffer, Buffer, Buffer][];
  const ids: number[] = [];
  const codes: Uint8Array[] = [];
  const bytes = DIM / 8;
  for (const [size, validity, rowids, blob] of chunks) {
    for (let i = 0; i < size; i++) {
      if ((validity[i >> 3]! & (1 << (i & 7))) === 0) continue;
      ids.push(Number(rowids.readBigInt64LE(i * 8)));
      codes.push(blob.subarray(i * bytes, (i + 1) * bytes));
    }
  }
  const shadow = BitIndex.fromCodes(DIM, ids, codes);
  const shadowMs = performance.now() - started;
  const same = queries.every((q) => {
    const a = own.nearest(q, 1000).sort((x, y) => x - y);
    const b = shadow.nearest(q, 1000).sort((x, y) => x - y);
    return a.length === b.length && a.every((id, i) => id === b[i]);
  });
  return { ownMs, shadowMs, sameCandidates: same };
}

/** Top-k by dot product over one contiguous N×DIM array: the baseline every latency is compared with. */
function bruteForce(base: Float32Array, n: number, query: Float32Array, k: number): number[] {
  const scores = new Float64Array(k).fill(-Infinity);
  const indexes = new Int32Array(k).fill(-1);
  for (let i = 0, offset = 0; i < n; i++, offset += DIM) {
    let dot = 0;
    for (let j = 0; j < DIM; j++) dot += base[offset + j]! * query[j]!;
    if (dot <= scores[k - 1]!) continue;
    let at = k - 1;
    while (at > 0 && scores[at - 1]! < dot) {
      scores[at] = scores[at - 1]!;
      indexes[at] = indexes[at - 1]!;
      at--;
    }
    scores[at] = dot;
    indexes[at] = i;
  }
  return [...indexes];
}

interface Latency {
  median: number;
  p95: number;
  /** The same in this process's CPU time, which other load on a shared machine inflates far less. */
  cpuMedian: number;
  cpuP95: number;
  queries: number;
}

interface Timings {
  wall: number[];
  cpu: number[];
}

function summarize({ wall, cpu }: Timings): Latency {
  const rank = (values: number[], q: number): number => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  };
  return { median: rank(wall, 0.5), p95: rank(wall, 0.95), cpuMedian: rank(cpu, 0.5), cpuP95: rank(cpu, 0.95), queries: wall.length };
}

/** Runs `fn` over the queries in order until they are done or the time budget is spent. */
async function measure<T>(queries: readonly T[], fn: (query: T, index: number) => Promise<void> | void): Promise<Timings> {
  const timings: Timings = { wall: [], cpu: [] };
  const started = performance.now();
  for (const [index, query] of queries.entries()) {
    if (timings.wall.length >= MIN_QUERIES && performance.now() - started > MODE_SECONDS * 1000) break;
    const cpu = process.cpuUsage();
    const at = performance.now();
    await fn(query, index);
    timings.wall.push(performance.now() - at);
    const used = process.cpuUsage(cpu);
    timings.cpu.push((used.user + used.system) / 1000);
  }
  return timings;
}

interface SizeResult {
  size: number;
  /** The library file was kept from an earlier run (BENCH_SEARCH_KEEP=1): insert throughput not measured. */
  reused: boolean;
  insertSeconds: number;
  chunkSeconds: number;
  vectorSeconds: number;
  fileBytes: number;
  /** The common-word postings' full build, and their size in the file. */
  postings: RefreshResult & { bytes: number };
  latency: Record<RunName | 'baseline', Latency>;
  /** Queries whose exact lexical top 10 equals plain FTS5's (ids in order, ties within 1e-9 allowed), of those compared. */
  lexicalAgreement: [number, number];
  /** Loading the 1-bit codes: from Quire's table (now), and from sqlite-vec's shadow tables as before (null when vec0 has no bit column). */
  bitsLoad: { ownMs: number; shadowMs: number | null; sameCandidates: boolean | null };
  /** How the exact lexical searches were evaluated (`LexicalEvaluation.method`), by count. */
  lexicalMethods: string;
  /** Share of pruning-planner top-10 ids that are in plain FTS5's top 10. */
  pruningOverlap: number;
  recall: number;
  recallQueries: number;
  /** Share of vec0 exact top-10 ids that the JS scan also returns (a sanity check of the ground truth). */
  exactAgreement: number;
  autoStrategy: 'exact' | 'fast';
  hybridStrategy: string;
  /** 1-minute load averages at the start and end of the queries: above the core count, wall times include waiting for a core. */
  load: [number, number];
}

type RunName = 'lexical' | 'lexical-pruning' | 'lexical-plain' | 'exact' | 'fast' | 'hybrid' | 'hybrid-pruning' | 'hybrid-plain';

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
// Sampled between steps: the work is synchronous, so a timer would never fire during it.
let peakRss = 0;
const sampleRss = (): void => void (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const progress = (message: string): void => void process.stderr.write(`[bench-search] ${message}\n`);

async function runSize(size: number, words: readonly string[], zipf: Zipf): Promise<SizeResult> {
  const dbFile = dbFileFor(size);
  const reuse = KEEP && existsSync(dbFile);
  if (!reuse) for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
  const db: Db = openDatabase(dbFile);
  const folders = new FolderStore(db);
  const documents = new DocumentStore(db);
  const chunks = new ChunkStore(db);
  const vectors = new VectorStore(db);
  if (!reuse) vectors.reset(DIM);
  else if (chunks.count() !== size || vectors.count() !== size) throw new Error(`${dbFile} does not hold the ${size}-chunk library: delete it`);
  const folderId = folders.upsert('/bench/library').id;

  const dataRng = new Rng(0x5eed + size);
  const centroids = new Float32Array(CENTROIDS * DIM);
  for (let c = 0; c < CENTROIDS; c++) {
    const centroid = centroids.subarray(c * DIM, (c + 1) * DIM);
    for (let j = 0; j < DIM; j++) centroid[j] = dataRng.gaussian();
    normalize(centroid);
  }
  // The stored vectors, kept once as the brute-force baseline's input (1.5 GB at 1M chunks).
  const base = new Float32Array(size * DIM);
  const cluster = new Uint16Array(size);

  let chunkSeconds = 0;
  let vectorSeconds = 0;
  for (let done = 0; done < size; done += BATCH) {
    const count = Math.min(BATCH, size - done);
    const batchDocuments: { relativePath: string; chunks: NewChunk[] }[] = [];
    for (let d = 0; d < count / CHUNKS_PER_DOCUMENT; d++) {
      const documentNumber = (done + d * CHUNKS_PER_DOCUMENT) / CHUNKS_PER_DOCUMENT;
      const title = Array.from({ length: 2 + dataRng.int(3) }, () => words[zipf.sample(dataRng)]!).join(' ');
      const docChunks: NewChunk[] = [];
      let offset = 0;
      for (let c = 0; c < CHUNKS_PER_DOCUMENT; c++) {
        const length = 60 + dataRng.int(41);
        const parts: string[] = [];
        for (let w = 0; w < length; w++) parts.push(words[zipf.sample(dataRng)]! + (w % 12 === 11 || w === length - 1 ? '.' : ''));
        const text = parts.join(' ');
        docChunks.push({ text, charStart: offset, charEnd: offset + text.length, page: null, lineStart: null, lineEnd: null, headingPath: [title], tokenCount: Math.round(length * 1.3) });
        offset += text.length + 2;
      }
      batchDocuments.push({ relativePath: `topic-${documentNumber % 97}/note-${documentNumber}.md`, chunks: docChunks });
    }
    const batchVectors: Float32Array[] = [];
    for (let i = done; i < done + count; i++) {
      const c = dataRng.int(CENTROIDS);
      cluster[i] = c;
      const vector = base.subarray(i * DIM, (i + 1) * DIM);
      perturb(dataRng, centroids.subarray(c * DIM, (c + 1) * DIM), NOISE, vector);
      batchVectors.push(vector);
    }

    if (reuse) continue;
    let started = performance.now();
    const ids: number[] = [];
    db.transaction(() => {
      for (const document of batchDocuments) {
        const documentId = documents.insertPending(folderId, `/bench/library/${document.relativePath}`, document.relativePath, null);
        ids.push(...chunks.replace(documentId, document.chunks));
        documents.record(documentId, { status: 'indexed', reason: null, message: null, kind: 'markdown', size: null, mtimeMs: null, contentHash: null }, document.chunks.length);
      }
    }).immediate();
    chunkSeconds += (performance.now() - started) / 1000;
    // Ids are the array positions + 1 in a fresh file, which the recall sanity check relies on.
    if (ids[0] !== done + 1 || ids.at(-1) !== done + count) throw new Error('Unexpected chunk ids');
    started = performance.now();
    db.transaction(() => vectors.insert(ids, batchVectors)).immediate();
    vectorSeconds += (performance.now() - started) / 1000;
    sampleRss();
    if ((done + count) % 100_000 === 0) progress(`${size}: inserted ${done + count} chunks`);
  }
  // The common-word postings are built from scratch (as after indexing) and timed, unless a kept
  // library has them already and BENCH_SEARCH_POSTINGS=keep.
  const keepPostings = reuse && process.env.BENCH_SEARCH_POSTINGS === 'keep' && commonWordsRecord(db) !== null;
  if (!keepPostings) dropCommonWords(db);
  const postings = await refreshCommonWords(db);
  if (postings.kind !== (keepPostings ? 'added' : 'full')) throw new Error(`Common-word postings not built: ${postings.failure ?? postings.kind}`);
  const postingBytes = db.prepare('SELECT coalesce(sum(length(postings)), 0) FROM common_word_postings').pluck().get() as number;
  progress(`${size}: common-word postings ${postings.kind === 'full' ? `built in ${postings.seconds.toFixed(1)} s` : 'kept'}`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const fileBytes = statSync(dbFile).size;

  // Queries: half "topic" queries (a new member of a random stored vector's cluster), half
  // near-duplicates of a random stored vector; text is 2–8 Zipfian words.
  const queryRng = new Rng(0xc0ffee + size);
  const queries: { text: string; vector: Float32Array }[] = [];
  const byText = new Map<string, Float32Array>();
  while (queries.length < QUERIES + WARMUP) {
    const text = Array.from({ length: 2 + queryRng.int(7) }, () => words[zipf.sample(queryRng)]!).join(' ');
    if (byText.has(text)) continue;
    const stored = queryRng.int(size);
    const vector = new Float32Array(DIM);
    if (queries.length % 2 === 0) perturb(queryRng, centroids.subarray(cluster[stored]! * DIM, (cluster[stored]! + 1) * DIM), NOISE, vector);
    else perturb(queryRng, base.subarray(stored * DIM, (stored + 1) * DIM), QUERY_NEAR_NOISE, vector);
    byText.set(text, vector);
    queries.push({ text, vector });
  }
  const warmup = queries.slice(0, WARMUP);
  const measured = queries.slice(WARMUP);

  const embedder = new LookupEmbedder(byText);
  const deps = { db, chunks, documents, vectors, embedder };
  const searcher = (tuning: SearchTuning = {}): Searcher => new Searcher(deps, tuning);
  const lexicalName = (variant: LexicalVariant, mode: 'lexical' | 'hybrid'): RunName => (variant === 'exact' ? mode : `${mode}-${variant}`);
  const runs: { name: RunName; mode: SearchMode; searcher: Searcher }[] = [
    ...LEXICAL_VARIANTS.map((variant) => ({ name: lexicalName(variant, 'lexical'), mode: 'lexical' as const, searcher: withLexical(searcher(), db, variant) })),
    { name: 'exact', mode: 'vector', searcher: searcher({ vector: { strategy: 'exact' } }) },
    { name: 'fast', mode: 'vector', searcher: searcher({ vector: { strategy: 'fast' } }) },
    ...LEXICAL_VARIANTS.map((variant) => ({ name: lexicalName(variant, 'hybrid'), mode: 'hybrid' as const, searcher: withLexical(searcher(), db, variant) })),
  ];
  const loadBefore = loadavg()[0]!;
  const latency: Partial<SizeResult['latency']> = {};
  const top: Partial<Record<RunName, { chunkId: number; score: number }[][]>> = {};
  const strategies = new Set<string>();
  const methods = new Map<string, number>();
  for (const run of runs) {
    for (const query of warmup) await run.searcher.search(query.text, { k: K, mode: run.mode });
    gc();
    const ids: { chunkId: number; score: number }[][] = [];
    const timings = await measure(measured, async (query) => {
      const response = await run.searcher.search(query.text, { k: K, mode: run.mode });
      ids.push(response.results.map((r) => ({ chunkId: r.chunkId, score: r.score })));
      if (run.name === 'hybrid' && response.vectorStrategy) strategies.add(response.vectorStrategy);
      if (run.name === 'lexical') {
        const method = (run.searcher as unknown as { lexical: LexicalSearch }).lexical.lastEvaluation?.method ?? 'none';
        methods.set(method, (methods.get(method) ?? 0) + 1);
      }
    });
    sampleRss();
    latency[run.name] = summarize(timings);
    top[run.name] = ids;
    progress(`${size}: ${run.name} median ${latency[run.name]!.median.toFixed(2)} ms`);
  }

  for (const query of warmup.slice(0, 2)) bruteForce(base, size, query.vector, K);
  let agreement = 0;
  const exactTop = top.exact!.map((list) => list.map((r) => r.chunkId));
  const baselineTimings = await measure(measured.slice(0, exactTop.length), (query, q) => {
    const found = bruteForce(base, size, query.vector, K);
    const exact = new Set(exactTop[q]);
    agreement += found.filter((index) => exact.has(index + 1)).length / K;
  });
  latency.baseline = summarize(baselineTimings);

  const compared = Math.min(exactTop.length, top.fast!.length);
  let recall = 0;
  for (let q = 0; q < compared; q++) {
    const fast = new Set(top.fast![q]!.map((r) => r.chunkId));
    recall += exactTop[q]!.filter((id) => fast.has(id)).length / exactTop[q]!.length;
  }

  // Exact lexical against plain FTS5, and the pruning planner's overlap with it, on the queries both ran.
  const plainTop = top['lexical-plain']!;
  let agreeing = 0;
  let overlap = 0;
  for (let q = 0; q < plainTop.length; q++) {
    const expected = plainTop[q]!;
    const actual = top.lexical![q]!;
    const same = actual.length === expected.length && expected.every((e, i) => actual[i]!.chunkId === e.chunkId || Math.abs(actual[i]!.score - e.score) <= 1e-9);
    if (same && expected.every((e, i) => Math.abs(actual[i]!.score - e.score) <= 1e-9)) agreeing++;
    const ids = new Set(expected.map((e) => e.chunkId));
    overlap += expected.length === 0 ? 1 : top['lexical-pruning']![q]!.filter((r) => ids.has(r.chunkId)).length / expected.length;
  }

  const bitsLoad = compareBitLoads(db, measured.slice(0, 20).map((q) => q.vector));

  const autoStrategy = new VectorSearch(vectors).strategyFor();
  db.close();
  if (!KEEP) for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
  return {
    size,
    reused: reuse,
    insertSeconds: chunkSeconds + vectorSeconds,
    chunkSeconds,
    vectorSeconds,
    fileBytes,
    postings: { ...postings, bytes: postingBytes },
    lexicalMethods: [...methods].map(([method, n]) => `${method} ${n}`).join(', '),
    latency: latency as SizeResult['latency'],
    lexicalAgreement: [agreeing, plainTop.length],
    bitsLoad,
    pruningOverlap: overlap / plainTop.length,
    recall: recall / compared,
    recallQueries: compared,
    exactAgreement: agreement / baselineTimings.wall.length,
    autoStrategy,
    hybridStrategy: [...strategies].join('+'),
    load: [loadBefore, loadavg()[0]!],
  };
}

function report(results: readonly SizeResult[]): string[] {
  const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(1)).padStart(8);
  const ratio = (value: number, baseline: number): string => `${(value / baseline).toFixed(3)}x`.padStart(9);
  const count = (n: number): string => n.toLocaleString('en-US');
  const lines = [
    `search bench: ${availableParallelism()} cores; node ${process.version}; ${QUERIES} queries per mode after ${WARMUP} warm-up queries (fewer, at least ${MIN_QUERIES}, once a mode has run ${MODE_SECONDS} s); top-${K}`,
    `vectors: ${DIM}-dim unit vectors, ${CENTROIDS} random unit centroids with uniform cluster assignment, each vector = normalize(centroid + N(0, (1/√${DIM})²·I)) (cosine ≈ 0.71 to its centroid, ≈ 0.5 to cluster-mates)`,
    `query vectors: half normalize(centroid of a random stored vector + the same noise), half normalize(random stored vector + N(0, (0.5/√${DIM})²·I))`,
    `text: ${count(VOCABULARY)} synthetic words, Zipf s=${ZIPF_S}; chunks of 60–100 words, ${CHUNKS_PER_DOCUMENT} chunks per document; queries of 2–8 words from the same distribution (unrelated to the query vector)`,
    `query embeddings are precomputed and looked up by the bench's Embedder: the embedding model is not measured here`,
    `latencies through the real Searcher (k=${K}, incl. planning, chunk rows and snippets); baseline = plain JS top-${K} dot-product loop over one Float32Array (N×${DIM}); ratios are against the baseline's median / p95; cpu = this process's CPU time per query`,
    '',
  ];
  for (const r of results) {
    lines.push(
      r.reused
        ? `${count(r.size)} chunks: insert not measured (library file kept from an earlier run); file ${(r.fileBytes / 1024 ** 2).toFixed(0)} MB`
        : `${count(r.size)} chunks: insert ${count(Math.round(r.size / r.insertSeconds))} chunks/s (${r.insertSeconds.toFixed(1)} s; chunks+FTS ${count(Math.round(r.size / r.chunkSeconds))}/s, vec0 ${count(Math.round(r.size / r.vectorSeconds))}/s; transactions of ${count(BATCH)}); file ${(r.fileBytes / 1024 ** 2).toFixed(0)} MB`,
      r.postings.kind === 'full'
        ? `  common-word postings: built in ${r.postings.seconds.toFixed(1)} s (${count(r.postings.words)} words, ${count(r.postings.postings)} postings, ${(r.postings.bytes / 1024 ** 2).toFixed(0)} MB of the file)`
        : `  common-word postings: kept from an earlier run (${(r.postings.bytes / 1024 ** 2).toFixed(0)} MB of the file)`,
      `  load average ${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)} on ${availableParallelism()} cores while searching`,
      `  ${'mode'.padEnd(22)} ${'median ms'.padStart(9)} ${'p95 ms'.padStart(8)} ${'median/base'.padStart(12)} ${'p95/base'.padStart(9)} ${'cpu median'.padStart(11)} ${'cpu p95'.padStart(8)} ${'queries'.padStart(8)}`,
    );
    const rows: [string, Latency][] = [
      ['lexical (exact)', r.latency.lexical],
      ['lexical pruning (old)', r.latency['lexical-pruning']],
      ['lexical plain FTS5', r.latency['lexical-plain']],
      ['vector exact', r.latency.exact],
      ['vector fast', r.latency.fast],
      [`hybrid (${r.hybridStrategy})`, r.latency.hybrid],
      ['hybrid, pruning lexical', r.latency['hybrid-pruning']],
      ['hybrid, plain FTS5', r.latency['hybrid-plain']],
      ['baseline JS scan', r.latency.baseline],
    ];
    for (const [name, l] of rows) {
      lines.push(
        `  ${name.padEnd(22)} ${ms(l.median).padStart(9)} ${ms(l.p95)} ${ratio(l.median, r.latency.baseline.median).padStart(12)} ${ratio(l.p95, r.latency.baseline.p95)} ${ms(l.cpuMedian).padStart(11)} ${ms(l.cpuP95)} ${String(l.queries).padStart(8)}`,
      );
    }
    lines.push(
      `  recall@10 fast vs exact: ${r.recall.toFixed(3)} (${r.recallQueries} queries); vec0 exact vs JS scan agreement: ${r.exactAgreement.toFixed(3)}`,
      `  1-bit codes loaded in ${r.bitsLoad.ownMs.toFixed(0)} ms from Quire's table` +
        (r.bitsLoad.shadowMs === null ? '' : `, ${r.bitsLoad.shadowMs.toFixed(0)} ms from sqlite-vec's shadow tables as before; same 1,000 candidates for 20 queries: ${r.bitsLoad.sameCandidates ? 'yes' : 'NO'}`),
      `  lexical top ${K} equal to plain FTS5 bm25() (scores within 1e-9): ${r.lexicalAgreement[0]}/${r.lexicalAgreement[1]} queries; pruning planner's overlap with it: ${r.pruningOverlap.toFixed(3)}`,
      `  exact lexical evaluated by: ${r.lexicalMethods}`,
      `  auto strategy: ${r.autoStrategy} (fast above ${count(DEFAULT_VECTOR.fastAbove)} vectors); fast is ${(r.latency.exact.median / r.latency.fast.median).toFixed(2)}x the speed of exact here`,
      '',
    );
  }

  // Where exact and fast latencies cross, from a straight-line fit of median latency against size.
  if (results.length >= 2) {
    const fit = (pick: (r: SizeResult) => number): { a: number; b: number } => {
      const first = results[0]!;
      const last = results.at(-1)!;
      const b = (pick(last) - pick(first)) / (last.size - first.size);
      return { a: pick(first) - b * first.size, b };
    };
    const exact = fit((r) => r.latency.exact.median);
    const fast = fit((r) => r.latency.fast.median);
    const crossover = (fast.a - exact.a) / (exact.b - fast.b);
    lines.push(
      exact.b > fast.b && crossover > 0
        ? `auto threshold: fast overtakes exact at ≈ ${count(Math.round(crossover))} vectors (linear fit of medians); configured fastAbove = ${count(DEFAULT_VECTOR.fastAbove)}`
        : `auto threshold: fast does not overtake exact over the measured sizes (linear fit of medians); configured fastAbove = ${count(DEFAULT_VECTOR.fastAbove)}`,
    );
  }

  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
  for (const [size, target] of TARGETS.lexicalP95) {
    const r = results.find((x) => x.size === size);
    lines.push(
      r
        ? `${verdict(r.latency.lexical.p95 <= target)}  lexical p95 at ${count(size)}: ${r.latency.lexical.p95.toFixed(1)} ms (target ≤ ${target} ms; CPU-time p95 ${r.latency.lexical.cpuP95.toFixed(1)} ms)`
        : `----  lexical p95 at ${count(size)}: not measured (target ≤ ${target} ms)`,
    );
  }
  for (const r of results) lines.push(`${verdict(r.lexicalAgreement[0] === r.lexicalAgreement[1])}  lexical top ${K} = plain FTS5 bm25() at ${count(r.size)}: ${r.lexicalAgreement[0]}/${r.lexicalAgreement[1]} queries`);
  for (const [size, target] of TARGETS.hybridP95) {
    const r = results.find((x) => x.size === size);
    lines.push(
      r
        ? `${verdict(r.latency.hybrid.p95 <= target)}  hybrid p95 at ${count(size)}: ${r.latency.hybrid.p95.toFixed(1)} ms (target ≤ ${target} ms; CPU-time p95 ${r.latency.hybrid.cpuP95.toFixed(1)} ms)`
        : `----  hybrid p95 at ${count(size)}: not measured (target ≤ ${target} ms)`,
    );
  }
  for (const r of results) lines.push(`${verdict(r.recall >= TARGETS.recall)}  fast-path recall@10 at ${count(r.size)}: ${r.recall.toFixed(3)} (target ≥ ${TARGETS.recall})`);
  return lines;
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const vocabularyRng = new Rng(0x7e47);
  const words = makeVocabulary(vocabularyRng, VOCABULARY);
  const zipf = new Zipf(VOCABULARY, ZIPF_S);
  const results: SizeResult[] = [];
  for (const size of SIZES) {
    results.push(await runSize(size, words, zipf));
    gc();
  }
  const lines = [...report(results), `peak RSS: ${(peakRss / 1024 ** 2).toFixed(0)} MB`];
  process.stdout.write(lines.join('\n') + '\n');
  writeFileSync(join(out, 'search.txt'), lines.join('\n') + '\n');
}

await main();
