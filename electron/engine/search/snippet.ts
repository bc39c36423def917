import { stemmer } from 'stemmer';
import { fold, type QueryTerm } from './query.js';

export interface Snippet {
  text: string;
  /** [start, end) character ranges of matched words within `text`. */
  highlights: [number, number][];
}

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Whether a word of a passage is one of the query's terms; memoised (make one per query, not per
 * passage), as folding and stemming dominate snippet time.
 */
export function termMatcher(terms: readonly QueryTerm[]): (word: string) => boolean {
  const stems = new Set(terms.map((t) => t.stem));
  const words = new Set(terms.map((t) => t.word));
  // Porter stemming rewrites endings only: a word can share a stem only if it starts with the same two letters.
  const starts = new Set(terms.map((t) => t.stem.slice(0, 2)));
  const seen = new Map<string, boolean>();
  return (word) => {
    let hit = seen.get(word);
    if (hit === undefined) {
      const folded = fold(word);
      hit = words.has(folded) || (starts.has(folded.slice(0, 2)) && /^[a-z]+$/.test(folded) && stems.has(stemmer(folded)));
      seen.set(word, hit);
    }
    return hit;
  };
}

/** The window of a passage (about `length` characters, cut at word boundaries) with the most matched words, marked. */
export function makeSnippet(text: string, matches: (word: string) => boolean, length = 240): Snippet {
  const hits: [number, number][] = [];
  for (const m of text.matchAll(WORD)) if (matches(m[0])) hits.push([m.index, m.index + m[0].length]);

  let start = 0;
  if (text.length > length && hits.length > 0) {
    let best = 0;
    let bestCount = 0;
    for (let i = 0, j = 0; i < hits.length; i++) {
      while (j < hits.length && hits[j]![1] - hits[i]![0] <= length) j++;
      if (j - i > bestCount) [best, bestCount] = [i, j - i];
    }
    start = Math.max(0, hits[best]![0] - Math.floor(length / 4));
  }
  let end = Math.min(text.length, start + length);
  if (start > 0) {
    const space = text.indexOf(' ', start);
    if (space !== -1 && space < start + 30) start = space + 1;
  }
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > start + length / 2) end = space;
  }
  const prefix = start > 0 ? '…' : '';
  const body = text.slice(start, end).replace(/\s+/g, ' ');
  // Collapsing whitespace shifts offsets, so highlights are found again in the final string.
  const snippetText = prefix + body + (end < text.length ? '…' : '');
  const highlights: [number, number][] = [];
  for (const m of snippetText.matchAll(WORD)) if (matches(m[0])) highlights.push([m.index, m.index + m[0].length]);
  return { text: snippetText, highlights };
}
