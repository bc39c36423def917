// `npm run bench`: ingestion throughput on a generated corpus of 5,000+ files.
// Reports files/s, MB/s and chunks/s for parse, split and store separately, peak memory, and
// ratios against a baseline measured in the same run (reading + hashing the same files).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
type Library = import('../electron/engine/library.js').Library;

const SHARED_EMBEDDER = join(root, '..', 'shared', 'models', 'm2v-vocabq-bge-base-64d');

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
  const chunkTexts = (library.db.prepare('SELECT text, heading_path AS h FROM chunks ORDER BY id').all() as { text: string; h: string }[]).map((c) =>
    textForEmbedding({ text: c.text, headingPath: JSON.parse(c.h) as string[] }),
  );
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
    const embedded = engine.openLibrary('bench-embedded', { create: true });
    current = embedded;
    embedded.addFolder(corpus);
    embedded.useEmbedder(await engine.loadEmbedder(SHARED_EMBEDDER));
    const embedMemory = new PeakMemory(() => current);
    started = performance.now();
    const run = await embedded.index();
    const indexSeconds = (performance.now() - started) / 1000;
    const embedPeak = embedMemory.stop();
    const raw = await engine.loadEmbedder(SHARED_EMBEDDER);
    started = performance.now();
    for (let i = 0; i < chunkTexts.length; i += 64) await raw.embedPassages(chunkTexts.slice(i, i + 64));
    const rawSeconds = (performance.now() - started) / 1000;
    await raw.close();
    await embedded.close();
    const indexRate = run.summary.chunks / indexSeconds;
    const rawRate = chunkTexts.length / rawSeconds;
    const embedLines = [
      `with embedder ${raw.model} (${raw.dimension} dims): ${indexRate.toFixed(0)} chunks/s end to end (${indexSeconds.toFixed(2)} s, ${run.summary.chunks} chunks, peak RSS ${(embedPeak / 1024 ** 2).toFixed(0)} MB)`,
      `embedder alone on the same ${chunkTexts.length} passages (batches of 64): ${rawRate.toFixed(0)} chunks/s (${rawSeconds.toFixed(2)} s)`,
      `pipeline throughput / embedder throughput: ${(indexRate / rawRate).toFixed(2)} (1.00 = the pipeline costs nothing beyond the model; target >= 0.90 where the model is the bottleneck)`,
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

await main();
