import { describe, expect, it } from 'vitest';
import { toTrainingRecord } from '../../electron/engine/eval/dataset.js';
import { assignSplits } from '../../electron/engine/eval/generate.js';
import {
  aggregate, answerOverlap, citationScores, distribution, exactMatch, isAbstention, median, percentile, questionQuality, retrievalScores, scoreQuestion, tokenF1,
  type Passage, type QuestionMetrics,
} from '../../electron/engine/eval/metrics.js';
import { parseQuestionSet, parseSourceRef, QuestionSetError, serializeQuestionSet, unknownSources, type EvalQuestion } from '../../electron/engine/eval/questions.js';
import { recommend } from '../../electron/engine/eval/recommend.js';
import { renderReport } from '../../electron/engine/eval/report.js';
import type { EvalReport, ModeSummary } from '../../electron/engine/eval/report-types.js';
import { normalizeText } from '../../electron/engine/eval/text.js';

const passage = (chunkId: number, relativePath: string, page: number | null = null, text = ''): Passage => ({ chunkId, relativePath, page, text });
const question = (fields: Partial<EvalQuestion> = {}): EvalQuestion => ({
  id: 'q', question: 'Q?', answer: null, sources: [], answerable: true, split: null, chunkId: null, ...fields,
});

describe('answer normalisation, exact match and token F1', () => {
  it('normalises case, accents, punctuation, articles and citation markers', () => {
    expect(normalizeText('The Café, [1] is OPEN! [2, 3]')).toBe('cafe is open');
    expect(normalizeText('  ')).toBe('');
  });

  it('exact match compares normalised answers', () => {
    expect(exactMatch('The answer is 42.', 'answer is 42')).toBe(1);
    expect(exactMatch('Max', 'Max the dog')).toBe(0);
    expect(exactMatch('', '')).toBe(1);
    expect(exactMatch('anything', null)).toBeNull();
  });

  it('token F1 counts shared tokens with multiplicity', () => {
    // answer [dog, max], expected [max]: P = 1/2, R = 1, F1 = 2 * 1/2 * 1 / (3/2) = 2/3
    expect(tokenF1('the dog Max', 'Max')).toBeCloseTo(2 / 3, 10);
    // answer [max, max], expected [max, dog]: one shared token, P = R = 1/2
    expect(tokenF1('max max', 'max dog')).toBe(0.5);
    expect(tokenF1('Max [1]', 'Max')).toBe(1);
    expect(tokenF1('red boat', 'blue car')).toBe(0);
  });

  it('empty answers: both empty is a match, one empty scores 0, no expected answer is null', () => {
    expect(tokenF1('', '')).toBe(1);
    expect(tokenF1('', 'Max')).toBe(0);
    expect(tokenF1('Max', '')).toBe(0);
    expect(tokenF1('[1]', 'Max')).toBe(0);
    expect(tokenF1('Max', null)).toBeNull();
  });
});

describe('retrieval metrics against expected sources', () => {
  const ranked = [passage(1, 'a.md'), passage(2, 'b.md', 2), passage(3, 'c/guide.md'), passage(4, 'b.md', 3)];
  const expected = [parseSourceRef('guide.md'), parseSourceRef('b.md#3')];

  it('hit@K, recall@K and MRR@K by hand', () => {
    // top 3: a.md, b.md p2 (wrong page), c/guide.md (bare name matches) -> first hit at rank 3; 1 of 2 sources found
    expect(retrievalScores(ranked, expected, 3)).toEqual({ hit: 1, recall: 0.5, mrr: 1 / 3 });
    // top 4 adds b.md p3
    expect(retrievalScores(ranked, expected, 4)).toEqual({ hit: 1, recall: 1, mrr: 1 / 3 });
    expect(retrievalScores(ranked, expected, 1)).toEqual({ hit: 0, recall: 0, mrr: 0 });
  });

  it('a path with folders must match the whole relative path; several chunks of one file count once', () => {
    expect(retrievalScores(ranked, [parseSourceRef('docs/guide.md')], 5)).toEqual({ hit: 0, recall: 0, mrr: 0 });
    expect(retrievalScores(ranked, [parseSourceRef('c/guide.md')], 5)).toEqual({ hit: 1, recall: 1, mrr: 1 / 3 });
    expect(retrievalScores([passage(1, 'x.md'), passage(2, 'x.md')], [parseSourceRef('x.md'), parseSourceRef('y.md')], 5)).toEqual({ hit: 1, recall: 0.5, mrr: 1 });
  });

  it('no expected sources: every retrieval metric is null; nothing retrieved scores 0', () => {
    expect(retrievalScores(ranked, [], 5)).toEqual({ hit: null, recall: null, mrr: null });
    expect(retrievalScores([], expected, 5)).toEqual({ hit: 0, recall: 0, mrr: 0 });
  });
});

