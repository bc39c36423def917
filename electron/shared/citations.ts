/**
 * `[1]`, `[2, 3]`, `[4-5]`, `[1][2]`: each number in brackets is one citation. Shared so the engine
 * (which maps markers to passages) and the UI (which draws them as chips) read them the same way.
 */
export const CITATION_MARKER_SOURCE = String.raw`\[(\d+(?:\s*(?:,|-|–)\s*\d+)*)\]`;

/** The numbers in a marker's inside (`2, 3` or `4-5`). */
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
