import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { GgufFileInfo, GgufTensorInfo } from 'node-llama-cpp';
import { QuireError } from '../errors.js';

export type ModelValidationCode =
  | 'not-found'
  | 'unreadable'
  | 'not-gguf'
  | 'truncated'
  | 'corrupt'
  | 'not-a-model'
  | 'not-an-adapter'
  | 'architecture-mismatch'
  | 'shape-mismatch'
  | 'bad-hyperparameters';

/** A file that cannot be used as a model or adapter; `code` is stable, `message` is for people. */
export class ModelValidationError extends QuireError {
  declare readonly code: ModelValidationCode;
  declare readonly details: Record<string, unknown>;
  constructor(code: ModelValidationCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}

export interface GgufInspection {
  path: string;
  kind: 'model' | 'adapter';
  /** `general.type` as written in the file (`model`, `adapter`, `mmproj`, ...), when present. */
  type: string | null;
  architecture: string;
  name: string | null;
  sizeBytes: number;
  ggufVersion: number;
  /** Sum of the tensors' element counts: exact for this file, an estimate of the model's size class. */
  parameterCount: number;
  contextLength: number | null;
  hasChatTemplate: boolean;
  tensors: { count: number; byType: Record<string, number> };
  adapter: { type: string | null; alpha: number | null; rank: number | null; targets: number } | null;
}

export interface AdapterFit {
  adapter: GgufInspection;
  model: GgufInspection;
  /** Model tensors the adapter changes. */
  targets: string[];
}

const MAGIC = 'GGUF';
const LORA = /\.lora_([ab])$/;
// The big tokenizer arrays are skipped: we never need them and they dominate parse time on 150k-token vocabularies.
const IGNORED_KEYS = ['tokenizer.ggml.tokens', 'tokenizer.ggml.scores', 'tokenizer.ggml.token_type', 'tokenizer.ggml.merges'];

/** Reads a GGUF file's header and says what it is. Throws ModelValidationError for anything unusable. */
export async function inspectGguf(path: string): Promise<GgufInspection> {
  return (await readGguf(path)).inspection;
}

/** Refuses files that are not a loadable base model (adapters, projectors, vocabulary-only files). */
export function assertModel(info: GgufInspection): void {
  const file = basename(info.path);
  if (info.kind === 'adapter') {
    throw new ModelValidationError('not-a-model', `${file} is a LoRA adapter, not a model: add it with "quire adapters import" and pick a base model for it`);
  }
  if (info.type === 'mmproj' || info.architecture === 'clip') {
    throw new ModelValidationError('not-a-model', `${file} is a multimodal projector (${info.architecture}), not a language model`);
  }
  if (info.architecture === 'controlvector') {
    throw new ModelValidationError('not-a-model', `${file} is a control vector, not a language model`);
  }
  if (info.tensors.count === 0) {
    throw new ModelValidationError('not-a-model', `${file} holds no weights (a vocabulary-only GGUF?), so it cannot generate text`);
  }
}

/** Refuses files that llama.cpp would not load as a LoRA adapter. */
export function assertAdapter(info: GgufInspection): void {
  const file = basename(info.path);
  if (info.kind !== 'adapter') {
    throw new ModelValidationError('not-an-adapter', `${file} is a model (${info.architecture}), not a LoRA adapter: it has no .lora_a/.lora_b tensors. Add it with "quire models import"`);
  }
  if (info.type !== 'adapter' || info.adapter?.type !== 'lora') {
    throw new ModelValidationError(
      'not-an-adapter',
      `${file} has LoRA tensors but is not marked as a LoRA adapter (general.type=${info.type ?? 'missing'}, adapter.type=${info.adapter?.type ?? 'missing'}); llama.cpp only loads general.type=adapter with adapter.type=lora`,
    );
  }
}

/**
 * Checks that a LoRA adapter can be applied to a base model the way llama.cpp does it: same architecture, and every
 * `X.lora_a`/`X.lora_b` pair targets a tensor X of the base with matching dimensions. In ggml order a weight is
 * [n_in, n_out], lora_a is [n_in, rank] and lora_b is [rank, n_out].
 */
export async function checkAdapterFits(adapterPath: string, basePath: string): Promise<AdapterFit> {
  const adapter = await readGguf(adapterPath);
  assertAdapter(adapter.inspection);
  const model = await readGguf(basePath);
  assertModel(model.inspection);
  const adapterFile = basename(adapter.inspection.path);
  const modelFile = basename(model.inspection.path);
  if (adapter.inspection.architecture !== model.inspection.architecture) {
    throw new ModelValidationError(
      'architecture-mismatch',
      `Adapter ${adapterFile} is for ${adapter.inspection.architecture} models, but ${modelFile} is ${model.inspection.architecture}`,
      { adapter: adapter.inspection.architecture, model: model.inspection.architecture },
    );
  }
  const pairs = loraPairs(adapter.tensors, adapterFile);
  const base = new Map(model.tensors.map((t) => [t.name, dims(t)]));
  const problems: { tensor: string; model: number[] | null; adapterExpects: number[] }[] = [];
  for (const [target, { a, b }] of pairs) {
    const expects = [a[0]!, b[1]!];
    const shape = base.get(target);
    if (!shape || shape[0] !== expects[0] || shape[1] !== expects[1]) problems.push({ tensor: target, model: shape ?? null, adapterExpects: expects });
  }
  if (problems.length > 0) {
    const first = problems[0]!;
    const what = first.model
      ? `tensor ${first.tensor} is ${shapeText(first.model)} in the model but the adapter expects ${shapeText(first.adapterExpects)}`
      : `the adapter changes tensor ${first.tensor} ${shapeText(first.adapterExpects)}, which the model does not have`;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more of its ${pairs.size} tensors do not fit)` : '';
    throw new ModelValidationError(
      'shape-mismatch',
      `Adapter ${adapterFile} does not fit model ${modelFile}: ${what}${more}. It was made for a different base model.`,
      { problems: problems.slice(0, 20), mismatched: problems.length, targets: pairs.size, order: 'ggml [n_in, n_out]' },
    );
  }
  return { adapter: adapter.inspection, model: model.inspection, targets: [...pairs.keys()] };
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(' x ')}]`;
}

function dims(tensor: GgufTensorInfo): number[] {
  return tensor.dimensions.map(Number);
}

function loraPairs(tensors: readonly GgufTensorInfo[], file: string): Map<string, { a: number[]; b: number[] }> {
  const halves = new Map<string, { a?: number[]; b?: number[] }>();
  for (const tensor of tensors) {
    const match = LORA.exec(tensor.name);
    if (!match) continue;
    const target = tensor.name.slice(0, match.index);
    const entry = halves.get(target) ?? {};
    entry[match[1] as 'a' | 'b'] = dims(tensor);
    halves.set(target, entry);
  }
  const pairs = new Map<string, { a: number[]; b: number[] }>();
  for (const [target, { a, b }] of halves) {
    if (!a || !b) throw new ModelValidationError('corrupt', `Adapter ${file} has ${target}.lora_${a ? 'a' : 'b'} without its ${target}.lora_${a ? 'b' : 'a'}`);
    if (a.length < 2 || b.length < 2 || a[1] !== b[0]) {
      throw new ModelValidationError('corrupt', `Adapter ${file}: ${target}.lora_a ${shapeText(a)} and .lora_b ${shapeText(b)} do not share a rank (not a llama.cpp LoRA layout)`);
    }
    pairs.set(target, { a, b });
  }
  return pairs;
}

interface ParsedGguf {
  inspection: GgufInspection;
  tensors: readonly GgufTensorInfo[];
}

async function readGguf(inputPath: string): Promise<ParsedGguf> {
  const path = resolve(inputPath);
  const file = basename(path);
  const sizeBytes = checkFile(path);
  const header = scanHeader(path, sizeBytes);
  const { readGgufFileInfo, GgmlType } = await import('node-llama-cpp');
  let info: GgufFileInfo;
  try {
    info = await readGgufFileInfo(path, { readTensorInfo: true, logWarnings: false, ignoreKeys: IGNORED_KEYS, spliceSplitFiles: false, sourceType: 'filesystem' });
  } catch (error) {
    throw new ModelValidationError('corrupt', `${file} has a GGUF header that cannot be read: ${(error as Error).message}`);
  }
  const tensors = info.tensorInfo ?? [];
  checkTensorData(file, sizeBytes, tensors);

  const metadata = info.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  const general = metadata.general ?? {};
  const architecture = typeof general.architecture === 'string' ? general.architecture : '';
  if (!architecture) throw new ModelValidationError('corrupt', `${file} has no general.architecture in its header`);
  const type = typeof general.type === 'string' ? general.type : null;
  const isAdapter = type === 'adapter' || tensors.some((t) => LORA.test(t.name));
  const arch = (info.architectureMetadata ?? {}) as Record<string, unknown>;
  const tokenizer = metadata.tokenizer ?? {};
  const byType: Record<string, number> = {};
  let parameterCount = 0;
  for (const tensor of tensors) {
    const name = GgmlType[tensor.ggmlType] ?? `type-${tensor.ggmlType}`;
    byType[name] = (byType[name] ?? 0) + 1;
    parameterCount += dims(tensor).reduce((product, n) => product * n, 1);
  }
  const adapterMeta = (metadata.adapter ?? {}) as { type?: unknown; lora?: { alpha?: unknown } };
  checkTensorShapes(file, tensors);
  if (isAdapter) checkAdapterValues(file, adapterMeta);
  else checkHyperparameters(file, architecture, arch, tensors);
  const firstA = tensors.find((t) => t.name.endsWith('.lora_a'));
  return {
    tensors,
    inspection: {
      path,
      kind: isAdapter ? 'adapter' : 'model',
      type,
      architecture,
      name: typeof general.name === 'string' ? general.name : null,
      sizeBytes,
      ggufVersion: header.version,
      parameterCount,
      contextLength: typeof arch.context_length === 'number' ? arch.context_length : null,
      hasChatTemplate: typeof tokenizer.chat_template === 'string' && tokenizer.chat_template.length > 0,
      tensors: { count: tensors.length, byType },
      adapter: isAdapter
        ? {
            type: typeof adapterMeta.type === 'string' ? adapterMeta.type : null,
            alpha: typeof adapterMeta.lora?.alpha === 'number' ? adapterMeta.lora.alpha : null,
            rank: firstA ? Number(firstA.dimensions[1] ?? 0) || null : null,
            targets: tensors.filter((t) => t.name.endsWith('.lora_a')).length,
          }
        : null,
    },
  };
}

/** Bounds for hyperparameters: far above any real model, far below what makes llama.cpp allocate or loop without end. */
const LIMITS = { blocks: 4096, contextLength: 1 << 24, embedding: 1 << 20, heads: 1 << 14, experts: 1 << 12 };
const BLOCK = /^blk\.(\d+)\./;
const ATTENTION = /^blk\.\d+\.attn_(q|k|v|qkv|output)\.weight$/;

function badValue(file: string, field: string, value: unknown, why: string): ModelValidationError {
  const shown = Array.isArray(value) ? `[${value.slice(0, 8).join(', ')}${value.length > 8 ? ', ...' : ''}]` : String(value);
  return new ModelValidationError('bad-hyperparameters', `${file} cannot be loaded: ${field} is ${shown}, ${why}`, { field, value: Array.isArray(value) ? value.slice(0, 64) : value });
}

const numeric = (value: unknown): number | null => (typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : null);

/** A tensor with a zero or absurd dimension makes ggml assert while it sizes buffers. */
function checkTensorShapes(file: string, tensors: readonly GgufTensorInfo[]): void {
  for (const tensor of tensors) {
    const shape = dims(tensor);
    if (shape.some((n) => !Number.isSafeInteger(n) || n < 1)) {
      throw new ModelValidationError('bad-hyperparameters', `${file} cannot be loaded: tensor ${tensor.name} has the shape ${shapeText(shape)} (every dimension must be at least 1)`, {
        field: `tensor ${tensor.name}`, value: shape,
      });
    }
  }
}

function checkAdapterValues(file: string, adapter: { lora?: { alpha?: unknown } }): void {
  const alpha = adapter.lora?.alpha;
  if (alpha !== undefined && (numeric(alpha) === null || !Number.isFinite(numeric(alpha)))) throw badValue(file, 'adapter.lora.alpha', alpha, 'not a finite number');
}

/**
 * llama.cpp trusts the hyperparameters in a model's header: a count of 0 divides by zero or fails a GGML_ASSERT
 * (which aborts the whole process), and a huge block or context count allocates without end. So they are checked
 * for sense here, against each other and against the tensors the file really holds, before any load.
 */
function checkHyperparameters(file: string, arch: string, meta: Record<string, unknown>, tensors: readonly GgufTensorInfo[]): void {
  const attention = (meta.attention ?? {}) as Record<string, unknown>;
  const field = (key: string): string => `${arch}.${key}`;
  const count = (key: string, value: unknown, min: number, max: number): number | null => {
    if (value === undefined) return null;
    const n = numeric(value);
    if (n === null || !Number.isInteger(n)) throw badValue(file, field(key), value, 'not a whole number');
    if (n < min) throw badValue(file, field(key), value, `but it must be at least ${min}`);
    if (n > max) throw badValue(file, field(key), value, `more than ${max}, which no real model has`);
    return n;
  };
  /** A per-layer array (hybrid models) or one value for every layer. */
  const perLayer = (key: string, value: unknown, min: number, max: number, blocks: number | null): number[] | null => {
    if (value === undefined) return null;
    if (!Array.isArray(value)) return [count(key, value, min, max)!];
    if (blocks !== null && value.length !== blocks) throw badValue(file, field(key), value, `a list of ${value.length} values for ${blocks} blocks`);
    return value.map((v) => count(key, v, 0, max)!);
  };

  count('context_length', meta.context_length, 1, LIMITS.contextLength);
  const blocks = count('block_count', meta.block_count, 1, LIMITS.blocks);
  const embedding = count('embedding_length', meta.embedding_length, 1, LIMITS.embedding);

  const indices = new Set<number>();
  for (const tensor of tensors) {
    const match = BLOCK.exec(tensor.name);
    if (match) indices.add(Number(match[1]));
  }
  if (blocks !== null && indices.size > 0) {
    const highest = Math.max(...indices);
    if (indices.size !== blocks || highest !== blocks - 1) {
      throw badValue(file, field('block_count'), blocks, `but the file holds the tensors of ${indices.size} blocks (blk.0 to blk.${highest})`);
    }
  }

  // Models with attention tensors need heads (pure state-space models such as Mamba write 0 and have none).
  const hasAttention = tensors.some((t) => ATTENTION.test(t.name));
  const minHeads = hasAttention ? 1 : 0;
  const heads = perLayer('attention.head_count', attention.head_count, minHeads, LIMITS.heads, blocks);
  const kvHeads = perLayer('attention.head_count_kv', attention.head_count_kv, minHeads, LIMITS.heads, blocks);
  if (hasAttention && heads && heads.every((n) => n === 0)) throw badValue(file, field('attention.head_count'), attention.head_count, 'but the model has attention layers');
  if (hasAttention && kvHeads && kvHeads.every((n) => n === 0)) throw badValue(file, field('attention.head_count_kv'), attention.head_count_kv, 'but the model has attention layers');
  const keyLength = count('attention.key_length', attention.key_length, 1, LIMITS.embedding);
  count('attention.value_length', attention.value_length, 1, LIMITS.embedding);
  const oneHeads = heads?.length === 1 ? heads[0]! : null;
  const oneKvHeads = kvHeads?.length === 1 ? kvHeads[0]! : null;
  if (oneHeads && oneKvHeads) {
    if (oneKvHeads > oneHeads || oneHeads % oneKvHeads !== 0) {
      throw badValue(file, field('attention.head_count_kv'), oneKvHeads, `but ${field('attention.head_count')} is ${oneHeads} (query heads must be a multiple of key/value heads)`);
    }
  }
  if (oneHeads && embedding && keyLength === null && embedding % oneHeads !== 0) {
    throw badValue(file, field('attention.head_count'), oneHeads, `but ${field('embedding_length')} (${embedding}) does not split into that many heads`);
  }

  const experts = count('expert_count', meta.expert_count, 0, LIMITS.experts);
  const used = count('expert_used_count', meta.expert_used_count, 0, LIMITS.experts);
  if (experts !== null && used !== null && (used > experts || (experts > 0 && used === 0))) {
    throw badValue(file, field('expert_used_count'), used, `with ${field('expert_count')} ${experts}`);
  }

  // Tensor shapes against the hyperparameters (ggml order: [n_in, n_out]).
  const shapeOf = (name: string): number[] | null => {
    const tensor = tensors.find((t) => t.name === name);
    return tensor ? dims(tensor) : null;
  };
  const mismatch = (name: string, shape: number[], why: string): ModelValidationError =>
    new ModelValidationError('bad-hyperparameters', `${file} cannot be loaded: tensor ${name} is ${shapeText(shape)}, ${why}`, { field: `tensor ${name}`, value: shape });
  if (embedding !== null) {
    const tokens = shapeOf('token_embd.weight');
    if (tokens && tokens[0] !== embedding) throw mismatch('token_embd.weight', tokens, `but ${field('embedding_length')} is ${embedding}`);
  }
  for (const index of [...indices].sort((a, b) => a - b).slice(0, 1)) {
    for (const [part, headCount] of [['q', oneHeads], ['k', oneKvHeads], ['v', oneKvHeads]] as const) {
      const name = `blk.${index}.attn_${part}.weight`;
      const shape = shapeOf(name);
      if (!shape) continue;
      if (embedding !== null && shape[0] !== embedding) throw mismatch(name, shape, `but ${field('embedding_length')} is ${embedding}`);
      if (headCount && shape.length > 1 && shape[1]! % headCount !== 0) {
        throw mismatch(name, shape, `which does not split into ${headCount} heads (${field(part === 'q' ? 'attention.head_count' : 'attention.head_count_kv')})`);
      }
    }
  }
}

function checkFile(path: string): number {
  const file = basename(path);
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ModelValidationError('not-found', `No such file: ${path}`);
    throw new ModelValidationError('unreadable', `Cannot read ${path}: ${(error as Error).message}`);
  }
  if (stat.isDirectory()) throw new ModelValidationError('not-gguf', `${path} is a folder, not a GGUF file`);
  if (stat.size < 4) throw new ModelValidationError('not-gguf', `${file} is not a GGUF file (${stat.size} bytes; a GGUF file starts with the bytes "GGUF")`);
  return stat.size;
}