describe('citation metrics', () => {
  const lily = passage(1, 'a.md', null, 'Lily has a dog named Max.');
  const boat = passage(2, 'b.md', null, 'The boat is red.');

  it('precision, recall and support by hand, with a duplicate citation counted once', () => {
    // distinct cited: lily (expected source, contains "max"), boat (other source, does not)
    expect(citationScores([lily, lily, boat], [parseSourceRef('a.md')], 'Max')).toEqual({ precision: 0.5, recall: 1, support: 0.5 });
    expect(citationScores([lily, lily], [parseSourceRef('a.md'), parseSourceRef('b.md')], 'Max')).toEqual({ precision: 1, recall: 0.5, support: 1 });
  });

  it('no citations: precision and support undefined (null), recall 0', () => {
    expect(citationScores([], [parseSourceRef('a.md')], 'Max')).toEqual({ precision: null, recall: 0, support: null });
  });

  it('no expected sources: precision and recall null, support still judged; no expected answer: support null', () => {
    expect(citationScores([lily, boat], [], 'Max')).toEqual({ precision: null, recall: null, support: 0.5 });
    expect(citationScores([lily], [parseSourceRef('a.md')], null)).toEqual({ precision: 1, recall: 1, support: null });
  });

  it('support means the passage holds at least half of the answer\'s content words', () => {
    // answer content words: red, boat, sundays ("a" is an article, "on" a stop word); the passage has red and boat
    expect(answerOverlap('The red boat sails on Sunday', 'a red boat on Sundays')).toBeCloseTo(2 / 3, 10);
    expect(answerOverlap('The blue car', 'a red boat on Sundays')).toBe(0);
    expect(answerOverlap('anything', '')).toBeNull();
  });
});

describe('abstention', () => {
  it('counts Quire\'s not-found result and answers saying the library does not hold it', () => {
    expect(isAbstention('not-found', 'x')).toBe(true);
    expect(isAbstention('generated', 'The library does not contain this.')).toBe(true);
    expect(isAbstention('generated', "I don't know.")).toBe(true);
    expect(isAbstention('generated', 'I can’t answer that from these passages.')).toBe(true);
    expect(isAbstention('generated', 'Max is the dog.')).toBe(false);
    expect(isAbstention('generated', '')).toBe(false);
  });
});

describe('latency statistics', () => {
  it('median and nearest-rank p95', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
    expect(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 95)).toBe(19);
    expect(percentile(Array.from({ length: 10 }, (_, i) => i + 1), 95)).toBe(10);
    expect(percentile([7], 95)).toBe(7);
    expect(distribution([null, 5, 1])).toEqual({ median: 3, p95: 5 });
    expect(distribution([null])).toEqual({ median: null, p95: null });
  });
});

