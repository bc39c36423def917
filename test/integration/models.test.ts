import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCatalogEntry, loadCatalog } from '../../electron/engine/models/catalog.js';
import { checkAdapterFits, inspectGguf } from '../../electron/engine/models/gguf.js';
import { ModelRegistry } from '../../electron/engine/models/registry.js';
import { CLI, ROOT, tempDir } from '../helpers.js';

const SHARED = resolve(ROOT, '..', 'shared', 'models');
const STORIES = join(SHARED, 'stories260K', 'stories260K.gguf');
const STORIES_CHAT = join(SHARED, 'stories260K-chat', 'stories260K-chat.gguf');
const HAPPY_LORA = join(SHARED, 'stories260K-happy-lora', 'stories260K-happy-lora.gguf');
const TINY_RANDOM = join(SHARED, 'llama-2-tiny-random', 'llama-2-tiny-random.gguf');
const sharedPresent = [STORIES, STORIES_CHAT, HAPPY_LORA, TINY_RANDOM].every((f) => existsSync(f));
if (!sharedPresent) console.warn(`[skipped] real tiny-model tests: ${SHARED} lacks stories260K, stories260K-chat, the happy LoRA or llama-2-tiny-random`);

// ---- a minimal GGUF v3 writer, so that the always-run tests need no shared files ----
type Value = string | number | boolean;
const u32 = (n: number): Buffer => Buffer.from(new Uint32Array([n]).buffer);
const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const str = (s: string): Buffer => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);
const value = (v: Value): Buffer => {
  if (typeof v === 'string') return Buffer.concat([u32(8), str(v)]);
  if (typeof v === 'boolean') return Buffer.concat([u32(7), Buffer.from([v ? 1 : 0])]);
  if (Number.isInteger(v)) return Buffer.concat([u32(4), u32(v)]);
  const f = Buffer.alloc(4);
  f.writeFloatLE(v);
  return Buffer.concat([u32(6), f]);
};

/** A GGUF file with F32 tensors (ggml order dims) full of zeros. */
function gguf(kv: Record<string, Value>, tensors: Record<string, number[]>): Buffer {
  const align = (n: number): number => Math.ceil(n / 32) * 32;
  const parts = [Buffer.from('GGUF'), u32(3), u64(Object.keys(tensors).length), u64(Object.keys(kv).length)];
  for (const [key, v] of Object.entries(kv)) parts.push(str(key), value(v));
  let offset = 0;
  for (const [name, dims] of Object.entries(tensors)) {
    parts.push(str(name), u32(dims.length), ...dims.map(u64), u32(0), u64(offset));
    offset = align(offset + dims.reduce((p, n) => p * n, 1) * 4);
  }
  const header = Buffer.concat(parts);
  return Buffer.concat([header, Buffer.alloc(align(header.length) - header.length), Buffer.alloc(offset)]);
}

const LLAMA_KV = { 'general.architecture': 'llama', 'general.name': 'synthetic', 'llama.context_length': 512, 'llama.embedding_length': 16 };
const syntheticModel = (embd = 16, vocab = 32, extra: Record<string, Value> = {}): Buffer =>
  gguf({ ...LLAMA_KV, 'llama.embedding_length': embd, ...extra }, {
    'token_embd.weight': [embd, vocab],
    'blk.0.attn_q.weight': [embd, embd],
    'output.weight': [embd, vocab],
  });
const syntheticLora = (embd = 16, vocab = 32, arch = 'llama'): Buffer =>
  gguf({ 'general.architecture': arch, 'general.type': 'adapter', 'adapter.type': 'lora', 'adapter.lora.alpha': 2.5 }, {
    'blk.0.attn_q.weight.lora_a': [embd, 2],
    'blk.0.attn_q.weight.lora_b': [2, embd],
    'output.weight.lora_a': [embd, 2],
    'output.weight.lora_b': [2, vocab],
  });

/** The rejection of a promise (or throw of a function), for asserting its code and message. */
async function failure(work: Promise<unknown> | (() => unknown)): Promise<{ code: string; message: string }> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a failure, but it succeeded');
}

