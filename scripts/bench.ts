// `npm run bench`: ingestion throughput on a generated corpus of 5,000+ files.
// Reports files/s, MB/s and chunks/s for parse, split and store separately, peak memory, and
// ratios against a baseline measured in the same run (reading + hashing the same files).
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDocx, makePdf } from './fixtures/documents.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench-out');
const corpus = join(out, 'corpus');
const FILES = Number(process.env.BENCH_FILES ?? 5000);

const WORDS = 'archive ledger harbour orchard lantern meadow quarry signal timber voyage beacon canvas dial ember fable glacier hollow ivory jasmine kestrel'.split(' ');
let seed = 42;
const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const word = (): string => WORDS[Math.floor(random() * WORDS.length)]!;
const sentence = (n = 12): string => Array.from({ length: n }, word).join(' ') + '.';
const paragraph = (): string => Array.from({ length: 2 + Math.floor(random() * 5) }, () => sentence()).join(' ');

async function makeCorpus(): Promise<string[]> {
  rmSync(corpus, { recursive: true, force: true });
  const pdf = await makePdf([{ heading: 'Report', paragraphs: [paragraph(), paragraph()] }, { paragraphs: [paragraph(), paragraph()] }]);
  const docx = await makeDocx([{ heading: 'Memo', paragraphs: [paragraph(), paragraph(), paragraph()] }]);
  const files: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const dir = join(corpus, `folder-${i % 50}`, `sub-${i % 7}`);
    mkdirSync(dir, { recursive: true });
    const kind = i % 20;
    let name: string;
    let content: string | Buffer;
    if (kind === 0) [name, content] = [`report-${i}.pdf`, pdf];
    else if (kind === 1) [name, content] = [`memo-${i}.docx`, docx];
    else if (kind < 8) [name, content] = [`notes-${i}.md`, `# Notes ${i}\n\n` + Array.from({ length: 3 + (i % 12) }, (_, s) => `## Section ${s}\n\n${paragraph()}\n\n${paragraph()}`).join('\n\n')];
    else if (kind < 12) [name, content] = [`code-${i}.ts`, Array.from({ length: 20 + (i % 60) }, (_, f) => `export function f${f}(x: number): number {\n  // ${sentence(8)}\n  return x * ${f};\n}\n`).join('\n')];
    else if (kind < 14) [name, content] = [`table-${i}.csv`, 'id,name,notes\n' + Array.from({ length: 40 + (i % 100) }, (_, r) => `${r},${word()},"${sentence(6)}"`).join('\n')];
    else if (kind < 15) [name, content] = [`page-${i}.html`, `<html><body><h1>Page ${i}</h1>${Array.from({ length: 6 }, () => `<p>${paragraph()}</p>`).join('')}</body></html>`];
    else [name, content] = [`text-${i}.txt`, Array.from({ length: 2 + (i % 30) }, paragraph).join('\n\n')];
    writeFileSync(join(dir, name), content);
    files.push(join(dir, name));
  }
  return files;
}

type EngineModule = typeof import('../electron/engine/index.js');
type PipelineModule = typeof import('../electron/engine/ingest/pipeline.js');
type TransformersModule = typeof import('../electron/engine/embed/transformers.js');
type BatcherModule = typeof import('../electron/engine/embed/batcher.js');
type Library = import('../electron/engine/library.js').Library;

const SHARED_EMBEDDER = join(root, '..', 'shared', 'models', 'm2v-vocabq-bge-base-64d');
/** The embedded run goes in this many slices of the corpus, each followed by the embedder alone on its passages. */
const SLICES = 5;

