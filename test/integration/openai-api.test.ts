import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import OpenAI, { APIUserAbortError, AuthenticationError, BadRequestError, NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserMode, type BrowserModeServer } from '../../electron/cli/server.js';
import { createEngine } from '../../electron/engine/index.js';
import { ModelRegistry } from '../../electron/engine/models/registry.js';
import { apiKeyFile, readOrCreateApiKey } from '../../electron/engine/openai/api-key.js';
import type { Citation } from '../../electron/engine/openai/schemas.js';
import { makeTinyEmbedder, TINY_EMBEDDER_DIMENSION } from '../../scripts/fixtures/tiny-embedder.js';
import { CLI, ROOT, tempDir } from '../helpers.js';

const MODEL = resolve(ROOT, '..', 'shared', 'models', 'stories260K', 'stories260K.gguf');
const modelPresent = existsSync(MODEL);
if (!modelPresent) console.warn(`[skipped] OpenAI API tests that generate: the tiny model ${MODEL} is not present`);
const MODEL_ID = 'stories260K';

let tmp: ReturnType<typeof tempDir>;
let data: string;
let docs: string;
let server: BrowserModeServer;
let baseURL: string;
const key = (): string => readOrCreateApiKey(data);
const client = (apiKey = key()): OpenAI => new OpenAI({ apiKey, baseURL, maxRetries: 0 });

beforeAll(async () => {
  tmp = tempDir();
  data = join(tmp.dir, 'data');
  docs = join(tmp.dir, 'docs');
  mkdirSync(docs);
  writeFileSync(join(docs, 'lily.md'), '# Lily\n\nLily is a little girl who loves to play in the park with her dog Max.\n');
  writeFileSync(join(docs, 'boat.txt'), 'The red boat sails on the lake every Sunday morning.\n');
  writeFileSync(join(docs, 'garden.txt'), 'Grandma grows tomatoes and sunflowers in her garden behind the house.\n');
  const embedderDir = join(tmp.dir, 'models', 'tiny-embedder');
  makeTinyEmbedder(embedderDir);
  const engine = createEngine({ dataDir: data });
  const library = engine.openLibrary('kids', { create: true });
  library.addFolder(docs);
  library.useEmbedder(await engine.loadEmbedder(embedderDir));
  await library.index();
  await library.close();
  if (modelPresent) await new ModelRegistry(data).importModel(MODEL);
  const staticDir = join(tmp.dir, 'ui');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Quire</title>');
  server = await startBrowserMode({ dataDir: data, staticDir, watch: false, ...(modelPresent ? { model: MODEL } : {}) });
  baseURL = `http://127.0.0.1:${server.port}/v1`;
});
afterAll(async () => {
  await server?.close();
  tmp.cleanup();
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for the server');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function post(path: string, body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseURL}${path}`, {
    method: 'POST', body, headers: { Authorization: `Bearer ${key()}`, 'Content-Type': 'application/json', ...headers },
    ...(typeof body === 'string' ? {} : { duplex: 'half' }),
  } as RequestInit);
  return { status: response.status, body: (await response.json()) as { error: { message: string; type: string; param: string | null; code: string | null } } };
}

function rawGet(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.on('error', fail);
    req.end();
  });
}

const question = [{ role: 'user' as const, content: 'Who is Lily?' }];

