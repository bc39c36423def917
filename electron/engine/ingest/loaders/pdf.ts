import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { DocumentKind } from '../../../shared/library.js';
import { ExtractionError, HeadingTrail, TextBuilder, type ExtractedDocument, type Loader } from '../extracted.js';

/** Character maps let pdfjs turn CJK fonts' character ids into Unicode; without them that text is lost. */
const CMAP_URL = join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'cmaps') + '/';

/** A paragraph is cut after this many lines so a page without vertical gaps still makes several blocks. */
const MAX_PARAGRAPH_LINES = 40;
/** Lines this much larger than the body text, short and few, are taken for headings. */
const HEADING_SCALE = 1.15;
const HEADING_MAX_CHARS = 200;
const HEADING_MAX_LINES = 3;
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
/** A page with fewer visible characters than this in its text layer is taken for a scan and read by OCR. */
export const MIN_PAGE_TEXT_CHARS = 40;

interface Line {
  text: string;
  /** Baseline, PDF user space (grows upwards). */
  y: number;
  size: number;
}

interface Paragraph {
  page: number;
  lines: Line[];
}

export const load: Loader = async ({ bytes, kind, ocr }) => {
  const task = getDocument({
    // pdfjs transfers the buffer to its worker side; give it a copy so the caller's bytes survive.
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    cMapUrl: CMAP_URL,
    cMapPacked: true,
    verbosity: 0,
  });
  try {
    let pdf: PDFDocumentProxy;
    try {
      pdf = await task.promise;
    } catch (error) {
      throw openFailure(error);
    }
    const paragraphs: Paragraph[] = [];
    const scanned: number[] = [];
    let failedPages = 0;
    let lastFailure: unknown;
    for (let page = 1; page <= pdf.numPages; page++) {
      try {
        const lines = await pageLines(pdf, page);
        if (visibleChars(lines) < MIN_PAGE_TEXT_CHARS) scanned.push(page);
        for (const group of paragraphsOf(lines)) paragraphs.push({ page, lines: group });
      } catch (error) {
        // One damaged page should not cost the rest of the document.
        failedPages++;
        lastFailure = error;
      }
    }
    if (pdf.numPages === 0) throw new ExtractionError('empty', 'The PDF has no pages');
    if (failedPages === pdf.numPages) throw new ExtractionError('corrupt', `No page of the PDF could be read: ${messageOf(lastFailure)}`);
    const doc = toDocument(paragraphs, kind);
    if (ocr && scanned.length > 0) doc.ocr = scanned.map((page) => ({ source: 'pdf', page }));
    else if (!doc.text) throw new ExtractionError('no-text', `The PDF has no text layer (scanned pages?)${ocr === false ? '; OCR is off for this library' : ''}`);
    return doc;
  } finally {
    await task.destroy();
  }
};

function visibleChars(lines: Line[]): number {
  let count = 0;
  for (const line of lines) count += line.text.replace(/\s+/g, '').length;
  return count;
}