describe('scoring a question and a mode', () => {
  const m = (fields: Partial<QuestionMetrics>): QuestionMetrics => ({
    hit: null, recall: null, mrr: null, citationPrecision: null, citationRecall: null, citationSupport: null,
    answerF1: null, exactMatch: null, semanticSimilarity: null, abstained: false, ...fields,
  });

  it('aggregates the means where each metric applies, under the K-named keys', () => {
    const answerable = question({ answer: 'x', sources: [parseSourceRef('a.md')] });
    const unanswerable = question({ answerable: false });
    const rows = [
      { question: answerable, metrics: m({ hit: 1, recall: 0.5, mrr: 0.5, answerF1: 1, exactMatch: 1, semanticSimilarity: 0.9 }) },
      { question: answerable, metrics: m({ hit: 0, recall: 0, mrr: 0, answerF1: 0, exactMatch: 0, semanticSimilarity: 0.1, abstained: true }) },
      { question: unanswerable, metrics: m({ abstained: true }) },
    ];
    expect(aggregate(5, rows)).toEqual({
      'hit@5': 0.5, 'recall@5': 0.25, 'mrr@5': 0.25, citationPrecision: null, citationRecall: null, citationSupport: null,
      answerF1: 0.5, exactMatch: 0.5, semanticSimilarity: 0.5, abstention: 1, falseAbstention: 0.5,
    });
    expect(aggregate(3, [])).toMatchObject({ 'hit@3': null, abstention: null, falseAbstention: null });
  });

  it('an unanswerable question scores 1 for declining and has no answer metrics', () => {
    const q = question({ answerable: false });
    const declined = scoreQuestion({ question: q, k: 5, retrieved: [], cited: [], answer: 'I could not find anything about this in the library.', answerMode: 'generated', similarity: 0.7 });
    expect(declined).toEqual(m({ abstained: true }));
    expect(questionQuality(q, declined)).toBe(1);
    const answered = scoreQuestion({ question: q, k: 5, retrieved: null, cited: null, answer: 'Max.', answerMode: 'generated', similarity: null });
    expect(questionQuality(q, answered)).toBe(0);
  });

  it('a mode that neither retrieves nor cites gets null for those metrics', () => {
    const q = question({ answer: 'Max', sources: [parseSourceRef('a.md')] });
    const scored = scoreQuestion({ question: q, k: 5, retrieved: null, cited: null, answer: 'Max [1]', answerMode: 'generated', similarity: 0.8 });
    expect(scored).toEqual(m({ answerF1: 1, exactMatch: 1, semanticSimilarity: 0.8 }));
    expect(questionQuality(q, scored)).toBe(1);
    expect(questionQuality(question(), scored)).toBe(1);
    expect(questionQuality(question(), m({}))).toBeNull();
  });
});

describe('question sets', () => {
  it('parses sources with pages, bare names and odd characters; drops duplicate sources', () => {
    expect(parseSourceRef('docs/a.pdf#3')).toEqual({ path: 'docs/a.pdf', page: 3 });
    expect(parseSourceRef('notes#draft.md')).toEqual({ path: 'notes#draft.md', page: null });
    expect(parseSourceRef('./x\\y.md')).toEqual({ path: 'x/y.md', page: null });
    const [q] = parseQuestionSet('{"id": 1, "question": "Who?", "sources": ["a.md", "./a.md", "a.md#2"]}\n');
    expect(q).toEqual({ id: '1', question: 'Who?', answer: null, sources: [{ path: 'a.md', page: null }, { path: 'a.md', page: 2 }], answerable: true, split: null, chunkId: null });
    expect(parseQuestionSet(serializeQuestionSet([q!]))).toEqual([q]);
  });

  it('reports every bad line with its number', () => {
    const text = [
      '{"id": "a", "question": "fine"}',
      '{not json',
      '{"id": "b"}',
      '{"id": "a", "question": "again"}',
      '',
      '{"id": "c", "question": "x", "answer": "y", "answerable": false}',
      '{"id": "d", "question": "x", "sources": "a.md"}',
    ].join('\n');
    let error: QuestionSetError | undefined;
    try {
      parseQuestionSet(text);
    } catch (e) {
      error = e as QuestionSetError;
    }
    expect(error).toBeInstanceOf(QuestionSetError);
    expect(error!.problems).toEqual([
      expect.stringMatching(/^line 2: not valid JSON/),
      expect.stringMatching(/^line 3: question: /),
      'line 4: duplicate id "a" (first on line 1)',
      'line 6: a question marked "answerable": false cannot have an answer or sources',
      expect.stringMatching(/^line 7: sources: /),
    ]);
    expect(() => parseQuestionSet('\n\n')).toThrow(/no questions/);
  });

  it('warns about expected sources that match no document', () => {
    const qs = [question({ id: 'a', sources: [parseSourceRef('guide.md'), parseSourceRef('docs/guide.md#2'), parseSourceRef('gone.txt')] })];
    expect(unknownSources(qs, ['manuals/guide.md', 'docs/guide.md'])).toEqual([{ id: 'a', source: 'gone.txt' }]);
  });
});

