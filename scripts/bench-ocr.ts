// `npm run bench` (OCR part): pages/s of OCR through the engine with the worker pool against a
// single worker, on the same generated scans in the same run, with peak memory (engine + workers),
// and the time of re-indexing the renamed scans (all from the OCR cache).
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeImage, makeScannedPdf, renderScan } from './fixtures/scans.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench-out');
const corpus = join(out, 'ocr-corpus');
const PAGES = Number(process.env.BENCH_OCR_PAGES ?? 16);

const WORDS = 'archive ledger harbour orchard lantern meadow quarry signal timber voyage beacon canvas dial ember fable glacier hollow ivory jasmine kestrel'.split(' ');
let seed = 7;
const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const line = (): string => Array.from({ length: 7 }, () => WORDS[Math.floor(random() * WORDS.length)]!).join(' ');

type EngineModule = typeof import('../electron/engine/index.js');
type Library = import('../electron/engine/library.js').Library;

/** Half the scans as pages of image-only PDFs, half as PNG files: both paths of the OCR stage. */
async function makeCorpus(): Promise<void> {
  rmSync(corpus, { recursive: true, force: true });
  mkdirSync(corpus, { recursive: true });
  const pdfPages = Math.ceil(PAGES / 2);
  const scans = [];
  for (let i = 0; i < PAGES; i++) scans.push(await renderScan(Array.from({ length: 12 }, line), { seed: i + 1, rotate: i % 2 ? 0.7 : -0.6 }));
  for (let i = 0; i < pdfPages; i += 4) writeFileSync(join(corpus, `scan-${i}.pdf`), await makeScannedPdf(scans.slice(i, Math.min(i + 4, pdfPages)).map((scan) => ({ scan }))));
  for (let i = pdfPages; i < PAGES; i++) writeFileSync(join(corpus, `photo-${i}.png`), encodeImage(scans[i]!, 'png'));
}

/** Resident memory of the engine plus its workers, and of the OCR workers alone (largest one). */
class PeakMemory {
  peak = 0;
  peakOcrWorker = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly library: Library) {
    this.timer = setInterval(() => this.sample(), 50);
  }
  sample(): void {
    let total = process.memoryUsage().rss;
    const ocr = new Set(this.library.ocrPids());
    for (const pid of this.library.parserPids()) {
      const rss = rssOf(pid);
      total += rss;
      if (ocr.has(pid)) this.peakOcrWorker = Math.max(this.peakOcrWorker, rss);
    }
    this.peak = Math.max(this.peak, total);
  }
  stop(): number {
    clearInterval(this.timer);
    return this.peak;
  }
}

function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0; // the process ended between listing and reading
  }
}

async function run(createEngine: EngineModule['createEngine'], name: string, size: number) {
  const dataDir = join(out, `ocr-data-${name}`);
  rmSync(dataDir, { recursive: true, force: true });
  const library = createEngine({ dataDir, ocr: { size } }).openLibrary(name, { create: true });
  library.addFolder(corpus);
  const memory = new PeakMemory(library);
  const started = performance.now();
  const { summary } = await library.index();
  const seconds = (performance.now() - started) / 1000;
  const peak = memory.stop();
  return { library, summary, seconds, peak, peakOcrWorker: memory.peakOcrWorker, counters: library.ocrCounters() };
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  await makeCorpus();
  const { createEngine } = (await import(join(root, 'dist', 'engine', 'index.js'))) as EngineModule;
  const poolSize = Math.max(2, availableParallelism());

  // Single, pool, pool, single: a machine whose load drifts during the run favours neither.
  const a1 = await run(createEngine, 'ocr-single-1', 1);
  await a1.library.close();
  const b1 = await run(createEngine, 'ocr-pool-1', poolSize);
  await b1.library.close();
  const pool = await run(createEngine, 'ocr-pool', poolSize);
  const a2 = await run(createEngine, 'ocr-single-2', 1);
  await a2.library.close();
  const single = { summary: a2.summary, seconds: (a1.seconds + a2.seconds) / 2, peak: Math.max(a1.peak, a2.peak), peakOcrWorker: Math.max(a1.peakOcrWorker, a2.peakOcrWorker) };
  const pooled = { summary: pool.summary, seconds: (b1.seconds + pool.seconds) / 2, peak: Math.max(b1.peak, pool.peak), peakOcrWorker: Math.max(b1.peakOcrWorker, pool.peakOcrWorker) };
  // Renaming every scan: the next run must find all of them in the cache and recognise nothing.
  for (const name of ['scan-0.pdf', `photo-${Math.ceil(PAGES / 2)}.png`]) renameSync(join(corpus, name), join(corpus, `renamed-${name}`));
  const before = pool.library.ocrCounters().recognized;
  const started = performance.now();
  const again = await pool.library.index();
  const againSeconds = (performance.now() - started) / 1000;
  const recognizedAgain = pool.library.ocrCounters().recognized - before;
  await pool.library.close();

  const rate = (r: { summary: { ocr?: { recognized: number } }; seconds: number }): number => (r.summary.ocr?.recognized ?? 0) / r.seconds;
  const mb = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(0)} MB`;
  const lines = [
    `OCR corpus: ${PAGES} scanned pages (${Math.ceil(PAGES / 2)} in image-only PDFs, ${Math.floor(PAGES / 2)} PNG), 150 dpi A4; ${availableParallelism()} cores; node ${process.version}`,
    `single worker: ${rate(single).toFixed(2)} pages/s (${single.summary.ocr?.recognized ?? 0} pages in ${single.seconds.toFixed(1)} s, mean of 2 runs), peak RSS ${mb(single.peak)} (engine + parser + OCR processes; largest OCR worker ${mb(single.peakOcrWorker)})`,
    `pool of ${poolSize}:     ${rate(pooled).toFixed(2)} pages/s (${pooled.summary.ocr?.recognized ?? 0} pages in ${pooled.seconds.toFixed(1)} s, mean of 2 runs), peak RSS ${mb(pooled.peak)} (largest OCR worker ${mb(pooled.peakOcrWorker)})`,
    `pool / single: ${(rate(pooled) / rate(single)).toFixed(2)}x (default pool size on this machine: ${Math.max(1, Math.min(4, availableParallelism() - 1))}, leaving a core to the app; load average at the end ${loadavg()[0]!.toFixed(1)})`,
    `re-index after renaming scans: ${againSeconds.toFixed(2)} s, ${again.summary.ocr?.cached ?? 0} pages from the OCR cache, ${recognizedAgain} recognised again`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  writeFileSync(join(out, 'ocr.txt'), lines.join('\n') + '\n');
}

await main();