function openFailure(error: unknown): ExtractionError {
  const name = error instanceof Error ? error.name : '';
  if (name === 'PasswordException') return new ExtractionError('encrypted', 'The PDF is password-protected');
  if (name === 'InvalidPDFException') return new ExtractionError('corrupt', `Not a valid PDF: ${messageOf(error)}`);
  return new ExtractionError('corrupt', `The PDF cannot be read: ${messageOf(error)}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Lines from pdfjs text items: an item ending a line says so (hasEOL); a baseline jump also ends one. */
async function pageLines(pdf: PDFDocumentProxy, number: number): Promise<Line[]> {
  const page = await pdf.getPage(number);
  try {
    const content = await page.getTextContent();
    const lines: Line[] = [];
    let parts: string[] = [];
    let y = 0;
    let size = 0;
    const endLine = (): void => {
      const text = parts.join('').replace(/\s+$/, '');
      if (text.trim()) lines.push({ text, y, size });
      parts = [];
      size = 0;
    };
    for (const item of content.items) {
      if (!('str' in item)) continue;
      const [a = 0, b = 0, c = 0, , , itemY = 0] = item.transform as number[];
      const itemSize = Math.hypot(a, b) || item.height;
      const horizontal = Math.abs(b) < 1e-6 && Math.abs(c) < 1e-6;
      if (parts.length > 0 && horizontal && Math.abs(itemY - y) > Math.max(size, itemSize) * 0.6) endLine();
      if (parts.length === 0) y = itemY;
      parts.push(item.str.replace(CONTROL_CHARS, ''));
      if (item.str.trim()) size = Math.max(size, itemSize);
      if (item.hasEOL) endLine();
    }
    endLine();
    return lines;
  } finally {
    page.cleanup();
  }
}

/**
 * Paragraphs by vertical gaps: a gap clearly wider than the page's usual line spacing, a jump
 * upwards (a new column) or a change of font size starts a new one.
 */
function paragraphsOf(lines: Line[]): Line[][] {
  const gaps: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const gap = lines[i - 1]!.y - lines[i]!.y;
    if (gap > lines[i]!.size * 0.5 && gap < lines[i]!.size * 3) gaps.push(gap);
  }
  const leading = median(gaps);
  const paragraphs: Line[][] = [];
  let current: Line[] = [];
  for (const line of lines) {
    const prev = current[current.length - 1];
    if (prev) {
      const gap = prev.y - line.y;
      const size = Math.max(prev.size, line.size);
      const threshold = Math.min(leading === undefined ? Infinity : leading * 1.3, size * 2);
      const resized = Math.max(prev.size, line.size) / Math.max(0.01, Math.min(prev.size, line.size)) > HEADING_SCALE;
      if (gap > threshold || gap < -size * 0.5 || resized || current.length >= MAX_PARAGRAPH_LINES) {
        paragraphs.push(current);
        current = [];
      }
    }
    current.push(line);
  }
  if (current.length > 0) paragraphs.push(current);
  return paragraphs;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Blocks per paragraph, never across pages; large short paragraphs become headings ranked by size. */
function toDocument(paragraphs: Paragraph[], kind: DocumentKind): ExtractedDocument {
  const bodySize = dominantSize(paragraphs);
  const isHeading = (p: Paragraph): boolean => {
    const text = p.lines.map((l) => l.text).join(' ');
    return (
      bodySize > 0 &&
      p.lines.length <= HEADING_MAX_LINES &&
      text.length <= HEADING_MAX_CHARS &&
      /\p{L}/u.test(text) &&
      p.lines.every((l) => l.size >= bodySize * HEADING_SCALE)
    );
  };
  const headingSizes = [...new Set(paragraphs.filter(isHeading).map((p) => roundSize(maxSize(p))))].sort((x, y) => y - x);
  const trail = new HeadingTrail();
  const builder = new TextBuilder();
  for (const p of paragraphs) {
    const text = p.lines.map((l) => l.text).join('\n');
    if (isHeading(p)) {
      const level = Math.min(headingSizes.indexOf(roundSize(maxSize(p))) + 1, 6);
      builder.add(text, { headingPath: trail.enter(level, text), page: p.page, heading: true });
    } else {
      builder.add(text, { headingPath: trail.path(), page: p.page });
    }
  }
  return builder.build(kind);
}

function maxSize(p: Paragraph): number {
  return Math.max(...p.lines.map((l) => l.size));
}

function roundSize(size: number): number {
  return Math.round(size * 2) / 2;
}

/** The font size carrying the most characters: the body text. */
function dominantSize(paragraphs: Paragraph[]): number {
  const chars = new Map<number, number>();
  for (const p of paragraphs) for (const l of p.lines) chars.set(roundSize(l.size), (chars.get(roundSize(l.size)) ?? 0) + l.text.length);
  let best = 0;
  let most = 0;
  for (const [size, count] of chars) {
    if (count > most) {
      best = size;
      most = count;
    }
  }
  return best;
}
