import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmError, LlmHost } from '../../electron/engine/generate/llm.js';
import { packPrompt } from '../../electron/engine/generate/prompt.js';
import { ROOT } from '../helpers.js';
import { fakeResult } from '../search-results.js';

const MODELS = resolve(ROOT, '..', 'shared', 'models');
const BASE = resolve(MODELS, 'stories260K', 'stories260K.gguf');
const CHAT = resolve(MODELS, 'stories260K-chat', 'stories260K-chat.gguf');
const LORA = resolve(MODELS, 'stories260K-happy-lora', 'stories260K-happy-lora.gguf');
const OTHER = resolve(MODELS, 'llama-2-tiny-random', 'llama-2-tiny-random.gguf');
const present = [BASE, CHAT, LORA, OTHER].every(existsSync);
if (!present) console.warn(`[skipped] LLM tests: the tiny models in ${MODELS} are not present`);

describe.skipIf(!present)('generation with real tiny GGUF models (node-llama-cpp)', () => {
  let host: LlmHost;
  beforeAll(async () => {
    host = await LlmHost.create({ contextSize: 512 });
    await host.loadModel(BASE);
  });
  afterAll(async () => host?.dispose());

  const story = (scale?: number, maxTokens = 40) =>
    (async () => {
      await host.useAdapters(scale === undefined ? [] : [{ path: LORA, scale }]);
      return host.generate({ systemPrompt: 'You tell stories.', user: 'Once upon a time', maxTokens, temperature: 0 });
    })();

  it('uses one thread for a tiny model on this machine, and streams tokens as they come', async () => {
    expect(host.threads).toBe(1);
    const chunks: string[] = [];
    const result = await host.generate({ systemPrompt: 'Be brief.', user: 'Tell me a story.', maxTokens: 24, onText: (t) => chunks.push(t) });
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.join('')).toBe(result.text);
    expect(result.timings.tokens).toBeGreaterThan(3);
    expect(result.timings.firstTokenMs).toBeGreaterThan(0);
    expect(result.timings.tokensPerSecond).toBeGreaterThan(0);
  });

  it('stops when cancelled and keeps the text so far', async () => {
    const abort = new AbortController();
    let seen = 0;
    const result = await host.generate({
      systemPrompt: 'Be brief.', user: 'Tell me a long story.', maxTokens: 400, signal: abort.signal,
      onText: () => ++seen === 5 && abort.abort(),
    });
    expect(result.cancelled).toBe(true);
    expect(result.timings.tokens).toBeLessThan(50);
    // The host still works after a cancel.
    expect((await host.generate({ systemPrompt: 'x', user: 'Once', maxTokens: 5 })).text.length).toBeGreaterThan(0);
  });

  it('the LoRA pushes output towards "happy" in proportion to its scale; off restores the base output exactly', async () => {
    const happy = (text: string) => (text.match(/happy/gi) ?? []).length;
    const base = await story();
    const low = await story(0.3);
    const high = await story(1.5);
    const off = await story(0);
    expect(happy(base.text)).toBe(0);
    expect(happy(high.text)).toBeGreaterThan(happy(low.text));
    expect(happy(high.text)).toBeGreaterThanOrEqual(3);
    expect(off.text).toBe(base.text);
    expect((await story()).text).toBe(base.text);
  });

  it('counts prompt tokens with the model tokenizer and template, and packing stays within budget', () => {
    const results = [1, 2, 3, 4, 5].map((n) => fakeResult(n, `Passage ${n}: the little girl named Lily played in the park with her dog. `.repeat(6)));
    const countTokens = (user: string) => host.countChatTokens([{ type: 'system', text: 'sys' }, { type: 'user', text: user }]);
    const packed = packPrompt({ question: 'Who is Lily?', results, budget: 600, countTokens, countText: (t) => host.countTokens(t) });
    expect(packed.passages.length).toBeGreaterThan(0);
    expect(packed.dropped.length).toBeGreaterThan(0);
    expect(countTokens(packed.user)).toBe(packed.promptTokens);
    expect(packed.promptTokens).toBeLessThanOrEqual(600);
  });

  it('an adapter made for another base model fails clearly and the loaded model keeps working', async () => {
    const other = await LlmHost.create({ contextSize: 256 });
    try {
      await other.loadModel(OTHER);
      const error = await other.useAdapters([{ path: LORA, scale: 1 }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LlmError);
      expect((error as LlmError).code).toBe('adapter-failed');
      expect((error as LlmError).message).toMatch(/still loaded without adapters/);
      const after = await other.generate({ systemPrompt: 's', user: 'hello', maxTokens: 5 });
      expect(after.timings.tokens).toBeGreaterThan(0);
    } finally {
      await other.dispose();
    }
  });
});

describe.skipIf(!present)('chat sessions use the model\'s own template', () => {
  it('stories260K-chat renders through its Jinja template, the base model through a fallback', async () => {
    const host = await LlmHost.create({ contextSize: 256 });
    try {
      await host.loadModel(CHAT);
      const withTemplate = host.countChatTokens([{ type: 'system', text: 'S' }, { type: 'user', text: 'Hi' }]);
      await host.loadModel(BASE);
      const fallback = host.countChatTokens([{ type: 'system', text: 'S' }, { type: 'user', text: 'Hi' }]);
      expect(withTemplate).not.toBe(fallback);
      await host.loadModel(CHAT);
      const reply = await host.generate({ systemPrompt: 'Be brief.', user: 'Tell me a story.', maxTokens: 16 });
      expect(reply.text.length).toBeGreaterThan(0);
      expect(reply.text).not.toMatch(/User:|Assistant:/);
    } finally {
      await host.dispose();
    }
  });
});