/** Resident memory of this process plus its parser processes, sampled while work runs. */
class PeakMemory {
  peak = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly library: () => Library | null) {
    this.timer = setInterval(() => this.sample(), 25);
  }
  sample(): void {
    let total = process.memoryUsage().rss;
    for (const pid of this.library()?.parserPids() ?? []) {
      try {
        const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (match) total += Number(match[1]) * 1024;
      } catch {
        // the process ended between listing and reading
      }
    }
    this.peak = Math.max(this.peak, total);
  }
  stop(): number {
    clearInterval(this.timer);
    return this.peak;
  }
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const files = await makeCorpus();

  // Baseline: just reading and hashing every file, one at a time.
  let bytes = 0;
  let started = performance.now();
  for (const file of files) {
    const data = await readFile(file);
    bytes += data.length;
    createHash('sha256').update(data).digest();
  }
  const baselineSeconds = (performance.now() - started) / 1000;

  const { createEngine } = (await import(join(root, 'dist', 'engine', 'index.js'))) as EngineModule;
  const { textForEmbedding } = (await import(join(root, 'dist', 'engine', 'ingest', 'pipeline.js'))) as PipelineModule;
  const dataDir = join(out, 'data');
  rmSync(dataDir, { recursive: true, force: true });
  const engine = createEngine({ dataDir });
  let current: Library | null = engine.openLibrary('bench', { create: true });
  const library = current;
  const memory = new PeakMemory(() => current);
  library.addFolder(corpus);
  started = performance.now();
  const first = await library.index();
  const firstSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const second = await library.index();
  const secondSeconds = (performance.now() - started) / 1000;
  const peakRss = memory.stop();
  await library.close();

  const { summary, timings } = first;
  const mb = timings.bytes / 1024 ** 2;
  const perStage = (ms: number, label: string, count: number, unit: string): string =>
    `${label.padEnd(7)} ${(count / (ms / 1000)).toFixed(0).padStart(8)} ${unit}/s  ${(mb / (ms / 1000)).toFixed(1).padStart(7)} MB/s  (${(ms / 1000).toFixed(2)} s summed over parallel files)`;
  const lines = [
    `corpus: ${files.length} files, ${(bytes / 1024 ** 2).toFixed(1)} MB; ${availableParallelism()} cores; node ${process.version}`,
    `indexed ${summary.indexed}, skipped ${summary.skipped}, failed ${summary.failed}; ${summary.chunks} chunks (no embedder)`,
    perStage(timings.parseMs + timings.readMs, 'parse', summary.indexed, 'files'),
    perStage(timings.splitMs, 'split', summary.chunks, 'chunks'),
    perStage(timings.storeMs, 'store', summary.chunks, 'chunks'),
    `end to end: ${(files.length / firstSeconds).toFixed(0)} files/s, ${(mb / firstSeconds).toFixed(1)} MB/s, ${(summary.chunks / firstSeconds).toFixed(0)} chunks/s (${firstSeconds.toFixed(2)} s)`,
    `baseline (read + sha256 only, same files): ${(files.length / baselineSeconds).toFixed(0)} files/s (${baselineSeconds.toFixed(2)} s); full indexing costs ${(firstSeconds / baselineSeconds).toFixed(1)}x the baseline`,
    `re-run with nothing changed: ${secondSeconds.toFixed(2)} s (${second.summary.unchanged} unchanged), ${(firstSeconds / secondSeconds).toFixed(1)}x faster than the first run`,
    `peak RSS: ${(peakRss / 1024 ** 2).toFixed(0)} MB (engine process + parser processes)`,
  ];
  process.stdout.write(lines.join('\n') + '\n');

  if (existsSync(SHARED_EMBEDDER)) {
    // The same corpus indexed with the real embedder, next to the embedder alone on the same passages.
    // Indexing goes in slices, each followed by the embedder alone on the slice's passages, so that a
    // change in the machine's load (other work may be running) weighs on both measurements alike.
    const alone = await startEmbedderAlone();
    const embedded = engine.openLibrary('bench-embedded', { create: true });
    current = embedded;
    const folders = readdirSync(corpus).sort().map((name) => embedded.addFolder(join(corpus, name)));
    const embedder = await engine.loadEmbedder(SHARED_EMBEDDER);
    embedded.useEmbedder(embedder);
    const embedMemory = new PeakMemory(() => current);
    let [indexSeconds, aloneSeconds, chunks, passages, lastChunkId] = [0, 0, 0, 0, 0];
    const perSlice = Math.ceil(folders.length / SLICES);
    for (let slice = 0; slice < SLICES; slice++) {
      started = performance.now();
      const run = await embedded.index({ folders: folders.slice(slice * perSlice, (slice + 1) * perSlice) });
      indexSeconds += (performance.now() - started) / 1000;
      chunks += run.summary.chunks;
      const rows = embedded.db.prepare('SELECT id, text, heading_path AS h FROM chunks WHERE id > ? ORDER BY id').all(lastChunkId) as { id: number; text: string; h: string }[];
      lastChunkId = rows.at(-1)?.id ?? lastChunkId;
      passages += rows.length;
      aloneSeconds += await alone.embed(rows.map((c) => textForEmbedding({ text: c.text, headingPath: JSON.parse(c.h) as string[] })));
    }
    const embedPeak = embedMemory.stop();
    alone.stop();
    await embedded.close();
    const indexRate = chunks / indexSeconds;
    const aloneRate = passages / aloneSeconds;
    const embedLines = [
      `with embedder ${embedder.model} (${embedder.dimension} dims): ${indexRate.toFixed(0)} chunks/s end to end (${indexSeconds.toFixed(2)} s in ${SLICES} slices, ${chunks} chunks, peak RSS ${(embedPeak / 1024 ** 2).toFixed(0)} MB)`,
      `embedder alone on the same ${passages} passages (batches of ${alone.batchSize}, in a process of its own, after each slice): ${aloneRate.toFixed(0)} chunks/s (${aloneSeconds.toFixed(2)} s)`,
      `pipeline throughput / embedder throughput: ${(indexRate / aloneRate).toFixed(2)} (1.00 = the pipeline costs nothing beyond the model; target >= 0.90 where the model is the bottleneck)`,
    ];
    process.stdout.write(embedLines.join('\n') + '\n');
    lines.push(...embedLines);
  } else {
    const skipped = `[skipped] embedder throughput: ${SHARED_EMBEDDER} is not present`;
    process.stdout.write(skipped + '\n');
    lines.push(skipped);
  }
  writeFileSync(join(out, 'ingest.txt'), lines.join('\n') + '\n');
}