/** Byte sizes of one block of each ggml type and the elements it holds (ggml.c's type traits). */
const BLOCKS: Record<number, [elements: number, bytes: number]> = {
  0: [1, 4], 1: [1, 2], 2: [32, 18], 3: [32, 20], 6: [32, 22], 7: [32, 24], 8: [32, 34], 9: [32, 36],
  10: [256, 84], 11: [256, 110], 12: [256, 144], 13: [256, 176], 14: [256, 210], 15: [256, 292],
  16: [256, 66], 17: [256, 74], 18: [256, 98], 19: [256, 50], 20: [32, 18], 21: [256, 110], 22: [256, 82],
  23: [256, 136], 24: [1, 1], 25: [1, 2], 26: [1, 4], 27: [1, 8], 28: [1, 8], 29: [256, 56], 30: [1, 2],
  34: [256, 54], 35: [256, 66], 39: [32, 17],
};

/** An interrupted download keeps a whole header but lacks tensor data; the header parser alone does not notice. */
function checkTensorData(file: string, sizeBytes: number, tensors: readonly GgufTensorInfo[]): void {
  let needed = 0;
  for (const tensor of tensors) {
    const shape = dims(tensor);
    const block = BLOCKS[tensor.ggmlType];
    const bytes = block ? Math.ceil((shape[0] ?? 1) / block[0]) * block[1] * shape.slice(1).reduce((p, n) => p * n, 1) : 1;
    needed = Math.max(needed, Number(tensor.fileOffset) + bytes);
  }
  if (needed > sizeBytes) {
    throw new ModelValidationError('truncated', `${file} is incomplete: its tensors need ${needed} bytes but the file has ${sizeBytes} (an interrupted download or copy?)`, {
      sizeBytes,
      expectedAtLeast: needed,
    });
  }
}

