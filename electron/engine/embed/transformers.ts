import { env, LogLevel, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EmbedderLoadError, prefixesFor, type Embedder } from './embedder.js';

/**
 * Texts per model call. Small: a query that arrives meanwhile waits for the call in progress (its
 * tokenizing and pooling are synchronous), and on the 64-dim static model 8 cost no more CPU per
 * passage than 32.
 */
const BATCH = 8;

/**
 * ONNX Runtime's threads spin while they wait for work, which suits a machine the model has to
 * itself. While indexing, parsers and the engine share the cores: with spinning, inference took
 * twice its wall time in CPU on 2 cores, time the parsers then lacked.
 */
const SESSION_OPTIONS = { extra: { session: { intra_op: { allow_spinning: '0' } } } };

/**
 * transformers.js feature extraction from a local folder in transformers.js layout
 * (`config.json`, `tokenizer.json`, `onnx/model.onnx`). Remote models are never fetched.
 */
export class TransformersEmbedder implements Embedder {
  private constructor(
    readonly model: string,
    readonly dimension: number,
    readonly pooling: 'mean' | 'cls',
    readonly path: string,
    private readonly extractor: FeatureExtractionPipeline,
    private readonly prefixes: { query: string; passage: string },
  ) {}

  static async load(folder: string): Promise<TransformersEmbedder> {
    const path = resolve(folder);
    for (const file of ['config.json', 'tokenizer.json', join('onnx', 'model.onnx')]) {
      if (!existsSync(join(path, file))) throw new EmbedderLoadError(`${path} is not an embedding model folder: ${file} is missing (transformers.js layout expected)`);
    }
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = dirname(path) + '/';
    env.logLevel = LogLevel.ERROR;
    const model = basename(path);
    const pooling = poolingOf(path);
    let extractor: FeatureExtractionPipeline;
    let dimension: number;
    try {
      extractor = (await pipeline('feature-extraction', model, { dtype: 'fp32', device: 'cpu', session_options: SESSION_OPTIONS })) as FeatureExtractionPipeline;
      const probe = await extractor(['probe'], { pooling, normalize: true });
      dimension = probe.dims.at(-1)!;
    } catch (error) {
      throw new EmbedderLoadError(`Could not load the embedding model in ${path}: ${(error as Error).message}`);
    }
    return new TransformersEmbedder(model, dimension, pooling, path, extractor, prefixesFor(model));
  }

  /** `betweenCalls` is awaited after each model call: a chance for other work (a query) to go first. */
  async embedPassages(texts: readonly string[], betweenCalls?: () => Promise<void>): Promise<Float32Array[]> {
    return this.run(texts.map((t) => this.prefixes.passage + t), betweenCalls);
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return (await this.run([this.prefixes.query + text]))[0]!;
  }

  async close(): Promise<void> {
    await this.extractor.dispose();
  }

  private async run(texts: readonly string[], betweenCalls?: () => Promise<void>): Promise<Float32Array[]> {
    const out: Float32Array[] = new Array(texts.length);
    // Similar lengths in one batch waste less on padding.
    const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
    for (let start = 0; start < order.length; start += BATCH) {
      const indices = order.slice(start, start + BATCH);
      const tensor = await this.extractor(indices.map((i) => texts[i]!), { pooling: this.pooling, normalize: true });
      const data = tensor.data as Float32Array;
      indices.forEach((index, row) => (out[index] = data.slice(row * this.dimension, (row + 1) * this.dimension)));
      tensor.dispose();
      await betweenCalls?.();
    }
    return out;
  }
}

/** sentence-transformers records its pooling in 1_Pooling/config.json; CLS for BGE-style models, mean otherwise. */
function poolingOf(path: string): 'mean' | 'cls' {
  const file = join(path, '1_Pooling', 'config.json');
  if (existsSync(file)) {
    const config = JSON.parse(readFileSync(file, 'utf8')) as { pooling_mode_cls_token?: boolean };
    if (config.pooling_mode_cls_token) return 'cls';
  }
  return 'mean';
}
