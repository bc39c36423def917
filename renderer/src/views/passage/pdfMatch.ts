/**
 * Finds a passage among a PDF page's text items (pdf.js `getTextContent`), so that it can be
 * highlighted over the rendered page. Words are compared without case, spaces or punctuation: the
 * indexer's text and pdf.js's items break lines and join words differently.
 */

/** The part of one text item that belongs to the passage: characters [start, end) of its string. */
export interface ItemSpan {
  item: number;
  start: number;
  end: number;
}

const KEEP = /[\p{L}\p{N}]/u;
/** How many characters of the passage's start and end are looked for when the whole does not fit the page. */
const EDGE = 40;

/** Letters and digits only, lower case, with where each came from. */
function fold(items: readonly string[]): { text: string; at: { item: number; char: number }[] } {
  let text = '';
  const at: { item: number; char: number }[] = [];
  items.forEach((str, item) => {
    let char = 0;
    for (const c of str) {
      if (KEEP.test(c)) {
        const lower = c.toLowerCase();
        text += lower;
        for (let i = 0; i < lower.length; i++) at.push({ item, char });
      }
      char += c.length;
    }
  });
  return { text, at };
}

/**
 * The spans of `items` that hold `passage`. A passage that runs on to the next page (or began on
 * the previous one) matches from its start to the page's end (or from the page's start to its end).
 * Empty when no part of it is found.
 */
export function matchPassage(items: readonly string[], passage: string): ItemSpan[] {
  const page = fold(items);
  const wanted = fold([passage]).text;
  if (!wanted || !page.text) return [];
  let from = page.text.indexOf(wanted);
  let to = from >= 0 ? from + wanted.length : -1;
  if (from < 0) {
    const head = wanted.slice(0, EDGE);
    const tail = wanted.slice(-EDGE);
    const headAt = page.text.indexOf(head);
    const tailAt = page.text.indexOf(tail, headAt >= 0 ? headAt : 0);
    if (headAt >= 0) {
      from = headAt;
      to = tailAt >= 0 ? tailAt + tail.length : Math.min(page.text.length, headAt + wanted.length);
    } else if (tailAt >= 0) {
      to = tailAt + tail.length;
      from = Math.max(0, to - wanted.length);
    } else return [];
  }
  const spans = new Map<number, ItemSpan>();
  for (let i = from; i < to; i++) {
    const { item, char } = page.at[i]!;
    const span = spans.get(item);
    if (span) span.end = Math.max(span.end, char + 1);
    else spans.set(item, { item, start: char, end: char + 1 });
  }
  return [...spans.values()].sort((a, b) => a.item - b.item);
}
