import { CITATION_MARKER_SOURCE, citationNumbers } from '../../shared/citations.js';
import type { PackedPassage } from './prompt.js';

export interface Citation {
  n: number;
  /** Where the marker sits in the answer text. */
  start: number;
  end: number;
  passage: PackedPassage | null;
}

export interface CitationReport {
  citations: Citation[];
  /** Passages cited at least once, in order of first citation. */
  cited: PackedPassage[];
  /** Marker numbers that point at no passage (the model made them up). */
  invalid: number[];
}

const MARKER = new RegExp(CITATION_MARKER_SOURCE, 'g');

export function extractCitations(answer: string, passages: readonly PackedPassage[]): CitationReport {
  const byNumber = new Map(passages.map((p) => [p.n, p]));
  const citations: Citation[] = [];
  for (const match of answer.matchAll(MARKER)) {
    for (const n of citationNumbers(match[1]!)) {
      citations.push({ n, start: match.index, end: match.index + match[0].length, passage: byNumber.get(n) ?? null });
    }
  }
  const cited: PackedPassage[] = [];
  const invalid: number[] = [];
  for (const c of citations) {
    if (c.passage) {
      if (!cited.includes(c.passage)) cited.push(c.passage);
    } else if (!invalid.includes(c.n)) invalid.push(c.n);
  }
  return { citations, cited, invalid };
}
