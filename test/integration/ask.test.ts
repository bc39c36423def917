import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnswerEvent } from '../../electron/shared/answer.js';
import { makeTinyEmbedder } from '../../scripts/fixtures/tiny-embedder.js';
import { CLI, ROOT, tempDir } from '../helpers.js';

const MODELS = resolve(ROOT, '..', 'shared', 'models');
const BASE = resolve(MODELS, 'stories260K', 'stories260K.gguf');
const LORA = resolve(MODELS, 'stories260K-happy-lora', 'stories260K-happy-lora.gguf');
const OTHER = resolve(MODELS, 'llama-2-tiny-random', 'llama-2-tiny-random.gguf');
const modelsPresent = [BASE, LORA, OTHER].every(existsSync);
if (!modelsPresent) console.warn(`[skipped] ask tests with a model: the tiny models in ${MODELS} are not present`);

let tmp: ReturnType<typeof tempDir>;
let data: string;

function quire(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, '--data-dir', data, ...args], { encoding: 'utf8' });
  const parse = (line: string): AnswerEvent[] => {
    try {
      return [JSON.parse(line) as AnswerEvent];
    } catch {
      return [];
    }
  };
  return { ...run, events: run.stdout.trim().split('\n').flatMap(parse) };
}
const done = (events: AnswerEvent[]) => events.find((e): e is Extract<AnswerEvent, { type: 'done' }> => e.type === 'done')!;
const sources = (events: AnswerEvent[]) => events.find((e): e is Extract<AnswerEvent, { type: 'sources' }> => e.type === 'sources')!.sources;

beforeAll(() => {
  tmp = tempDir();
  data = join(tmp.dir, 'data');
  const docs = join(tmp.dir, 'docs');
  mkdirSync(docs);
  writeFileSync(join(docs, 'lily.md'), '# Lily\n\nLily is a little girl who loves to play in the park with her dog Max.\n');
  writeFileSync(join(docs, 'boat.txt'), 'The red boat sails on the lake every Sunday morning.\n');
  const embedder = join(tmp.dir, 'models', 'tiny-embedder');
  makeTinyEmbedder(embedder);
  const index = spawnSync(process.execPath, [CLI, '--data-dir', data, 'index', docs, '--library', 'kids', '--embedder', embedder], { encoding: 'utf8' });
  if (index.status !== 0) throw new Error(index.stderr);
});
afterAll(() => tmp.cleanup());

describe('quire ask without a model (search-only mode)', () => {
  it('answers with the best passages, lists them as sources and says how to add a model', () => {
    const run = quire('ask', 'Who plays in the park?', '--library', 'kids', '--json');
    expect(run.status, run.stderr).toBe(0);
    const last = done(run.events);
    expect(last).toMatchObject({ type: 'done', mode: 'search-only', profile: 'default', route: { method: 'default' } });
    expect(last.notice).toMatch(/quire models import/);
    expect(sources(run.events)[0]).toMatchObject({ n: 1, path: join(tmp.dir, 'docs', 'lily.md'), lines: [1, 3], page: null, cited: false });
    expect(run.events.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text).join('')).toContain('[1] lily.md');
  });

  it('says the library does not contain it when nothing relevant is found', () => {
    const run = quire('ask', 'quantum chromodynamics lattice', '--library', 'kids', '--json');
    expect(run.status).toBe(0);
    expect(done(run.events)).toMatchObject({ mode: 'not-found' });
    expect(done(run.events).answer).toMatch(/could not find anything/);
  });

  it('errors are one JSON event and a non-zero exit', () => {
    const run = quire('ask', 'anything', '--library', 'missing', '--json');
    expect(run.status).toBe(1);
    expect(run.events).toEqual([{ type: 'error', code: 'no-library', message: expect.stringContaining('No library named "missing"') }]);
  });
});

describe('profiles from the command line', () => {
  it('creates, routes by rule, and refuses to remove the default profile', () => {
    expect(quire('profiles', 'set', 'boats', '--rule', '\\bboat', '-k', '2', '--description', 'Boat questions').status).toBe(0);
    const list = JSON.parse(quire('profiles', 'list', '--json').stdout) as { name: string; k: number }[];
    expect(list.map((p) => p.name)).toEqual(['default', 'boats']);
    const run = quire('ask', 'When does the boat sail?', '--library', 'kids', '--json');
    expect(done(run.events)).toMatchObject({ profile: 'boats', route: { method: 'rule' } });
    expect(done(run.events).route.reason).toContain('\\bboat');
    const removal = quire('profiles', 'remove', 'default');
    expect(removal.status).toBe(1);
    expect(removal.stderr).toMatch(/cannot be removed/);
  });
});

describe.skipIf(!modelsPresent)('quire ask with a real tiny model', () => {
  it('streams tokens, then sources, then done with timings, and remembers the conversation', () => {
    const run = quire('ask', 'Who is Lily?', '--library', 'kids', '--model', BASE, '--json', '--max-tokens', '24', '--profile', 'default');
    expect(run.status, run.stderr).toBe(0);
    const types = run.events.map((e) => e.type);
    expect(types.filter((t) => t === 'token').length).toBeGreaterThan(3);
    expect(types.slice(-2)).toEqual(['sources', 'done']);
    const last = done(run.events);
    expect(last.mode).toBe('generated');
    expect(last.timings.firstTokenMs).toBeGreaterThan(0);
    expect(last.timings.promptTokens).toBeGreaterThan(10);
    expect(sources(run.events)[0]!.relativePath).toBe('lily.md');
    expect(last.conversationId).toBeGreaterThan(0);
    const follow = quire('ask', 'and her dog?', '--library', 'kids', '--model', BASE, '--json', '--max-tokens', '8', '--conversation', String(last.conversationId));
    expect(follow.status, follow.stderr).toBe(0);
    expect(done(follow.events).query).toContain('lily');
  });

  it('an adapter for another base model is refused with a clear error and exit 1', () => {
    const run = quire('ask', 'Who is Lily?', '--library', 'kids', '--model', OTHER, '--adapter', `${LORA}:1`, '--json');
    expect(run.status).toBe(1);
    const error = run.events.at(-1)!;
    expect(error).toMatchObject({ type: 'error', code: 'adapter-mismatch' });
  });

  it('an adapter with its scale changes the answer', () => {
    const base = quire('ask', 'Lily', '--library', 'kids', '--model', BASE, '--json', '--max-tokens', '30', '--profile', 'default');
    const happy = quire('ask', 'Lily', '--library', 'kids', '--model', BASE, '--adapter', `${LORA}:2`, '--json', '--max-tokens', '30', '--profile', 'default');
    expect(happy.status, happy.stderr).toBe(0);
    const count = (r: typeof base) => (done(r.events).answer.match(/happy/gi) ?? []).length;
    expect(count(happy)).toBeGreaterThan(count(base));
  });
});