class HeaderProblem extends Error {
  constructor(readonly code: 'truncated' | 'corrupt', message: string) {
    super(message);
  }
}

const FIXED_SIZES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const STRING = 8;
const ARRAY = 9;

/**
 * Walks the whole header with bounds checks before node-llama-cpp parses it: its reader pads past the end of the
 * file with zeros, so a cut-off or bit-flipped header would otherwise parse as garbage (or loop on a huge count).
 */
function scanHeader(path: string, size: number): { version: number } {
  const file = basename(path);
  const reader = new BoundedReader(path, size);
  try {
    const magic = reader.bytes(4).toString('latin1');
    if (magic !== MAGIC) {
      const shown = /^[\x20-\x7e]{4}$/.test(magic) ? `"${magic}"` : `0x${Buffer.from(magic, 'latin1').toString('hex')}`;
      throw new ModelValidationError('not-gguf', `${file} is not a GGUF file: it starts with ${shown} instead of "GGUF"`);
    }
    const version = reader.u32();
    if (version === 1) throw new HeaderProblem('corrupt', 'it is GGUF version 1, which llama.cpp no longer reads');
    if (version !== 2 && version !== 3) throw new HeaderProblem('corrupt', `unknown GGUF version ${version}`);
    const tensorCount = reader.count('tensors', 32);
    const kvCount = reader.count('metadata entries', 13);
    let alignment = 32;
    for (let i = 0; i < kvCount; i++) {
      const key = reader.string('metadata key', 65_536);
      const type = reader.u32();
      if (key === 'general.alignment' && type === 4) alignment = reader.u32() || 32;
      else reader.skipValue(type, key);
    }
    for (let i = 0; i < tensorCount; i++) {
      const name = reader.string('tensor name', 65_536);
      const nDims = reader.u32();
      if (nDims < 1 || nDims > 4) throw new HeaderProblem('corrupt', `tensor ${name} claims ${nDims} dimensions`);
      reader.skip(nDims * 8 + 4 + 8);
    }
    const dataStart = tensorCount === 0 ? reader.position : Math.ceil(reader.position / alignment) * alignment;
    if (dataStart > size) throw new HeaderProblem('truncated', 'the file ends inside its header');
    return { version };
  } catch (error) {
    if (error instanceof HeaderProblem) {
      const message = error.code === 'truncated' ? `${file} is truncated: ${error.message} (${size} bytes; an interrupted download or copy?)` : `${file} is a corrupt GGUF file: ${error.message}`;
      throw new ModelValidationError(error.code, message, { sizeBytes: size });
    }
    throw error;
  } finally {
    reader.close();
  }
}