/**
 * The embedding model's own work with nothing around it: transformers.js called directly, in the
 * batches indexing gathers, in a child process, so that its memory is not counted as the engine's.
 */
async function startEmbedderAlone(): Promise<{ batchSize: number; embed: (texts: string[]) => Promise<number>; stop: () => void }> {
  const child = fork(fileURLToPath(import.meta.url), [EMBEDDER_ALONE], { serialization: 'advanced' });
  const reply = <T>(): Promise<T> =>
    new Promise((resolve, reject) => {
      child.once('message', (message) => resolve(message as T));
      child.once('exit', (code) => reject(new Error(`The embedder-alone process exited (code ${code})`)));
    });
  const { batchSize } = await reply<{ batchSize: number }>();
  return {
    batchSize,
    embed: (texts) => {
      const seconds = reply<number>();
      child.send(texts);
      return seconds;
    },
    stop: () => child.disconnect(),
  };
}

async function embedderAlone(): Promise<void> {
  const { TransformersEmbedder } = (await import(join(root, 'dist', 'engine', 'embed', 'transformers.js'))) as TransformersModule;
  const { EMBED_BATCH_SIZE } = (await import(join(root, 'dist', 'engine', 'embed', 'batcher.js'))) as BatcherModule;
  const embedder = await TransformersEmbedder.load(SHARED_EMBEDDER);
  process.on('message', (texts: string[]) => {
    void (async () => {
      const started = performance.now();
      for (let i = 0; i < texts.length; i += EMBED_BATCH_SIZE) await embedder.embedPassages(texts.slice(i, i + EMBED_BATCH_SIZE));
      process.send!((performance.now() - started) / 1000);
    })();
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ batchSize: EMBED_BATCH_SIZE });
}

const EMBEDDER_ALONE = '--embedder-alone';
if (process.argv.includes(EMBEDDER_ALONE)) await embedderAlone();
else await main();
