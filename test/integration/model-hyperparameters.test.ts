import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectGguf } from '../../electron/engine/models/gguf.js';
import { CLI, ROOT, tempDir } from '../helpers.js';

const MODELS = resolve(ROOT, '..', 'shared', 'models');
const STORIES = resolve(MODELS, 'stories260K', 'stories260K.gguf');
const LORA = resolve(MODELS, 'stories260K-happy-lora', 'stories260K-happy-lora.gguf');
const present = [STORIES, LORA].every(existsSync);
if (!present) console.warn(`[skipped] GGUF hyperparameter tests: the tiny models in ${MODELS} are not present`);

let tmp: ReturnType<typeof tempDir>;

/** Copies a real GGUF and overwrites the value of one metadata key in place (same type, same size). */
function patched(source: string, name: string, key: string, write: (file: Buffer, at: number, type: number) => void): string {
  const file = readFileSync(source);
  const keyBytes = Buffer.from(key);
  const prefixed = Buffer.concat([Buffer.alloc(8), keyBytes]);
  prefixed.writeBigUInt64LE(BigInt(keyBytes.length));
  const at = file.indexOf(prefixed);
  if (at < 0) throw new Error(`${key} not in ${source}`);
  const typeAt = at + prefixed.length;
  write(file, typeAt + 4, file.readUInt32LE(typeAt));
  const out = join(tmp.dir, 'files', name);
  mkdirSync(join(tmp.dir, 'files'), { recursive: true });
  writeFileSync(out, file);
  return out;
}
const u32 = (value: number) => (file: Buffer, at: number, type: number) => {
  expect(type).toBe(4);
  file.writeUInt32LE(value, at);
};

function quire(data: string, ...args: string[]) {
  return spawnSync(process.execPath, [CLI, '--data-dir', data, ...args], { encoding: 'utf8', env: { ...process.env, QUIRE_DATA_DIR: '' } });
}

beforeAll(() => {
  tmp = tempDir('quire-hparams-');
});
afterAll(() => tmp.cleanup());

describe.skipIf(!present)('hyperparameters are checked before any load (stories260K patched)', () => {
  const cases = [
    { name: 'zero-heads.gguf', key: 'llama.attention.head_count', value: 0, message: /llama\.attention\.head_count is 0/ },
    { name: 'zero-kv-heads.gguf', key: 'llama.attention.head_count_kv', value: 0, message: /llama\.attention\.head_count_kv is 0/ },
    { name: 'many-blocks.gguf', key: 'llama.block_count', value: 100_000, message: /llama\.block_count is 100000/ },
    { name: 'six-blocks.gguf', key: 'llama.block_count', value: 6, message: /llama\.block_count is 6, but the file holds the tensors of 5 blocks/ },
    { name: 'odd-kv-heads.gguf', key: 'llama.attention.head_count_kv', value: 3, message: /llama\.attention\.head_count_kv is 3, but llama\.attention\.head_count is 8/ },
    { name: 'zero-context.gguf', key: 'llama.context_length', value: 0, message: /llama\.context_length is 0/ },
    { name: 'huge-context.gguf', key: 'llama.context_length', value: 4_000_000_000, message: /llama\.context_length is 4000000000/ },
    { name: 'wrong-width.gguf', key: 'llama.embedding_length', value: 48, message: /token_embd\.weight is \[64 x 512\], but llama\.embedding_length is 48/ },
  ];

  it.each(cases)('quire models import refuses $name, naming the field', ({ name, key, value, message }) => {
    const file = patched(STORIES, name, key, u32(value));
    const data = join(tmp.dir, `import-${name}`);
    const run = quire(data, 'models', 'import', file);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(existsSync(join(data, 'models', 'registry.json'))).toBe(false);
  });

  it('the unpatched model still imports', () => {
    expect(quire(join(tmp.dir, 'import-ok'), 'models', 'import', STORIES).status).toBe(0);
  });

  it('a LoRA whose alpha is not a number is refused, naming adapter.lora.alpha', async () => {
    const file = patched(LORA, 'nan-alpha.gguf', 'adapter.lora.alpha', (buffer, at, type) => {
      expect(type).toBe(6);
      buffer.writeFloatLE(Number.NaN, at);
    });
    await expect(inspectGguf(file)).rejects.toMatchObject({ code: 'bad-hyperparameters', message: expect.stringContaining('adapter.lora.alpha is NaN') });
  });

  it('a registry entry written before the check cannot abort quire ask: exit 1 with the field named, not 134', () => {
    const data = join(tmp.dir, 'old-registry');
    const docs = join(tmp.dir, 'docs');
    mkdirSync(docs, { recursive: true });
    writeFileSync(join(docs, 'lily.md'), '# Lily\n\nLily plays in the park with her dog Max.\n');
    expect(quire(data, 'index', docs, '--library', 'kids', '--no-embed').status).toBe(0);
    const bad = join(tmp.dir, 'files', 'registered-zero-heads.gguf');
    copyFileSync(patched(STORIES, 'zero-heads-2.gguf', 'llama.attention.head_count', u32(0)), bad);
    // What an older Quire wrote when it imported this file without checking it.
    mkdirSync(join(data, 'models'), { recursive: true });
    writeFileSync(join(data, 'models', 'registry.json'), JSON.stringify({
      version: 1, adapters: [],
      models: [{ id: 'zero-heads', path: bad, architecture: 'llama', name: 'llama', sizeBytes: readFileSync(bad).length, hasChatTemplate: false, contextLength: 2048, parameterCount: 1, addedAt: new Date().toISOString() }],
    }));
    const run = quire(data, 'ask', 'Who plays in the park?', '--library', 'kids', '--json');
    expect(run.signal).toBeNull();
    expect(run.status).toBe(1);
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; message?: string });
    expect(events.at(-1)).toMatchObject({ type: 'error', message: expect.stringContaining('llama.attention.head_count is 0') });
  });

  it('LlmHost.loadModel re-checks the file itself (the path quire serve takes from the registry)', async () => {
    const bad = patched(STORIES, 'zero-kv-heads-3.gguf', 'llama.attention.head_count_kv', u32(0));
    // In a child process: without the check, llama.cpp aborts the process that loads the model.
    const script = `
      import { LlmHost } from ${JSON.stringify(resolve(ROOT, 'dist', 'engine', 'generate', 'llm.js'))};
      const llm = await LlmHost.create();
      try { await llm.loadModel(${JSON.stringify(bad)}); console.log('loaded'); } catch (e) { console.log(e.code + ': ' + e.message); }
      await llm.dispose();`;
    // A script file, not `node -e`: node-llama-cpp tests its binary by re-running process.execArgv.
    const scriptFile = join(tmp.dir, 'load.mjs');
    writeFileSync(scriptFile, script);
    const run = spawnSync(process.execPath, [scriptFile], { encoding: 'utf8' });
    expect(run.signal).toBeNull();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^model-load-failed: .*llama\.attention\.head_count_kv is 0/);
  });
});