class BoundedReader {
  position = 0;
  private readonly fd: number;
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    path: string,
    private readonly size: number,
  ) {
    try {
      this.fd = openSync(path, 'r');
    } catch (error) {
      throw new ModelValidationError('unreadable', `Cannot read ${path}: ${(error as Error).message}`);
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  bytes(n: number): Buffer {
    this.need(n);
    const offset = this.position - this.windowStart;
    if (offset < 0 || offset + n > this.window.length) {
      this.window = Buffer.alloc(Math.max(n, 1 << 20));
      const read = readSync(this.fd, this.window, 0, this.window.length, this.position);
      this.window = this.window.subarray(0, read);
      this.windowStart = this.position;
    }
    const start = this.position - this.windowStart;
    this.position += n;
    return this.window.subarray(start, start + n);
  }

  u32(): number {
    return this.bytes(4).readUInt32LE(0);
  }

  u64(): number {
    const value = this.bytes(8).readBigUInt64LE(0);
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
  }

  /** A count of items that each take at least `minBytes`: more than the file could hold means corrupt or cut off. */
  count(what: string, minBytes: number): number {
    const n = this.u64();
    if (n > 10_000_000) throw new HeaderProblem('corrupt', `its header announces ${n} ${what}`);
    if (n * minBytes > this.size - this.position) throw new HeaderProblem('truncated', `its header announces ${n} ${what} but the file ends before them`);
    return n;
  }

  string(what: string, max: number): string {
    const length = this.u64();
    if (length > max) throw new HeaderProblem('corrupt', `a ${what} claims ${length} bytes`);
    return this.bytes(length).toString('utf8');
  }

  skip(n: number): void {
    this.need(n);
    this.position += n;
  }

  skipValue(type: number, key: string): void {
    const fixed = FIXED_SIZES[type];
    if (fixed !== undefined) return this.skip(fixed);
    if (type === STRING) return this.skip(this.u64Within(key));
    if (type !== ARRAY) throw new HeaderProblem('corrupt', `metadata ${key} has unknown value type ${type}`);
    const itemType = this.u32();
    const n = this.u64();
    const itemSize = FIXED_SIZES[itemType];
    if (itemSize !== undefined) {
      if (n * itemSize > this.size - this.position) throw new HeaderProblem('truncated', `metadata ${key} (${n} items) runs past the end of the file`);
      return this.skip(n * itemSize);
    }
    if (itemType !== STRING) throw new HeaderProblem('corrupt', `metadata ${key} is an array of unsupported type ${itemType}`);
    if (n * 8 > this.size - this.position) throw new HeaderProblem('truncated', `metadata ${key} (${n} strings) runs past the end of the file`);
    for (let i = 0; i < n; i++) this.skip(this.u64Within(key));
  }

  private u64Within(key: string): number {
    const length = this.u64();
    if (length > this.size - this.position) throw new HeaderProblem('truncated', `metadata ${key} runs past the end of the file`);
    return length;
  }

  private need(n: number): void {
    if (this.position + n > this.size) throw new HeaderProblem('truncated', 'the file ends inside its header');
  }
}