describe('OpenAI-compatible API: access', () => {
  it('keeps the API key in <dataDir>/api-key, readable by its owner only', () => {
    expect(key()).toMatch(/^[\w-]{43}$/);
    expect(statSync(apiKeyFile(data)).mode & 0o777).toBe(0o600);
  });

  it('refuses a wrong key with 401 (AuthenticationError) and a missing one in OpenAI\'s error shape', async () => {
    const error = await client('wrong-key').models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
    const response = await fetch(`${baseURL}/models`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { message: expect.stringContaining('API key'), type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
  });

  it('keeps the Host and Origin checks: a foreign Host or Origin is refused even with the key', async () => {
    const auth = { Authorization: `Bearer ${key()}` };
    expect(await rawGet('/v1/models', { ...auth, host: `127.0.0.1:${server.port}` })).toBe(200);
    expect(await rawGet('/v1/models', { ...auth, host: 'evil.example' })).toBe(403);
    expect(await rawGet('/v1/models', { ...auth, host: `127.0.0.1:${server.port}`, origin: 'http://evil.example' })).toBe(403);
  });

  it('rejects invalid JSON and a body without messages with 400 naming the problem', async () => {
    const bad = await post('/chat/completions', '{"model": "quire/kids", "messages": [');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
    const missing = await post('/chat/completions', JSON.stringify({ model: 'quire/kids' }));
    expect(missing.status).toBe(400);
    expect(missing.body.error).toEqual({ message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' });
    const role = await post('/chat/completions', JSON.stringify({ model: 'quire/kids', messages: [{ role: 'robot', content: 'hi' }] }));
    expect(role.body.error).toMatchObject({ param: 'messages[0].role', code: 'invalid_value' });
    const temperature = await client().chat.completions.create({ model: 'quire/kids', messages: question, temperature: 5 }).catch((e: unknown) => e);
    expect(temperature).toBeInstanceOf(BadRequestError);
    expect((temperature as BadRequestError).param).toBe('temperature');
  });

  it('refuses an oversized body with 413, whether its length is declared or streamed', async () => {
    const huge = JSON.stringify({ model: 'quire/kids', messages: [{ role: 'user', content: 'x'.repeat(3 * 1024 * 1024) }] });
    const declared = await post('/chat/completions', huge);
    expect(declared.status).toBe(413);
    expect(declared.body.error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_large' });
    const bytes = new TextEncoder().encode(huge);
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 256 * 1024) controller.enqueue(bytes.subarray(at, at + 256 * 1024));
        controller.close();
      },
    });
    expect((await post('/chat/completions', streamed)).status).toBe(413);
  });

  it('answers 404 model_not_found for an unknown model or library', async () => {
    const error = await client().chat.completions.create({ model: 'quire/nope', messages: question }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toBe('model_not_found');
  });
});

describe('OpenAI-compatible API: models and embeddings', () => {
  it('lists each library as quire/<library>, and the raw model', async () => {
    const models = await client().models.list();
    const ids = models.data.map((m) => m.id);
    expect(ids).toContain('quire/kids');
    if (modelPresent) expect(ids).toContain(MODEL_ID);
    expect(models.data.find((m) => m.id === 'quire/kids')).toMatchObject({ object: 'model', owned_by: 'quire' });
    expect((await client().models.retrieve('quire/kids')).id).toBe('quire/kids');
  });

  it("embeds with the library's embedder, at the library's dimension (base64 by default in the client, or floats)", async () => {
    const embedded = await client().embeddings.create({ model: 'quire/kids', input: ['a dog in the park', 'the red boat'] });
    expect(embedded.data).toHaveLength(2);
    expect(embedded.data.map((d) => d.embedding.length)).toEqual([TINY_EMBEDDER_DIMENSION, TINY_EMBEDDER_DIMENSION]);
    const floats = await client().embeddings.create({ model: 'quire/kids', input: 'a dog in the park', encoding_format: 'float' });
    const vector = floats.data[0]!.embedding;
    expect(vector).toHaveLength(TINY_EMBEDDER_DIMENSION);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 3);
    vector.forEach((x, i) => expect(x).toBeCloseTo(embedded.data[0]!.embedding[i]!, 6));
    const wrong = await client().embeddings.create({ model: 'quire/kids', input: 'x', dimensions: 64 }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(BadRequestError);
  });
});

describe.skipIf(!modelPresent)('OpenAI-compatible API: chat completions with the real tiny model', () => {
  type WithCitations = { citations: Citation[] };

  it('answers quire/<library> with [n] markers and citations of the passages (non-streamed)', async () => {
    const completion = await client().chat.completions.create({ model: 'quire/kids', messages: question, max_tokens: 24 });
    const choice = completion.choices[0]!;
    const { citations } = choice.message as typeof choice.message & WithCitations;
    expect(citations.length).toBeGreaterThan(0);
    expect(citations.map((c) => c.path)).toContain(join(docs, 'lily.md'));
    expect(citations[0]).toMatchObject({ n: expect.any(Number), path: expect.any(String), text: expect.any(String) });
    for (const c of citations) expect(choice.message.content).toContain(`[${c.n}]`);
    expect(choice.message.content).toMatch(/Sources:\n\[\d+\] lily\.md, lines 1-3/);
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(10);
  });

  it('takes earlier turns as history', async () => {
    const completion = await client().chat.completions.create({
      model: 'quire/kids', max_tokens: 8,
      messages: [{ role: 'system', content: 'ignored' }, ...question, { role: 'assistant', content: 'Lily is a girl [1].' }, { role: 'user', content: 'and her dog?' }],
    });
    expect(completion.choices[0]!.message.content).not.toBe('');
  });

  it('streams chunks ending with an empty delta that carries the citations, then usage', async () => {
    const stream = await client().chat.completions.create({ model: 'quire/kids', messages: question, max_tokens: 24, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(3);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    const final = chunks.at(-2)!;
    expect(final.choices[0]).toMatchObject({ delta: {}, finish_reason: expect.stringMatching(/^(stop|length)$/) });
    const { citations } = final as typeof final & WithCitations;
    expect(citations.map((c) => c.path)).toContain(join(docs, 'lily.md'));
    for (const c of citations) expect(text).toContain(`[${c.n}]`);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: expect.any(Number) } });
  });

  it('chats with the raw model without retrieval; max_tokens ends with "length" and stop cuts the text server-side', async () => {
    const ask = (extra: { stop?: string[] } = {}) =>
      client().chat.completions.create({ model: MODEL_ID, messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 40, temperature: 0, ...extra });
    const full = await ask();
    const text = full.choices[0]!.message.content!;
    expect(full.choices[0]!.finish_reason).toBe('length');
    expect('citations' in full.choices[0]!.message).toBe(false);
    const word = text.split(/\s+/).filter((w) => w.length > 2)[3]!;
    const cut = await ask({ stop: [word, 'zzzz'] });
    expect(cut.choices[0]!.message.content).toBe(text.slice(0, text.indexOf(word)));
    expect(cut.choices[0]!.finish_reason).toBe('stop');
    expect(cut.usage!.completion_tokens).toBeLessThan(40);
    const stream = await client().chat.completions.create({ model: MODEL_ID, messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 40, temperature: 0, stop: word, stream: true });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe(text.slice(0, text.indexOf(word)));
  });

  it('a client abort stops generation; a queued request whose client goes away is dropped without running', async () => {
    // The engine runs in its own process: its counts are read through the engine API.
    const stats = () => server.engine.call('openai.stats', {});
    const before = await stats();
    const running = new AbortController();
    const stream = await client().chat.completions.create({ model: 'quire/kids', messages: question, max_tokens: 1500, stream: true }, { signal: running.signal });
    const chunks = stream[Symbol.asyncIterator]();
    while (!(await chunks.next()).value?.choices[0]?.delta.content);

    const waiting = new AbortController();
    const queued = client().chat.completions.create({ model: 'quire/kids', messages: question, max_tokens: 8 }, { signal: waiting.signal }).catch((e: unknown) => e);
    await until(async () => (await stats()).started === before.started + 2);
    await new Promise((r) => setTimeout(r, 100));
    waiting.abort();
    expect(await queued).toBeInstanceOf(APIUserAbortError);
    await until(async () => (await stats()).dropped === before.dropped + 1);

    const abortedAt = Date.now();
    running.abort();
    await until(async () => (await stats()).cancelled === before.cancelled + 1);
    expect(Date.now() - abortedAt).toBeLessThan(3000);
    expect((await stats()).finished).toBe(before.finished);
    // The model is free again at once.
    const next = await client().chat.completions.create({ model: MODEL_ID, messages: question, max_tokens: 4 });
    expect(next.choices[0]!.message.content).not.toBe('');
  });

  it('ten concurrent clients queue behind the one model and all finish with answers', async () => {
    const before = (await server.engine.call('openai.stats', {})).finished;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        client().chat.completions.create({ model: i % 2 === 0 ? 'quire/kids' : MODEL_ID, messages: [{ role: 'user', content: `Who is Lily? (${i})` }], max_tokens: 12 }),
      ),
    );
    for (const answer of answers) expect(answer.choices[0]!.message.content!.trim()).not.toBe('');
    expect((await server.engine.call('openai.stats', {})).finished).toBe(before + 10);
  });
});

describe.skipIf(!existsSync(CLI))('quire api-key', () => {
  it('prints the key, and --rotate replaces it so the old one is refused', async () => {
    // Not spawnSync: a blocked event loop would leave the client's pooled connections stale.
    const run = (...args: string[]) => promisify(execFile)(process.execPath, [CLI, '--data-dir', data, 'api-key', ...args], { encoding: 'utf8' });
    const old = key();
    expect((await run()).stdout.trim()).toBe(old);
    const rotated = await run('--rotate');
    expect(rotated.stdout.trim()).not.toBe(old);
    expect(rotated.stdout.trim()).toBe(key());
    expect(statSync(apiKeyFile(data)).mode & 0o777).toBe(0o600);
    await expect(client(old).models.list()).rejects.toBeInstanceOf(AuthenticationError);
    expect((await client().models.list()).data.length).toBeGreaterThan(0);
  });
});
