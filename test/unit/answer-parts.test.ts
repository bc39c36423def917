import { describe, expect, it } from 'vitest';
import { extractCitations } from '../../electron/engine/generate/citations.js';
import { standaloneQuery } from '../../electron/engine/generate/condense.js';
import { packPrompt, type PackedPassage } from '../../electron/engine/generate/prompt.js';
import { fakeResult } from '../search-results.js';
import { Router } from '../../electron/engine/route/router.js';
import { DEFAULT_PROFILE, Profile } from '../../electron/engine/route/profiles.js';

const words = (text: string): number => (text.match(/\S+/g) ?? []).length;

describe('prompt packing', () => {
  const results = [
    fakeResult(1, 'alpha '.repeat(100)),
    fakeResult(2, 'beta '.repeat(400)),
    fakeResult(3, 'gamma '.repeat(50)),
  ];

  it('packs whole passages best first and never exceeds the budget', () => {
    const packed = packPrompt({ question: 'What is alpha?', results, budget: 300, countTokens: words, countText: words });
    expect(packed.passages.map((p) => p.result.chunkId)).toEqual([1, 3]);
    expect(packed.dropped.map((r) => r.chunkId)).toEqual([2]);
    expect(packed.promptTokens).toBeLessThanOrEqual(300);
    expect(words(packed.user)).toBe(packed.promptTokens);
    // Every included passage is there in full; numbering is contiguous.
    expect(packed.user).toContain('alpha '.repeat(99) + 'alpha');
    expect(packed.passages.map((p) => p.n)).toEqual([1, 2]);
    expect(packed.user).toContain('[2] (file-3.txt, lines 1-3)');
  });

  it('drops passages until the exact count fits when pricing passages separately underestimates', () => {
    // The full chat costs more than the sum of its parts (template overhead per passage).
    const overhead = (text: string) => words(text) + 20 * ((text.match(/^\[\d+\]/gm) ?? []).length);
    const packed = packPrompt({ question: 'q', results, budget: 160, countTokens: overhead, countText: words });
    expect(packed.promptTokens).toBeLessThanOrEqual(160);
    for (const p of packed.passages) expect(packed.user).toContain(p.result.text.trim());
  });

  it('with no room at all, packs nothing rather than a cut passage', () => {
    const packed = packPrompt({ question: 'q', results, budget: 5, countTokens: words, countText: words });
    expect(packed.passages).toEqual([]);
    expect(packed.dropped).toHaveLength(3);
  });
});

describe('citation mapping', () => {
  const passages: PackedPassage[] = [1, 2, 3].map((n) => ({ n, result: fakeResult(n, `text ${n}`) }));

  it('maps valid markers, flags out-of-range ones and de-duplicates repeats', () => {
    const report = extractCitations('Cats sleep [2]. Dogs bark [1][2]. Birds sing [7]. Fish swim [2, 3]. Again [9] [7].', passages);
    expect(report.cited.map((p) => p.n)).toEqual([2, 1, 3]);
    expect(report.invalid).toEqual([7, 9]);
    expect(report.citations.filter((c) => c.passage === null).map((c) => c.n)).toEqual([7, 9, 7]);
  });

  it('reads ranges and ignores bracketed non-numbers and year spans', () => {
    const report = extractCitations('See [1-3] and [note] and [1990-2020].', passages);
    expect(report.cited.map((p) => p.n)).toEqual([1, 2, 3]);
    expect(report.invalid).toEqual([]);
  });

  it('an answer without markers cites nothing', () => {
    expect(extractCitations('No citations here.', passages)).toEqual({ citations: [], cited: [], invalid: [] });
  });
});

describe('routing', () => {
  const legal = Profile.parse({ name: 'legal', rules: ['\\b(contract|clause|liability)\\b'], adapters: [{ adapter: 'legal-lora', scale: 0.8 }] });
  const stories = Profile.parse({ name: 'stories', retrieval: false, examples: ['Tell me a story about a dog'] });

  it('an explicit choice wins', async () => {
    const decision = await new Router([DEFAULT_PROFILE, legal, stories], null).route('what does the contract say?', 'stories');
    expect(decision).toMatchObject({ method: 'explicit', profile: { name: 'stories' } });
  });

  it('rules match case-insensitively and say which rule fired', async () => {
    const decision = await new Router([DEFAULT_PROFILE, legal, stories], null).route('Which CLAUSE limits liability?');
    expect(decision.method).toBe('rule');
    expect(decision.profile.name).toBe('legal');
    expect(decision.reason).toContain('contract|clause|liability');
  });

  it('without a rule or an embedder, the default profile answers', async () => {
    const decision = await new Router([DEFAULT_PROFILE, legal, stories], null).route('What is the capital of France?');
    expect(decision).toMatchObject({ method: 'default', profile: { name: 'default' } });
  });

  it('an unknown explicit profile is an error, not a silent default', async () => {
    await expect(new Router([DEFAULT_PROFILE], null).route('q', 'nope')).rejects.toThrow(/No profile named "nope"/);
  });
});

describe('follow-up questions', () => {
  it('carry the content words of earlier questions into the search query', () => {
    expect(standaloneQuery('and in 2023?', ['What was the revenue of Acme Corp?'])).toBe('and in 2023? revenue acme corp');
    expect(standaloneQuery('What is Quire?', [])).toBe('What is Quire?');
  });
});
