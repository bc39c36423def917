import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbedderLoadError } from '../../electron/engine/embed/embedder.js';
import { TransformersEmbedder } from '../../electron/engine/embed/transformers.js';
import { WorkerEmbedder } from '../../electron/engine/embed/worker-embedder.js';
import { createEngine } from '../../electron/engine/index.js';
import { makeTinyEmbedder } from '../../scripts/fixtures/tiny-embedder.js';
import { ROOT, tempDir } from '../helpers.js';

const SHARED_EMBEDDER = resolve(ROOT, '..', 'shared', 'models', 'm2v-vocabq-bge-base-64d');

const PASSAGES = [
  'The physician treated the illness',
  'A doctor cured the disease',
  'My laptop needs a new battery',
  'Quarterly revenue grew by ten percent.',
  '',
  'A much longer passage about the sea, the tide and the marine forest, '.repeat(20),
];

let tmp: ReturnType<typeof tempDir>;
let tinyPath: string;

beforeAll(() => {
  tmp = tempDir('quire-worker-embedder-');
  tinyPath = join(tmp.dir, 'models', 'tiny-embedder');
  makeTinyEmbedder(tinyPath);
});
afterAll(() => tmp.cleanup());

/** Largest difference between two lists of vectors; NaN in both places counts as equal (a static model gives NaN for ''). */
function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  expect(a.map((v) => v.length)).toEqual(b.map((v) => v.length));
  return Math.max(...a.flatMap((vector, i) => [...vector].map((x, j) => (Object.is(x, b[i]![j]!) ? 0 : Math.abs(x - b[i]![j]!)))));
}

/** Runs `use` with a loaded worker embedder and closes it afterwards, whatever happens. */
async function withEmbedder(loading: Promise<WorkerEmbedder>, use: (embedder: WorkerEmbedder) => Promise<void>): Promise<void> {
  const embedder = await loading;
  try {
    await use(embedder);
  } finally {
    await embedder.close();
  }
}

async function expectSameAsInProcess(folder: string): Promise<void> {
  const [inWorker, inProcess] = await Promise.all([WorkerEmbedder.load(folder), TransformersEmbedder.load(folder)]);
  try {
    const { model, dimension, pooling, path } = inProcess;
    expect({ model: inWorker.model, dimension: inWorker.dimension, pooling: inWorker.pooling, path: inWorker.path }).toEqual({ model, dimension, pooling, path });
    expect(maxDifference(await inWorker.embedPassages(PASSAGES), await inProcess.embedPassages(PASSAGES))).toBeLessThanOrEqual(1e-6);
    expect(maxDifference([await inWorker.embedQuery('doctor cured illness')], [await inProcess.embedQuery('doctor cured illness')])).toBeLessThanOrEqual(1e-6);
    expect(await inWorker.embedPassages([])).toEqual([]);
  } finally {
    await Promise.all([inWorker.close(), inProcess.close()]);
  }
}