function quire(data: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, '--data-dir', data, ...args], { encoding: 'utf8', env: { ...process.env, QUIRE_DATA_DIR: '' } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

let tmp: ReturnType<typeof tempDir>;
let files: Record<'model' | 'chatModel' | 'lora' | 'wideLora' | 'mistralLora' | 'text' | 'header100' | 'noData' | 'badType', string>;

beforeAll(() => {
  tmp = tempDir('quire-models-');
  const f = (name: string, content: Buffer | string): string => {
    const path = join(tmp.dir, 'files', name);
    mkdirSync(join(tmp.dir, 'files'), { recursive: true });
    writeFileSync(path, content);
    return path;
  };
  const model = syntheticModel();
  const badType = Buffer.from(model);
  badType.writeUInt32LE(99, 24 + 8 + 'general.architecture'.length); // the first value's type tag
  files = {
    model: f('tiny-model.gguf', model),
    chatModel: f('tiny-chat.gguf', syntheticModel(16, 32, { 'tokenizer.chat_template': '{{ messages }}' })),
    lora: f('tiny-lora.gguf', syntheticLora()),
    wideLora: f('wide-lora.gguf', syntheticLora(24, 32)),
    mistralLora: f('other-arch-lora.gguf', syntheticLora(16, 32, 'mistral')),
    text: f('notes.gguf', 'These are my notes, renamed to .gguf by mistake.\n'),
    header100: f('header100.gguf', model.subarray(0, 100)),
    noData: f('no-data.gguf', model.subarray(0, model.length - 64)),
    badType: f('bad-type.gguf', badType),
  };
});
afterAll(() => tmp.cleanup());

describe('GGUF validation (synthetic files, always run)', () => {
  it('describes a model', async () => {
    const info = await inspectGguf(files.model);
    expect(info).toMatchObject({ kind: 'model', architecture: 'llama', name: 'synthetic', contextLength: 512, hasChatTemplate: false, ggufVersion: 3 });
    expect(info.parameterCount).toBe(16 * 32 * 2 + 16 * 16);
    expect(info.tensors).toEqual({ count: 3, byType: { F32: 3 } });
    expect((await inspectGguf(files.chatModel)).hasChatTemplate).toBe(true);
  });

  it('describes a LoRA adapter', async () => {
    const info = await inspectGguf(files.lora);
    expect(info).toMatchObject({ kind: 'adapter', type: 'adapter', adapter: { type: 'lora', alpha: 2.5, rank: 2, targets: 2 } });
  });

  it('a text file renamed .gguf is not-gguf, with the bytes it starts with', async () => {
    const error = await failure(inspectGguf(files.text));
    expect(error.code).toBe('not-gguf');
    expect(error.message).toMatch(/notes\.gguf is not a GGUF file: it starts with "Thes"/);
  });

  it('the first 100 bytes of a header are truncated', async () => {
    const error = await failure(inspectGguf(files.header100));
    expect(error.code).toBe('truncated');
    expect(error.message).toMatch(/header100\.gguf is truncated/);
  });

  it('a whole header without all its tensor data is truncated (an interrupted download)', async () => {
    const error = await failure(inspectGguf(files.noData));
    expect(error.code).toBe('truncated');
    expect(error.message).toMatch(/its tensors need \d+ bytes but the file has \d+/);
  });

  it('an unknown metadata type is corrupt', async () => {
    const error = await failure(inspectGguf(files.badType));
    expect(error.code).toBe('corrupt');
    expect(error.message).toMatch(/unknown value type 99/);
  });

  it('a missing file is not-found', async () => {
    const error = await failure(inspectGguf(join(tmp.dir, 'nowhere.gguf')));
    expect(error.code).toBe('not-found');
    expect(error.message).toContain('nowhere.gguf');
  });

  it('an adapter fits the base whose tensors it targets', async () => {
    const fit = await checkAdapterFits(files.lora, files.model);
    expect(fit.targets.sort()).toEqual(['blk.0.attn_q.weight', 'output.weight']);
  });

  it('an adapter for other dimensions is a shape-mismatch naming the tensor and both shapes', async () => {
    const error = await failure(checkAdapterFits(files.wideLora, files.model));
    expect(error.code).toBe('shape-mismatch');
    expect(error.message).toMatch(/tensor \S+ is \[16 x (16|32)\] in the model but the adapter expects \[24 x (24|32)\]/);
  });

  it('an adapter for another architecture is an architecture-mismatch', async () => {
    const error = await failure(checkAdapterFits(files.mistralLora, files.model));
    expect(error.code).toBe('architecture-mismatch');
    expect(error.message).toMatch(/for mistral models, but tiny-model\.gguf is llama/);
  });

  it('a model given as the adapter is not-an-adapter', async () => {
    expect((await failure(checkAdapterFits(files.model, files.model))).code).toBe('not-an-adapter');
  });
});

describe('model registry (always run)', () => {
  it('imports a model in place, survives a restart, and removes it without touching the file', async () => {
    const data = join(tmp.dir, 'data-restart');
    const { model, added } = await new ModelRegistry(data).importModel(files.model);
    expect(added).toBe(true);
    expect(model).toMatchObject({ id: 'tiny-model', path: files.model, architecture: 'llama', sizeBytes: readFileSync(files.model).length, hasChatTemplate: false });
    expect(model.sha256).toBeUndefined();

    const again = new ModelRegistry(data);
    expect(again.listModels().map((m) => m.id)).toEqual(['tiny-model']);
    expect((await again.resolveModel('tiny-model')).path).toBe(files.model);
    expect((await again.importModel(files.model)).added).toBe(false);
    expect(readdirSync(join(data, 'models'))).toEqual(['registry.json']); // no temp files left behind

    expect(again.removeModel('tiny-model').deletedFile).toBe(false);
    expect(existsSync(files.model)).toBe(true);
    expect(new ModelRegistry(data).listModels()).toEqual([]);
    expect((await failure(() => again.removeModel('tiny-model'))).code).toBe('unknown-model');
  });

  it('makes ids unique, records a sha256 on request, and takes a chosen id', async () => {
    const registry = new ModelRegistry(join(tmp.dir, 'data-ids'));
    const other = join(tmp.dir, 'elsewhere', 'tiny-model.gguf');
    mkdirSync(join(tmp.dir, 'elsewhere'));
    copyFileSync(files.model, other);
    await registry.importModel(files.model);
    const second = await registry.importModel(other, { hash: true });
    expect(second.model.id).toBe('tiny-model-2');
    expect(second.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await registry.importModel(files.chatModel, { id: 'chatty' })).model.id).toBe('chatty');
    const third = join(tmp.dir, 'elsewhere', 'third.gguf');
    copyFileSync(files.model, third);
    const taken = await failure(registry.importModel(third, { id: 'chatty' }));
    expect(taken.code).toBe('duplicate-id');
    expect((await failure(registry.importModel(third, { id: '../x' }))).code).toBe('invalid-id');
  });

  it('refuses an adapter imported as a model, and a model imported as an adapter', async () => {
    const registry = new ModelRegistry(join(tmp.dir, 'data-kinds'));
    const asModel = await failure(registry.importModel(files.lora));
    expect(asModel.code).toBe('not-a-model');
    expect(asModel.message).toMatch(/is a LoRA adapter, not a model/);
    expect((await failure(registry.importAdapter(files.model))).code).toBe('not-an-adapter');
    expect(registry.listModels()).toEqual([]);
  });

  it('checks an adapter against --base, or against the only model of its architecture', async () => {
    const registry = new ModelRegistry(join(tmp.dir, 'data-adapters'));
    const mismatch = await failure(registry.importAdapter(files.wideLora, { base: files.model }));
    expect(mismatch.code).toBe('shape-mismatch');
    const unchecked = await registry.importAdapter(files.lora);
    expect(unchecked.checkedAgainst).toBeNull();
    await registry.importModel(files.model);
    expect((await failure(registry.importAdapter(files.wideLora))).code).toBe('shape-mismatch');
    const { adapter, checkedAgainst } = await registry.importAdapter(files.lora);
    expect(checkedAgainst?.id).toBe('tiny-model');
    expect(adapter).toMatchObject({ id: 'tiny-lora', base: 'tiny-model', rank: 2, alpha: 2.5 });
    expect((await registry.resolveAdapter('tiny-lora')).base).toBe('tiny-model');
    registry.removeModel('tiny-model');
    expect(registry.listAdapters()[0]?.base).toBeUndefined();
    expect(registry.removeAdapter('tiny-lora').deletedFile).toBe(false);
    expect(existsSync(files.lora)).toBe(true);
  });

  it('resolves paths too, and says so when a registered file is gone', async () => {
    const data = join(tmp.dir, 'data-resolve');
    const registry = new ModelRegistry(data);
    expect((await registry.resolveModel(files.chatModel)).id).toBeNull();
    const moved = join(tmp.dir, 'files', 'will-move.gguf');
    copyFileSync(files.model, moved);
    await registry.importModel(moved);
    writeFileSync(moved, ''); // stand-in for a file replaced by garbage
    expect((await failure(registry.resolveModel('will-move'))).code).toBe('not-gguf');
    const gone = join(tmp.dir, 'files', 'gone.gguf');
    copyFileSync(files.model, gone);
    await registry.importModel(gone);
    rmSync(gone);
    const error = await failure(registry.resolveModel('gone'));
    expect(error.code).toBe('not-found');
    expect(error.message).toMatch(/"gone" is registered at .*gone\.gguf, but that file is gone/);
    expect((await failure(registry.resolveModel('no-such-id'))).code).toBe('unknown-model');
  });

  it('deletes a file on remove only when it lives in the downloads folder', async () => {
    const registry = new ModelRegistry(join(tmp.dir, 'data-downloads'));
    mkdirSync(registry.downloadsDir, { recursive: true });
    const downloaded = join(registry.downloadsDir, 'pulled.gguf');
    copyFileSync(files.model, downloaded);
    await registry.importModel(downloaded);
    expect(registry.removeModel('pulled').deletedFile).toBe(true);
    expect(existsSync(downloaded)).toBe(false);
  });

  it('reports a corrupt registry.json and leaves it as it is', async () => {
    const registry = new ModelRegistry(join(tmp.dir, 'data-corrupt'));
    mkdirSync(registry.dir, { recursive: true });
    for (const content of ['{"version": 1, "models": [', '{"version": 1, "models": [{"id": "x"}], "adapters": []}']) {
      writeFileSync(registry.file, content);
      const listed = await failure(() => registry.listModels());
      expect(listed.code).toBe('registry-corrupt');
      expect(listed.message).toMatch(/registry\.json is damaged: .* It was left untouched/);
      expect((await failure(registry.importModel(files.model))).code).toBe('registry-corrupt');
      expect(readFileSync(registry.file, 'utf8')).toBe(content);
    }
  });
});

