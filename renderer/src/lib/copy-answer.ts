import type { AnswerSource } from '../../../electron/shared/answer.js';
import { formatLocation } from './format.js';

/**
 * An answer as it is copied out of the window: its text with the [n] markers, then the sources
 * those markers point to, so that the citations still mean something once pasted elsewhere.
 * A written answer lists the sources it cites (all of them when it cites none); a search-only
 * answer already names each passage's place, so its text is copied as it is.
 */
export function answerForClipboard(answer: string, sources: readonly AnswerSource[] | null, searchOnly: boolean): string {
  const text = answer.trim();
  if (searchOnly || !sources || sources.length === 0) return text;
  const cited = sources.filter((s) => s.cited);
  const listed = cited.length > 0 ? cited : sources;
  const lines = listed.map((s) => {
    const where = formatLocation(s);
    return `[${s.n}] ${s.relativePath}${where ? `, ${where}` : ''}`;
  });
  return `${text}\n\nSources:\n${lines.join('\n')}`;
}
