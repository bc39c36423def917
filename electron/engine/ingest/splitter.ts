import type { NewChunk } from '../store/chunks.js';
import type { Block, ExtractedDocument } from './extracted.js';
import { LineIndex } from './loaders/text-lines.js';

export interface SplitOptions {
  chunkTokens: number;
  overlapTokens: number;
}

export const DEFAULT_SPLIT: SplitOptions = { chunkTokens: 300, overlapTokens: 40 };

/**
 * A fast, deterministic estimate of how many subword tokens a BERT WordPiece or LLaMA BPE tokenizer
 * makes of English-like text (within ~15% on prose), in one pass without allocating:
 * - a letter run of up to 7 characters is one token, longer runs one more per 5 characters
 *   (common words are whole vocabulary entries; rare long ones split into pieces of ~4-5 chars);
 *   non-ASCII letters (accents, Cyrillic, Greek...) weigh double, as vocabularies cover them thinly;
 * - a digit run is one token per 3 digits;
 * - every punctuation mark or symbol is a token;
 * - CJK ideographs, kana and Hangul syllables are one token each, as is any astral character (emoji);
 * - whitespace is free.
 * The exact model tokenizer is used later where budgets are tight (prompt packing); this one only
 * sizes chunks, where being close and monotonic matters more than being exact.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  let letters = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const kind = c < 128 ? ASCII[c]! : wideKind(c);
    if (kind === LETTER || kind === NON_ASCII_LETTER) {
      if (digits > 0) tokens += Math.ceil(digits / 3);
      digits = 0;
      letters += kind === LETTER ? 1 : 2;
      continue;
    }
    if (letters > 0) tokens += wordTokens(letters);
    letters = 0;
    if (kind === DIGIT) {
      digits++;
      continue;
    }
    if (digits > 0) tokens += Math.ceil(digits / 3);
    digits = 0;
    if (kind === SYMBOL) tokens++;
    else if (kind === ASTRAL) {
      tokens++;
      i++;
    }
  }
  if (digits > 0) tokens += Math.ceil(digits / 3);
  if (letters > 0) tokens += wordTokens(letters);
  return tokens;
}

const SPACE = 0;
const LETTER = 1;
const NON_ASCII_LETTER = 2;
const DIGIT = 3;
const SYMBOL = 4;
const ASTRAL = 5;

const ASCII = Uint8Array.from({ length: 128 }, (_, c) => {
  if (c === 32 || (c >= 9 && c <= 13)) return SPACE;
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) return LETTER;
  if (c >= 48 && c <= 57) return DIGIT;
  return SYMBOL;
});

function wideKind(c: number): number {
  if (isSpace(c)) return SPACE;
  // CJK ideographs, kana, Hangul and full-width forms: about one token per character.
  if ((c >= 0x2e80 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xffef)) return SYMBOL;
  if (c >= 0xd800 && c <= 0xdbff) return ASTRAL;
  // Latin-1 signs (« © ° ×  ÷) and the general punctuation, arrows and symbols blocks.
  if (c < 0xc0 || c === 0xd7 || c === 0xf7 || (c >= 0x2010 && c <= 0x2bff) || (c >= 0xdc00 && c <= 0xdfff)) return SYMBOL;
  return NON_ASCII_LETTER;
}

function wordTokens(letters: number): number {
  return letters <= 7 ? 1 : 1 + Math.ceil((letters - 7) / 5);
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x3000 || c === 0xfeff || (c >= 0x2000 && c <= 0x200b);
}

/** Where a range may be cut, coarsest first; a cut goes at the end of the match. */
const SEPARATORS: RegExp[] = [
  /\n[ \t\r]*\n\s*/g, // paragraph break
  /\n\s*/g, // line break
  /[.!?…]["'”’)\]]*\s+|[。！？；]\s*/g, // sentence end
  /\s+/g, // word
];

interface Range {
  start: number;
  end: number;
}

/** Where a chunk sits beyond its character range: blocks of different places never share a chunk. */
interface Place {
  page: number | undefined;
  frame: number | undefined;
  sheet: string | undefined;
  rowStart: number | undefined;
  rowEnd: number | undefined;
  /** Confidence of OCR text, weighted by characters; absent for text that was not recognised. */
  ocrConfidence: number | undefined;
  standalone: boolean;
}

interface OpenChunk extends Range {
  tokens: number;
  headingPath: string[];
  place: Place;
  /** Characters of OCR text so far, to weight the confidence of the next block. */
  ocrChars: number;
  headingsOnly: boolean;
}

function placeOf(block: Block): Place {
  return {
    page: block.page, frame: block.frame, sheet: block.sheet, rowStart: block.rowStart, rowEnd: block.rowEnd,
    ocrConfidence: block.ocrConfidence, standalone: block.standalone === true,
  };
}

function samePlace(a: Place, b: Place): boolean {
  return a.page === b.page && a.frame === b.frame && a.sheet === b.sheet && (a.ocrConfidence === undefined) === (b.ocrConfidence === undefined);
}

/** Extends an open chunk's place with a block joining it: row ranges widen, OCR confidence averages by characters. */
function widen(open: OpenChunk, block: Block): void {
  const place = open.place;
  if (block.rowStart !== undefined) place.rowStart = Math.min(place.rowStart ?? block.rowStart, block.rowStart);
  if (block.rowEnd !== undefined) place.rowEnd = Math.max(place.rowEnd ?? block.rowEnd, block.rowEnd);
  if (block.ocrConfidence !== undefined && place.ocrConfidence !== undefined) {
    const chars = block.end - block.start;
    place.ocrConfidence = (place.ocrConfidence * open.ocrChars + block.ocrConfidence * chars) / Math.max(1, open.ocrChars + chars);
    open.ocrChars += chars;
  }
}

/**
 * Cuts a document into chunks: consecutive blocks are packed up to `chunkTokens`; a heading starts
 * a new chunk, a chunk never spans two pages (frames, sheets) nor mixes OCR and extracted text, and a block too big for one chunk is cut at the
 * coarsest boundary that works (paragraph, line, sentence, word, then anywhere), its pieces
 * overlapping by about `overlapTokens` so that a sentence cut in two is whole in one of them.
 * Each chunk's text is exactly `doc.text.slice(charStart, charEnd)`.
 */
export function splitDocument(doc: ExtractedDocument, options: SplitOptions = DEFAULT_SPLIT): NewChunk[] {
  const { text } = doc;
  const chunkTokens = Math.max(1, Math.floor(options.chunkTokens));
  const overlapTokens = Math.max(0, Math.min(Math.floor(options.overlapTokens), Math.floor(chunkTokens / 2)));
  const lines = doc.lineAddressable ? new LineIndex(text) : null;
  const chunks: NewChunk[] = [];

  const emit = (range: Range, headingPath: string[], place: Place): void => {
    const start = range.start;
    let end = range.end;
    while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
    if (end <= start) return;
    const chunkText = text.slice(start, end);
    const chunk: NewChunk = {
      text: chunkText,
      charStart: start,
      charEnd: end,
      page: place.page ?? null,
      lineStart: lines ? lines.lineOf(start) + 1 : null,
      lineEnd: lines ? lines.lineOf(end - 1) + 1 : null,
      headingPath: [...headingPath],
      tokenCount: estimateTokens(chunkText),
    };
    if (place.frame !== undefined) chunk.frame = place.frame;
    if (place.sheet !== undefined) chunk.sheet = place.sheet;
    if (place.rowStart !== undefined) chunk.rowStart = place.rowStart;
    if (place.rowEnd !== undefined) chunk.rowEnd = place.rowEnd;
    if (place.ocrConfidence !== undefined) chunk.ocrConfidence = Math.round(place.ocrConfidence * 10) / 10;
    chunks.push(chunk);
  };

  let open: OpenChunk | null = null;
  const flush = (): void => {
    if (open) emit(open, open.headingPath, open.place);
    open = null;
  };

  for (const block of doc.blocks) {
    const start = Math.max(0, block.start);
    const end = Math.min(text.length, block.end);
    if (end <= start || !hasText(text, start, end)) continue;
    const tokens = estimateTokens(text.slice(start, end));
    if (tokens > chunkTokens) {
      // A heading keeps the text that follows it even when that text has to be cut up.
      const heading: OpenChunk | null = open && open.headingsOnly && samePlace(open.place, placeOf(block)) ? open : null;
      if (heading) open = null;
      else flush();
      const range = { start: heading ? heading.start : start, end };
      const headingPath = heading ? heading.headingPath : block.headingPath;
      for (const piece of splitLarge(text, range, chunkTokens, overlapTokens)) emit(piece, headingPath, placeOf(block));
      continue;
    }
    if (open && fits(open, block, tokens, chunkTokens)) {
      open.end = end;
      open.tokens += tokens;
      widen(open, block);
      // Nested headings with nothing between them ("# Guide" then "## Install") stay together, under
      // the innermost heading's path, instead of leaving a chunk of bare titles.
      if (block.heading) open.headingPath = block.headingPath;
      else open.headingsOnly = false;
      continue;
    }
    flush();
    open = { start, end, tokens, headingPath: block.headingPath, place: placeOf(block), ocrChars: end - start, headingsOnly: block.heading === true };
  }
  flush();
  return chunks;
}

function fits(open: OpenChunk, block: Block, tokens: number, chunkTokens: number): boolean {
  if (open.place.standalone || block.standalone || !samePlace(open.place, placeOf(block)) || open.tokens + tokens > chunkTokens) return false;
  return !block.heading || (open.headingsOnly && nests(block.headingPath, open.headingPath));
}

/** True when `inner` is a heading path below `outer` ("Guide > Install" under "Guide"). */
function nests(inner: string[], outer: string[]): boolean {
  return inner.length > outer.length && outer.every((title, i) => inner[i] === title);
}

function hasText(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isSpace(text.charCodeAt(i))) return true;
  return false;
}

