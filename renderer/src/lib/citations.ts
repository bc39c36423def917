/**
 * `[1]`, `[2, 3]`, `[4-5]`: the citation markers the engine maps to passages
 * (electron/engine/generate/citations.ts), read the same way here to draw chips.
 */
export const CITATION_MARKER = /^\[(\d+(?:\s*(?:,|-|–)\s*\d+)*)\]/;

export function citationNumbers(list: string): number[] {
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
