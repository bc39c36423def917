/**
 * Retrieval calibration benchmark (issue 16): calibration time on a 10k-chunk library, query
 * adapter training time, and the recall each step gives on held-back self-made queries (never the
 * queries the weights, threshold or adapter were chosen on).
 *
 *   npx tsx scripts/bench-retrieval.ts [--chunks 10000]
 *
 * Uses ../shared/models/m2v-vocabq-bge-base-64d (a real 64-d embedder) when present, else the
 * generated tiny test embedder.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEngine } from '../electron/engine/index.js';
import { describeRetrieval, type RetrievalFigures } from '../electron/shared/search.js';
import { keywordCorpus, libraryJargonCorpus, meaningCorpus, writeCorpus, type Passage } from './fixtures/calibration-corpora.js';
import { makeTinyEmbedder } from './fixtures/tiny-embedder.js';
import { tempDir } from '../test/helpers.js';

const argChunks = process.argv.indexOf('--chunks');
const CHUNKS = argChunks > 0 ? Number(process.argv[argChunks + 1]) : 10_000;
const SHARED = resolve(import.meta.dirname, '..', '..', 'shared', 'models', 'm2v-vocabq-bge-base-64d');

const tmp = tempDir('quire-bench-retrieval-');
const tiny = join(tmp.dir, 'tiny-embedder');
makeTinyEmbedder(tiny);
const real = existsSync(SHARED) ? SHARED : null;
if (!real) console.log(`[skipped] real 64-d embedder: ${SHARED} is missing; using the tiny test embedder`);
const engine = createEngine({ dataDir: join(tmp.dir, 'data') });

/** Passages as Markdown sections, 100 per file (a heading starts a chunk), so indexing 10k chunks takes seconds, not minutes. */
function writeSections(folder: string, passages: readonly Passage[]): void {
  mkdirSync(folder, { recursive: true });
  for (let f = 0; f * 100 < passages.length; f++) {
    const sections = passages.slice(f * 100, f * 100 + 100).map((p, i) => `# Section ${f}-${i}\n\n${p.text}\n`);
    writeFileSync(join(folder, `file-${f}.md`), sections.join('\n'));
  }
}

const line = (label: string, f: RetrievalFigures) =>
  `${label}: ${describeRetrieval(f)}; weights keywords ${f.weights.lexical} / meaning ${f.weights.vector}; ` +
  `threshold similarity ${f.threshold.similarity?.toFixed(3) ?? '-'} coverage ${f.threshold.coverage?.toFixed(3) ?? '-'}, own answered ${(f.threshold.answered * 100).toFixed(1)}%, unanswerable refused ${(f.threshold.refused * 100).toFixed(1)}% of ${f.threshold.unanswerable}`;

async function run(name: string, embedderPath: string, write: (folder: string) => void): Promise<void> {
  const folder = join(tmp.dir, name);
  write(folder);
  const library = engine.openLibrary(name, { create: true });
  try {
    library.addFolder(folder);
    library.useEmbedder(await engine.loadEmbedder(embedderPath));
    let started = performance.now();
    await library.index();
    const indexSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const figures = await library.calibrate();
    const seconds = (performance.now() - started) / 1000;
    const model = embedderPath === real ? 'm2v-64d' : 'tiny-32d';
    console.log(`\n${name} (${library.chunks.count()} chunks, ${model}; indexed in ${indexSeconds.toFixed(1)} s)`);
    console.log(`  calibration: ${seconds.toFixed(1)} s in all (adapter training ${figures.adapter?.trainSeconds.toFixed(1) ?? '-'} s of it)`);
    console.log(`  ${line('held-back', figures)}`);
    if (figures.adapter) {
      const a = figures.adapter;
      console.log(`  query adapter: ${a.kept ? 'kept' : 'not kept'}; held-back recall@${figures.k} meaning ${a.vectorWithout.toFixed(3)} -> ${a.vectorWith.toFixed(3)} (${((a.vectorWith - a.vectorWithout) * 100).toFixed(1)} points), combined ${a.hybridWithout.toFixed(3)} -> ${a.hybridWith.toFixed(3)}`);
    }
  } finally {
    await library.close();
  }
}

try {
  const embedder = real ?? tiny;
  const half = Math.floor(CHUNKS / 2);
  // A mixed library: half codes and names (keywords win), half paraphrases (meaning wins).
  const meaning = meaningCorpus(Math.min(half, 8000));
  await run(`mixed-${CHUNKS}`, embedder, (folder) => writeSections(folder, [...keywordCorpus(CHUNKS - meaning.length), ...meaning]));
  await run('keywords-2000', embedder, (folder) => writeSections(folder, keywordCorpus(2000)));
  await run('paraphrases-1000', embedder, (folder) => writeSections(folder, meaningCorpus(1000)));
  await run('library-jargon-120', tiny, (folder) => writeCorpus(folder, libraryJargonCorpus(120)));
} finally {
  tmp.cleanup();
}
