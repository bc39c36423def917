import { describe, expect, it } from 'vitest';
import type { AnswerSource } from '../../electron/shared/answer.js';
import { answerForClipboard } from '../../renderer/src/lib/copy-answer.js';

const source = (n: number, cited: boolean, where: Partial<AnswerSource> = {}): AnswerSource => ({
  n, path: `/docs/file-${n}.md`, relativePath: `file-${n}.md`, page: null, lines: null, headingPath: [], chunkId: n, text: '', cited, ...where,
});

describe('copying an answer', () => {
  it('keeps the [n] markers and lists the sources they cite, with their places', () => {
    const sources = [source(1, true, { lines: [3, 9], headingPath: ['Setup'] }), source(2, false), source(3, true, { relativePath: 'scan.pdf', page: 4 })];
    expect(answerForClipboard('Lily has a dog [1]. It is red [3].\n', sources, false)).toBe(
      'Lily has a dog [1]. It is red [3].\n\nSources:\n[1] file-1.md, lines 3–9 · Setup\n[3] scan.pdf, page 4',
    );
  });

  it('lists every source when the answer cites none, and copies search-only passages as they are', () => {
    expect(answerForClipboard('No citations here.', [source(1, false), source(2, false)], false)).toBe('No citations here.\n\nSources:\n[1] file-1.md\n[2] file-2.md');
    expect(answerForClipboard('[1] file-1.md, lines 1-5\nLily plays.', [source(1, false)], true)).toBe('[1] file-1.md, lines 1-5\nLily plays.');
    expect(answerForClipboard('Nothing found.', [], false)).toBe('Nothing found.');
  });
});
