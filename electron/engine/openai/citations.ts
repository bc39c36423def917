import type { AnswerSource } from '../../shared/answer.js';
import { extractCitations } from '../generate/citations.js';
import type { Citation } from './schemas.js';

function where(source: AnswerSource): string {
  const parts = [source.relativePath];
  if (source.page !== null) parts.push(`page ${source.page}`);
  if (source.lines) parts.push(source.lines[0] === source.lines[1] ? `line ${source.lines[0]}` : `lines ${source.lines[0]}-${source.lines[1]}`);
  return parts.join(', ');
}

const toCitation = (s: AnswerSource): Citation => ({ n: s.n, path: s.path, page: s.page, lines: s.lines, text: s.text });

/**
 * The citations of a finished answer, and the text to append to it. A generated answer cites the
 * passages its [n] markers point at; when the model wrote no valid marker (small models often
 * do not), every passage it was given counts. Generic OpenAI clients ignore the extra
 * `citations` field, so a generated answer also ends with a numbered "Sources" list.
 */
export function citationsOf(mode: 'generated' | 'search-only' | 'not-found', text: string, sources: readonly AnswerSource[]): { citations: Citation[]; footer: string } {
  if (mode === 'not-found' || sources.length === 0) return { citations: [], footer: '' };
  // Search-only answers already list each passage under its [n].
  if (mode === 'search-only') return { citations: sources.map(toCitation), footer: '' };
  const cited = new Set(extractCitations(text, []).citations.map((c) => c.n));
  const chosen = sources.some((s) => cited.has(s.n)) ? sources.filter((s) => cited.has(s.n)) : [...sources];
  return { citations: chosen.map(toCitation), footer: `\n\nSources:\n${chosen.map((s) => `[${s.n}] ${where(s)}`).join('\n')}` };
}
