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

/** `[1]`, `[2, 3]`, `[4-5]`, `[1][2]`: each number in brackets is one citation. */
const MARKER = /\[(\d+(?:\s*(?:,|-|–)\s*\d+)*)\]/g;

export function extractCitations(answer: string, passages: readonly PackedPassage[]): CitationReport {
  const byNumber = new Map(passages.map((p) => [p.n, p]));
  const citations: Citation[] = [];
  for (const match of answer.matchAll(MARKER)) {
    for (const n of expand(match[1]!)) {
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

function expand(list: string): number[] {
  const numbers: number[] = [];
  for (const part of list.split(',')) {
    const range = /^\s*(\d+)\s*[-–]\s*(\d+)\s*$/.exec(part);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      // A long "range" is more likely a year span than citations.
      if (to >= from && to - from < 10) for (let n = from; n <= to; n++) numbers.push(n);
    } else {
      numbers.push(Number(part.trim()));
    }
  }
  return numbers;
}