/** Pieces of an oversized range, each at most `chunkTokens` including the overlap it starts with. */
function splitLarge(text: string, range: Range, chunkTokens: number, overlapTokens: number): Range[] {
  const budget = Math.max(1, chunkTokens - overlapTokens);
  const pieces: Range[] = [];
  cut(text, range, budget, 0, pieces);
  if (overlapTokens === 0) return pieces;
  return pieces.map((piece, i) => (i === 0 ? piece : { start: overlapStart(text, pieces[i - 1]!, piece.start, overlapTokens), end: piece.end }));
}

/**
 * Splits `range` at separator `level` and packs the segments greedily up to `budget`; a segment
 * still too big goes down to the next, finer level. Every level reads each character once, so the
 * whole split is linear in the range's length.
 */
function cut(text: string, range: Range, budget: number, level: number, out: Range[]): void {
  const separator = SEPARATORS[level];
  if (!separator) {
    hardCut(text, range, budget, out);
    return;
  }
  const parts = segments(text, range, separator);
  if (parts.length === 1) {
    cut(text, range, budget, level + 1, out);
    return;
  }
  let packed: Range | null = null;
  let packedTokens = 0;
  for (const segment of parts) {
    const tokens = estimateTokens(text.slice(segment.start, segment.end));
    if (packed && packedTokens + tokens <= budget) {
      packed.end = segment.end;
      packedTokens += tokens;
      continue;
    }
    if (packed) out.push(packed);
    packed = null;
    if (tokens > budget) {
      cut(text, segment, budget, level + 1, out);
      continue;
    }
    packed = { ...segment };
    packedTokens = tokens;
  }
  if (packed) out.push(packed);
}

