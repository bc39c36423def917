import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env, LogLevel, pipeline } from '@huggingface/transformers';
import type { FeatureExtractionPipeline } from '@huggingface/transformers';
import { makeTinyEmbedder, SYNONYM_GROUPS, TINY_EMBEDDER_DIMENSION } from '../../scripts/fixtures/tiny-embedder.js';
import { tempDir } from '../helpers.js';

const cosine = (a: number[], b: number[]): number => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);

/** sha256 of every file under `dir`, keyed by relative path. */
function hashes(dir: string): Record<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  const entries = files.map((e) => {
    const path = join(e.parentPath, e.name);
    return [relative(dir, path), createHash('sha256').update(readFileSync(path)).digest('hex')] as const;
  });
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('tiny-embedder fixture model', () => {
  const temp = tempDir('quire-tiny-embedder-');
  let extractor: FeatureExtractionPipeline;
  const embed = async (texts: string[]): Promise<number[][]> => {
    const out = await extractor(texts, { pooling: 'mean', normalize: true });
    expect(out.dims).toEqual([texts.length, TINY_EMBEDDER_DIMENSION]);
    return out.tolist() as number[][];
  };

  beforeAll(async () => {
    makeTinyEmbedder(join(temp.dir, 'models', 'tiny-embedder'));
    env.allowRemoteModels = false;
    env.localModelPath = join(temp.dir, 'models');
    env.logLevel = LogLevel.ERROR; // hides the expected "unknown model type model2vec" warnings
    extractor = await pipeline('feature-extraction', 'tiny-embedder', { dtype: 'fp32', device: 'cpu' });
  });
  afterAll(async () => {
    await extractor?.dispose();
    temp.cleanup();
  });

  it('gives normalized vectors of the declared dimension', async () => {
    const vectors = await embed(['The cat sat on the mat.', 'Quarterly revenue grew.', 'zzyzx unknownword', '']);
    for (const v of vectors) {
      expect(v).toHaveLength(TINY_EMBEDDER_DIMENSION);
      expect(v.every(Number.isFinite)).toBe(true);
      expect(Math.sqrt(cosine(v, v))).toBeCloseTo(1, 5);
    }
  });

  it('puts sentences that share synonym groups, but no words, close together', async () => {
    for (const word of ['physician', 'doctor', 'illness', 'disease', 'treated', 'cured']) {
      expect(SYNONYM_GROUPS.some((group) => group.includes(word))).toBe(true);
    }
    const [physician = [], doctor = [], laptop = []] = await embed([
      'The physician treated the illness',
      'A doctor cured the disease',
      'My laptop needs a new battery',
    ]);
    expect(cosine(physician, doctor)).toBeGreaterThan(0.9);
    expect(cosine(physician, laptop)).toBeLessThan(0.3);
    expect(cosine(physician, doctor) - cosine(physician, laptop)).toBeGreaterThan(0.6);
  });

  it('masks padding: a text embeds the same alone and in a batch with a longer one', async () => {
    const [alone = []] = await embed(['A dog in the woods']);
    const [batched = []] = await embed(['A dog in the woods', 'A much longer sentence about the sea, the tide and the marine forest']);
    expect(cosine(alone, batched)).toBeCloseTo(1, 6);
  });

  it('writes byte-identical files on every run', () => {
    const again = tempDir('quire-tiny-embedder-again-');
    try {
      makeTinyEmbedder(again.dir);
      const first = hashes(join(temp.dir, 'models', 'tiny-embedder'));
      expect(Object.keys(first)).toEqual(['README.md', 'config.json', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
      expect(hashes(again.dir)).toEqual(first);
    } finally {
      again.cleanup();
    }
  });
});