describe('the embedder in a worker thread', () => {
  it('gives the same vectors as transformers.js in-process (tiny generated model)', async () => {
    await expectSameAsInProcess(tinyPath);
  });

  it.skipIf(!existsSync(SHARED_EMBEDDER))('gives the same vectors as transformers.js in-process (m2v-vocabq-bge-base-64d)', async () => {
    await expectSameAsInProcess(SHARED_EMBEDDER);
  });

  it('reports a folder that is not a model as EmbedderLoadError, with what is wrong', async () => {
    const empty = join(tmp.dir, 'empty-model');
    mkdirSync(empty);
    const missing = WorkerEmbedder.load(empty);
    await expect(missing).rejects.toBeInstanceOf(EmbedderLoadError);
    await expect(missing).rejects.toThrow(`${empty} is not an embedding model folder: config.json is missing (transformers.js layout expected)`);

    const broken = join(tmp.dir, 'broken-model');
    makeTinyEmbedder(broken);
    writeFileSync(join(broken, 'onnx', 'model.onnx'), 'not an onnx graph');
    const unreadable = WorkerEmbedder.load(broken);
    await expect(unreadable).rejects.toBeInstanceOf(EmbedderLoadError);
    await expect(unreadable).rejects.toThrow(`Could not load the embedding model in ${broken}: `);

    const engine = createEngine({ dataDir: join(tmp.dir, 'data') });
    await expect(engine.loadEmbedder('no-such-model')).rejects.toThrow(EmbedderLoadError);
  });

  it('fails the calls pending in a worker that dies, and the next call starts a new worker', async () => {
    const embedder = await WorkerEmbedder.load(tinyPath);
    try {
      const expected = await embedder.embedPassages(PASSAGES);
      const pending = embedder.embedPassages(PASSAGES);
      embedder.simulateCrash();
      await expect(pending).rejects.toThrow(/The embedding model's worker stopped \(exit code \d+\); the next call starts a new one/);
      expect(maxDifference(await embedder.embedPassages(PASSAGES), expected)).toBe(0);
      expect((await embedder.embedQuery('doctor')).length).toBe(embedder.dimension);
    } finally {
      await embedder.close();
    }
    await expect(embedder.embedQuery('doctor')).rejects.toThrow('The embedder is closed');
  });

  it('stops a worker that hangs, fails its pending calls, and the next call starts a new worker', async () => {
    await withEmbedder(WorkerEmbedder.load(tinyPath, { stallMs: 1500 }), async (embedder) => {
      const expected = await embedder.embedPassages(PASSAGES);
      embedder.simulateHang();
      await expect(embedder.embedPassages(PASSAGES)).rejects.toThrow(/stopped responding \(no progress in 2 s\).*the next call starts a new one/);
      expect(maxDifference(await embedder.embedPassages(PASSAGES), expected)).toBe(0);
    });
  });

  it('a long batch that keeps making progress is not taken for a hang', async () => {
    const batch = Array.from({ length: 2000 }, (_, i) => `${PASSAGES[i % 4]} passage ${i}`);
    // The stall budget is set from this machine's speed: half of one batch, hundreds of model calls.
    const timing = await WorkerEmbedder.load(tinyPath);
    const started = performance.now();
    await timing.embedPassages(batch);
    const batchMs = performance.now() - started;
    await timing.close();
    await withEmbedder(WorkerEmbedder.load(tinyPath, { stallMs: Math.max(200, batchMs / 2) }), async (embedder) => {
      const longBatch = [...batch, ...batch, ...batch, ...batch];
      expect((await embedder.embedPassages(longBatch)).length).toBe(longBatch.length);
    });
  });

  it('refuses to go on when the model folder changed on disk under a restarted worker', async () => {
    const folder = join(tmp.dir, 'models', 'changing-embedder');
    makeTinyEmbedder(folder);
    await withEmbedder(WorkerEmbedder.load(folder), async (embedder) => {
      expect(embedder.pooling).toBe('mean');
      const pending = embedder.embedPassages(PASSAGES);
      embedder.simulateCrash();
      await expect(pending).rejects.toThrow(/worker stopped/);
      mkdirSync(join(folder, '1_Pooling'), { recursive: true });
      writeFileSync(join(folder, '1_Pooling', 'config.json'), JSON.stringify({ pooling_mode_cls_token: true }));
      const changed = embedder.embedQuery('doctor');
      await expect(changed).rejects.toThrow(EmbedderLoadError);
      await expect(changed).rejects.toThrow(/changed on disk: it now gives 32-dim cls vectors where it gave 32-dim mean/);
    });
  });

  it('answers a query before the batches of passages queued ahead of it', async () => {
    await withEmbedder(WorkerEmbedder.load(tinyPath), async (embedder) => {
      const finished: string[] = [];
      const batch = Array.from({ length: 64 }, (_, i) => `${PASSAGES[5]} passage ${i}`);
      const batches = Array.from({ length: 12 }, (_, i) => embedder.embedPassages(batch).then(() => finished.push(`batch ${i}`)));
      const query = embedder.embedQuery('doctor cured illness').then(() => finished.push('query'));
      await Promise.all([...batches, query]);
      expect(finished.indexOf('query')).toBeLessThanOrEqual(1);
    });
  });

  it('answers a query in the middle of one long batch of passages, not after it', async () => {
    await withEmbedder(WorkerEmbedder.load(tinyPath), async (embedder) => {
      const finished: string[] = [];
      const batch = Array.from({ length: 2000 }, (_, i) => `${PASSAGES[i % 4]} passage ${i}`);
      const passages = embedder.embedPassages(batch).then(() => finished.push('passages'));
      const query = embedder.embedQuery('doctor cured illness').then(() => finished.push('query'));
      await Promise.all([passages, query]);
      expect(finished).toEqual(['query', 'passages']);
    });
  });

  it('indexing goes on when the worker dies mid-run: the catch-up pass embeds what was missed', async () => {
    const docs = join(tmp.dir, 'docs');
    mkdirSync(docs);
    for (let i = 0; i < 40; i++) writeFileSync(join(docs, `note-${i}.txt`), `${PASSAGES[i % 4]} (note ${i})`);
    const engine = createEngine({ dataDir: join(tmp.dir, 'crash-data') });
    const library = engine.openLibrary('crash', { create: true });
    try {
      library.addFolder(docs);
      const embedder = await engine.loadEmbedder(tinyPath);
      library.useEmbedder(embedder);
      let crashes = 0;
      const phases = new Set<string>();
      const { summary } = await library.index({ onDocument: () => crashes++ < 3 && embedder.simulateCrash(), onProgress: (p) => phases.add(p.phase) });
      expect(summary.indexed).toBe(40);
      expect(phases).toContain('embedding');
      expect(library.vectors.count()).toBe(library.chunks.count());
      const results = (await library.searcher().search('physician illness', { mode: 'vector', k: 1 })).results;
      expect(results[0]!.text).toMatch(/physician treated the illness|doctor cured the disease/);
    } finally {
      await library.close();
    }
  });
});
if (!existsSync(SHARED_EMBEDDER)) console.warn(`[skipped] worker-embedder parity with m2v-vocabq-bge-base-64d: ${SHARED_EMBEDDER} is not present`);