function segments(text: string, range: Range, separator: RegExp): Range[] {
  // Matching on the range's own slice: a regex run on the whole text would scan past the range's
  // end looking for a match, making the split quadratic.
  const slice = text.slice(range.start, range.end);
  const found: Range[] = [];
  let start = 0;
  separator.lastIndex = 0;
  for (let match = separator.exec(slice); match; match = separator.exec(slice)) {
    const end = match.index + match[0].length;
    if (match.index > start) {
      found.push({ start: range.start + start, end: range.start + end });
      start = end;
    }
    if (match[0].length === 0) separator.lastIndex++;
  }
  if (start < slice.length) found.push({ start: range.start + start, end: range.end });
  return found;
}

/** The last resort for text without any whitespace: cut by length, never inside a surrogate pair. */
function hardCut(text: string, range: Range, budget: number, out: Range[]): void {
  const total = Math.max(1, estimateTokens(text.slice(range.start, range.end)));
  const step = Math.max(1, Math.floor(((range.end - range.start) * budget) / total));
  let at = range.start;
  while (at < range.end) {
    let end = Math.min(range.end, at + step);
    while (end - at > 1 && estimateTokens(text.slice(at, end)) > budget) end = at + Math.max(1, Math.floor((end - at) * 0.9));
    if (end < range.end && isLowSurrogate(text.charCodeAt(end))) end = end - 1 > at ? end - 1 : end + 1;
    out.push({ start: at, end });
    at = end;
  }
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Where a piece's start moves back to so that it repeats about `overlapTokens` of the previous
 * piece, in whole words, and never more than half of that piece.
 */
function overlapStart(text: string, previous: Range, start: number, overlapTokens: number): number {
  const limit = previous.start + Math.ceil((previous.end - previous.start) / 2);
  let best = start;
  let tokens = 0;
  let i = start;
  while (i > limit) {
    while (i > limit && isSpace(text.charCodeAt(i - 1))) i--;
    let wordStart = i;
    while (wordStart > limit && !isSpace(text.charCodeAt(wordStart - 1))) wordStart--;
    // A word running into the limit is not known to be whole.
    if (wordStart === i || !isSpace(text.charCodeAt(wordStart - 1))) break;
    // Estimates add up across whitespace, so the overlap's size is the sum of its words'.
    tokens += estimateTokens(text.slice(wordStart, i));
    if (tokens > overlapTokens) break;
    best = wordStart;
    i = wordStart;
  }
  return best;
}