describe('train/test split and training records', () => {
  it('splits by hash under the train share, and never leaves a split empty', () => {
    const pairs = [0.1, 0.5, 0.9].map((hash) => ({ hash, split: null as 'train' | 'test' | null }));
    assignSplits(pairs, 0.8);
    expect(pairs.map((p) => p.split)).toEqual(['train', 'train', 'test']);
    const low = [0.2, 0.1].map((hash) => ({ hash, split: null as 'train' | 'test' | null }));
    assignSplits(low, 0.8);
    expect(low.map((p) => p.split)).toEqual(['test', 'train']);
    const high = [0.85, 0.95].map((hash) => ({ hash, split: null as 'train' | 'test' | null }));
    assignSplits(high, 0.8);
    expect(high.map((p) => p.split)).toEqual(['train', 'test']);
  });

  it('writes chat and alpaca records, with the passage only when asked', () => {
    const q = { ...question({ question: 'Who is Max?', answer: 'Lily\'s dog.' }), context: 'Lily has a dog named Max.' };
    expect(toTrainingRecord(q, { format: 'alpaca' })).toEqual({ instruction: 'Who is Max?', input: '', output: 'Lily\'s dog.' });
    expect(toTrainingRecord(q, { format: 'alpaca', withContext: true })).toMatchObject({ input: 'Lily has a dog named Max.' });
    expect(toTrainingRecord(q, { format: 'chat', systemPrompt: 'S' })).toEqual({
      messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'Who is Max?' }, { role: 'assistant', content: 'Lily\'s dog.' }],
    });
  });
});

describe('recommendation and report', () => {
  const mode = (id: string, score: number, medianMs: number, metrics: Record<string, number | null> = {}): ModeSummary => ({
    mode: id, label: id.toUpperCase(), description: '', skipped: null, questions: 10, errors: 0, score,
    metrics: { 'hit@5': null, abstention: null, ...metrics },
    latency: { retrievalMs: { median: 1, p95: 1 }, firstTokenMs: { median: null, p95: null }, totalMs: { median: medianMs, p95: medianMs * 2 }, tokensPerSecond: { median: null, p95: null } },
    memory: { peakRssMb: 100 },
  });

  it('names the winner, the margin and the latency cost', () => {
    const r = recommend({ modes: [mode('a', 0.6, 100, { 'hit@5': 0.8 }), mode('b', 0.4, 10)], k: 5, questionCount: 10, questions: [] });
    expect(r).toMatchObject({ winner: 'a', runnerUp: 'b', basis: 'answer quality' });
    expect(r.margin).toBeCloseTo(0.2, 10);
    expect(r.text).toContain('A wins for this library');
    expect(r.text).toContain('20 points ahead (50% better)');
    expect(r.text).toContain('100 ms median per answer (p95 200 ms) against 10 ms for B, the fastest (10.0x)');
    expect(r.text).toContain('top 5 for 80%');
    expect(r.text).toMatch(/only 10 questions/);
  });

  it('calls a near tie and recommends the faster mode; lists skipped modes', () => {
    const skipped: ModeSummary = { ...mode('c', 0, 0), skipped: 'needs a LoRA adapter', metrics: null, score: null, latency: null };
    const r = recommend({ modes: [mode('a', 0.5, 200), mode('b', 0.49, 50), skipped], k: 5, questionCount: 30, questions: [] });
    expect(r.text).toContain('A and B are tied');
    expect(r.text).toContain('B, is the practical choice');
    expect(r.text).toContain('Not measured: C (needs a LoRA adapter)');
    expect(recommend({ modes: [skipped], k: 5, questionCount: 1, questions: [] }).winner).toBeNull();
  });

  it('the HTML report is self-contained and escapes what it shows', () => {
    const report: EvalReport = {
      version: 1, runId: 1, createdAt: '2026-01-01T00:00:00Z', library: 'lib <x>', questionSet: 'q.jsonl', model: null, adapters: [], embedder: null, k: 5,
      questionCount: 1, metricNames: ['hit@5'], modes: [mode('a', 0.5, 10, { 'hit@5': 1 })], memory: { maxRssMb: 1 },
      questions: [{ id: 'q1', question: '<script>alert(1)</script>', expected: { answer: 'a', sources: [], answerable: true }, answers: {} }],
      recommendation: { winner: 'a', runnerUp: null, basis: 'answer quality', margin: null, text: 'A & B' },
    };
    const html = renderReport(report);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('lib &lt;x&gt;');
    expect(html).toContain('A &amp; B');
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(3);
  });
});
