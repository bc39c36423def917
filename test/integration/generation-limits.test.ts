import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOrCreateApiKey } from '../../electron/engine/openai/api-key.js';
import { CLI, ROOT, tempDir } from '../helpers.js';
import { startServe, type ServeProcess } from '../serve-process.js';

const MODEL = resolve(ROOT, '..', 'shared', 'models', 'stories260K', 'stories260K.gguf');
const present = existsSync(MODEL);
if (!present) console.warn(`[skipped] max_tokens and time limit tests: the tiny model ${MODEL} is not present`);
/** stories260K was trained on 2,048 tokens, which caps Quire's context (4,096 by default). */
const CONTEXT = 2048;

let tmp: ReturnType<typeof tempDir>;
let data: string;

interface Completion {
  choices: { message: { content: string }; finish_reason: string }[];
  usage: { completion_tokens: number };
}

async function chat(serve: ServeProcess, body: Record<string, unknown>): Promise<{ status: number; body: Completion; ms: number }> {
  const started = Date.now();
  const response = await fetch(`http://127.0.0.1:${serve.port}/v1/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${readOrCreateApiKey(data)}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ temperature: 0, ...body }),
    // Without a cap the model would write until the client gives up: this is the test's own limit.
    signal: AbortSignal.timeout(90_000),
  });
  return { status: response.status, body: (await response.json()) as Completion, ms: Date.now() - started };
}

beforeAll(() => {
  tmp = tempDir();
  data = join(tmp.dir, 'data');
  const docs = join(tmp.dir, 'docs');
  mkdirSync(docs);
  writeFileSync(join(docs, 'lily.md'), '# Lily\n\nLily is a little girl who loves to play in the park with her dog Max.\n');
  const run = spawnSync(process.execPath, [CLI, '--data-dir', data, 'index', docs, '--library', 'kids', '--no-embed'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
});
afterAll(() => tmp.cleanup());

describe.skipIf(!present)('max_tokens is capped to what the context leaves (quire serve with stories260K)', () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServe(data, ['--model', MODEL]);
  });
  afterAll(async () => serve?.stop());

  it('plain-model chat with max_tokens 1,000,000 ends within the context, finish_reason length', async () => {
    const reply = await chat(serve, { model: 'stories260K', max_tokens: 1_000_000, messages: [{ role: 'user', content: 'Tell me a very long story about a dog.' }] });
    expect(reply.status).toBe(200);
    expect(reply.body.usage.completion_tokens).toBeGreaterThan(100);
    expect(reply.body.usage.completion_tokens).toBeLessThan(CONTEXT);
    expect(reply.body.choices[0]!.finish_reason).toBe('length');
  }, 120_000);

  it('library chat with max_tokens 1,000,000 answers (passages keep their room) within the context', async () => {
    const reply = await chat(serve, { model: 'quire/kids', max_tokens: 1_000_000, messages: [{ role: 'user', content: 'Who plays in the park?' }] });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body.usage.completion_tokens).toBeLessThan(CONTEXT);
    expect(reply.body.choices[0]!.message.content).toMatch(/Sources:/);
  }, 120_000);
});

describe.skipIf(!present)('a per-request time limit on the generation slot', () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServe(data, ['--model', MODEL], { env: { ...process.env, QUIRE_GENERATION_TIME_LIMIT_MS: '1000' } });
  });
  afterAll(async () => serve?.stop());

  it('a request that would run long is stopped at its limit, and the one waiting behind it is served', async () => {
    const long = { model: 'stories260K', max_tokens: 1_000_000, temperature: 1, messages: [{ role: 'user', content: 'Tell me a very long story about a dog.' }] };
    const started = Date.now();
    const [first, second] = await Promise.all([chat(serve, long), chat(serve, { ...long, max_tokens: 5 })]);
    expect(first.status).toBe(200);
    expect(first.body.choices[0]!.finish_reason).toBe('length');
    expect(first.body.usage.completion_tokens).toBeGreaterThan(0);
    expect(second.status).toBe(200);
    expect(second.body.usage.completion_tokens).toBeLessThanOrEqual(5);
    // Both within a few seconds of the 1 s limit (writing 2,000 tokens takes over 10 s on the 2-core machine).
    expect(first.ms).toBeLessThan(6_000);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(serve.child.exitCode).toBeNull();
  }, 120_000);
});