describe('catalog', () => {
  it('loads and validates models/catalog.json', () => {
    const catalog = loadCatalog();
    const kinds = new Set(catalog.entries.map((e) => e.kind));
    expect(kinds).toEqual(new Set(['llm', 'embedder']));
    for (const entry of catalog.entries) {
      const urls = entry.kind === 'llm' ? [entry.url] : entry.files.map((f) => f.url);
      for (const url of urls) expect(url).toMatch(/^https:\/\/huggingface\.co\/[^/]+\/[^/]+\/resolve\/main\//);
    }
  });

  it('an unknown id fails before any download', async () => {
    const error = await failure(() => findCatalogEntry(loadCatalog(), 'no-such-model'));
    expect(error.code).toBe('unknown-catalog-id');
    expect(error.message).toMatch(/No catalog entry "no-such-model"\. Known ids: /);
  });
});

describe('quire models / adapters (CLI)', () => {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first with "npx tsc -p tsconfig.build.json"`);
  });

  it('import of a bogus file exits 1 with the reason', () => {
    const run = quire(join(tmp.dir, 'cli-bogus'), 'models', 'import', files.text);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^quire: notes\.gguf is not a GGUF file/m);
  });

  it('import --json, list --json and remove', () => {
    const data = join(tmp.dir, 'cli-import');
    const imported = quire(data, 'models', 'import', files.model, '--json');
    expect(imported.status).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ added: true, model: { id: 'tiny-model', path: files.model } });
    const plain = quire(data, 'models', 'import', files.chatModel);
    expect(plain.stdout).toMatch(/Registered model "tiny-chat".*\n.*\n.*not copied/);
    const list = JSON.parse(quire(data, 'models', 'list', '--json').stdout) as { id: string }[];
    expect(list.map((m) => m.id)).toEqual(['tiny-model', 'tiny-chat']);
    const removed = quire(data, 'models', 'remove', 'tiny-model');
    expect(removed.status).toBe(0);
    expect(removed.stdout).toMatch(/was not touched/);
    const again = quire(data, 'models', 'remove', 'tiny-model');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/quire: No model with id "tiny-model"/);
  });

  it('adapters import refuses a misfit and lists a fit', () => {
    const data = join(tmp.dir, 'cli-adapters');
    expect(quire(data, 'models', 'import', files.model).status).toBe(0);
    const misfit = quire(data, 'adapters', 'import', files.wideLora, '--base', 'tiny-model', '--json');
    expect(misfit.status).toBe(1);
    expect(JSON.parse(misfit.stdout)).toMatchObject({ error: { code: 'shape-mismatch' } });
    expect(misfit.stderr).toMatch(/quire: Adapter wide-lora\.gguf does not fit model tiny-model\.gguf/);
    const fit = quire(data, 'adapters', 'import', files.lora);
    expect(fit.status).toBe(0);
    expect(fit.stdout).toMatch(/fits model "tiny-model"/);
    expect(quire(data, 'adapters', 'list').stdout).toMatch(/^tiny-lora\tllama\t.*fits tiny-model/m);
  });

  it('pull of an unknown id fails clearly', () => {
    const run = quire(join(tmp.dir, 'cli-pull'), 'models', 'pull', 'no-such-model');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/quire: No catalog entry "no-such-model"\. Known ids: .*qwen2\.5-0\.5b-instruct/);
  });

  it('catalog lists every entry and how it is verified', () => {
    const run = quire(join(tmp.dir, 'cli-catalog'), 'models', 'catalog');
    expect(run.status).toBe(0);
    for (const entry of loadCatalog().entries) expect(run.stdout).toContain(entry.id);
    expect(run.stdout).toMatch(/verified by size only/);
  });
});

describe.skipIf(!sharedPresent)('real tiny models from shared/models', () => {
  it('imports stories260K and its happy LoRA with --base stories260K', async () => {
    const registry = new ModelRegistry(join(tmp.dir, 'real'));
    const { model, info } = await registry.importModel(STORIES);
    expect(model).toMatchObject({ id: 'stories260K', architecture: 'llama', sizeBytes: 1_185_376, hasChatTemplate: false, contextLength: 2048 });
    expect(info.tensors.count).toBe(48);
    const { adapter, checkedAgainst } = await registry.importAdapter(HAPPY_LORA, { base: 'stories260K' });
    expect(checkedAgainst?.id).toBe('stories260K');
    expect(adapter).toMatchObject({ id: 'stories260K-happy-lora', base: 'stories260K', rank: 4, alpha: 4 });
    const resolved = await registry.resolveAdapter('stories260K-happy-lora');
    expect(resolved.path).toBe(HAPPY_LORA);
    expect((await checkAdapterFits(HAPPY_LORA, STORIES_CHAT)).targets).toHaveLength(11);
    expect((await inspectGguf(STORIES_CHAT)).hasChatTemplate).toBe(true);
  });

  it('the happy LoRA does not fit llama-2-tiny-random: shape-mismatch naming output.weight', async () => {
    const registry = new ModelRegistry(join(tmp.dir, 'real-misfit'));
    await registry.importModel(TINY_RANDOM);
    const error = await failure(registry.importAdapter(HAPPY_LORA, { base: 'llama-2-tiny-random' }));
    expect(error.code).toBe('shape-mismatch');
    expect(error.message).toContain('tensor output.weight is [8 x 32000] in the model but the adapter expects [64 x 512]');
    expect(registry.listAdapters()).toEqual([]);
  });

  it('the happy LoRA imported as a model is refused', async () => {
    const error = await failure(new ModelRegistry(join(tmp.dir, 'real-kind')).importModel(HAPPY_LORA));
    expect(error.code).toBe('not-a-model');
    expect(error.message).toMatch(/stories260K-happy-lora\.gguf is a LoRA adapter, not a model/);
  });

  it('the first 100 bytes of stories260K are truncated', async () => {
    const cut = join(tmp.dir, 'files', 'stories-cut.gguf');
    writeFileSync(cut, readFileSync(STORIES).subarray(0, 100));
    expect((await failure(inspectGguf(cut))).code).toBe('truncated');
  });

  it('the CLI refuses the LoRA on llama-2-tiny-random', () => {
    const data = join(tmp.dir, 'real-cli');
    expect(quire(data, 'models', 'import', TINY_RANDOM).status).toBe(0);
    const run = quire(data, 'adapters', 'import', HAPPY_LORA, '--base', 'llama-2-tiny-random');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/quire: Adapter stories260K-happy-lora\.gguf does not fit model llama-2-tiny-random\.gguf: tensor output\.weight/);
  });
});
