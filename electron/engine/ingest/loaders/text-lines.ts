import { decodeText } from '../decode.js';
import type { Block, ExtractedDocument } from '../extracted.js';

/** A block never spans more lines than this, so a log file without blank lines still chunks well. */
export const MAX_BLOCK_LINES = 50;
/** ...nor more characters than this (minified code, one-line JSON dumps). */
export const MAX_BLOCK_CHARS = 8000;

export interface SourceText {
  text: string;
  note?: ExtractedDocument['note'];
}

/**
 * The file's own text for line-addressable loaders. A lone `\r` (classic Mac line ends) becomes
 * `\n`: same length, so offsets are unchanged, and counting `\n` then gives the file's line numbers.
 * `\r\n` is kept as is.
 */
export function decodeSource(bytes: Uint8Array): SourceText {
  const decoded = decodeText(bytes);
  let text = decoded.text;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.replace(/\r(?!\n)/g, '\n');
  const source: SourceText = { text };
  if (decoded.transcoded) source.note = { reason: 'transcoded', message: `Not UTF-8: decoded as ${decoded.encoding}` };
  return source;
}

/** Line boundaries of a text whose line breaks are `\n` (optionally preceded by `\r`). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  get count(): number {
    return this.starts.length;
  }

  start(line: number): number {
    return this.starts[line]!;
  }

  /** Offset just past the line's content, before its `\r\n` / `\n`. */
  end(line: number): number {
    let end = line + 1 < this.starts.length ? this.starts[line + 1]! - 1 : this.text.length;
    if (end > this.starts[line]! && this.text.charCodeAt(end - 1) === 13 && line + 1 < this.starts.length) end--;
    return end;
  }

  line(line: number): string {
    return this.text.slice(this.start(line), this.end(line));
  }

  isBlank(line: number): boolean {
    return this.line(line).trim() === '';
  }

  /** 0-based line holding `offset`. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/**
 * Blocks for lines `first..last` (inclusive), cut into pieces of at most MAX_BLOCK_LINES lines and
 * about MAX_BLOCK_CHARS characters; an over-long single line is cut at whitespace where it can be.
 * Blank lines at either end are dropped, and each piece ends before trailing whitespace.
 */
export function boundedBlocks(
  lines: LineIndex,
  first: number,
  last: number,
  where: { headingPath: string[]; heading?: boolean },
): Block[] {
  while (first <= last && lines.isBlank(first)) first++;
  while (last >= first && lines.isBlank(last)) last--;
  const blocks: Block[] = [];
  const push = (start: number, end: number): void => {
    const text = lines.text;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    if (end <= start || text.slice(start, end).trim() === '') return;
    const block: Block = { start, end, headingPath: [...where.headingPath] };
    if (where.heading) block.heading = true;
    blocks.push(block);
  };
  let pieceStart = -1;
  let pieceLines = 0;
  for (let line = first; line <= last; line++) {
    const start = lines.start(line);
    const end = lines.end(line);
    if (pieceStart !== -1 && (pieceLines >= MAX_BLOCK_LINES || end - pieceStart > MAX_BLOCK_CHARS)) {
      push(pieceStart, lines.end(line - 1));
      pieceStart = -1;
    }
    if (end - start > MAX_BLOCK_CHARS) {
      for (const [a, b] of cutLongLine(lines.text, start, end)) push(a, b);
      continue;
    }
    if (pieceStart === -1) {
      pieceStart = start;
      pieceLines = 0;
    }
    pieceLines++;
  }
  if (pieceStart !== -1) push(pieceStart, lines.end(last));
  return blocks;
}

function cutLongLine(text: string, start: number, end: number): [number, number][] {
  const pieces: [number, number][] = [];
  let at = start;
  while (end - at > MAX_BLOCK_CHARS) {
    let cut = at + MAX_BLOCK_CHARS;
    // Searching only the window that can be used: lastIndexOf from `cut` would scan back to the
    // start of a long line without spaces, making minified files quadratic.
    const from = at + MAX_BLOCK_CHARS / 2 + 1;
    const found = text.slice(from, cut + 1).lastIndexOf(' ');
    const space = found === -1 ? -1 : from + found;
    if (space > at + MAX_BLOCK_CHARS / 2) cut = space + 1;
    // Never split a surrogate pair.
    else if (isLowSurrogate(text.charCodeAt(cut))) cut--;
    pieces.push([at, cut]);
    at = cut;
  }
  pieces.push([at, end]);
  return pieces;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
