import { describe, expect, it } from 'vitest';
import { TextBuilder } from '../../electron/engine/ingest/extracted.js';
import type { Block, ExtractedDocument } from '../../electron/engine/ingest/extracted.js';
import { DEFAULT_SPLIT, estimateTokens, splitDocument } from '../../electron/engine/ingest/splitter.js';
import type { NewChunk } from '../../electron/engine/store/chunks.js';

/** The invariants every split must keep, whatever the document. */
function checkChunks(doc: ExtractedDocument, chunks: NewChunk[]): void {
  for (const chunk of chunks) {
    expect(chunk.text).toBe(doc.text.slice(chunk.charStart, chunk.charEnd));
    expect(chunk.text.trim()).not.toBe('');
    expect(chunk.tokenCount).toBe(estimateTokens(chunk.text));
    if (doc.lineAddressable) {
      expect(chunk.lineStart).toBe(lineOf(doc.text, chunk.charStart));
      expect(chunk.lineEnd).toBe(lineOf(doc.text, chunk.charEnd - 1));
    } else {
      expect(chunk.lineStart).toBeNull();
      expect(chunk.lineEnd).toBeNull();
    }
  }
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** A line-addressable document whose blocks are its blank-line-separated paragraphs. */
function paragraphs(text: string): ExtractedDocument {
  const blocks: Block[] = [];
  for (const match of text.matchAll(/\S(?:[^\n]|\n(?![ \t]*\r?\n))*/g)) {
    blocks.push({ start: match.index, end: match.index + match[0].trimEnd().length, headingPath: [] });
  }
  return { kind: 'text', text, blocks, lineAddressable: true };
}

function prose(sentences: number): string {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) {
    const n = 6 + (i % 9);
    const sentence = Array.from({ length: n }, (_, j) => words[(i * 7 + j * 3) % words.length]!).join(' ');
    out.push(`${sentence[0]!.toUpperCase()}${sentence.slice(1)} number ${i}.`);
  }
  return out.join(' ');
}

describe('estimateTokens', () => {
  it('counts words, punctuation, numbers and CJK characters', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('   \n\t ')).toBe(0);
    expect(estimateTokens('The quick brown fox jumps over the lazy dog.')).toBe(10);
    expect(estimateTokens('internationalization')).toBeGreaterThan(estimateTokens('nation'));
    expect(estimateTokens('2024')).toBe(2);
    expect(estimateTokens('東京は日本の首都です。')).toBe(11);
    expect(estimateTokens('😀😀')).toBe(2);
  });

  it('adds up across whitespace', () => {
    const a = 'Some words, and more words.';
    const b = 'Then 42 others!';
    expect(estimateTokens(`${a} ${b}`)).toBe(estimateTokens(a) + estimateTokens(b));
  });
});

describe('splitDocument', () => {
  it('starts a chunk at each heading and keeps the heading with its text', () => {
    const builder = new TextBuilder();
    builder.add('Setup', { headingPath: ['Setup'], heading: true });
    builder.add('Install the tool first.', { headingPath: ['Setup'] });
    builder.add('Then configure it.', { headingPath: ['Setup'] });
    builder.add('Usage', { headingPath: ['Usage'], heading: true });
    builder.add('Run it every day.', { headingPath: ['Usage'] });
    const doc = builder.build('docx');
    const chunks = splitDocument(doc);
    checkChunks(doc, chunks);
    expect(chunks.map((c) => c.text)).toEqual(['Setup\n\nInstall the tool first.\n\nThen configure it.', 'Usage\n\nRun it every day.']);
    expect(chunks.map((c) => c.headingPath)).toEqual([['Setup'], ['Usage']]);
    expect(chunks[0]!.page).toBeNull();
  });

  it('keeps nested headings with nothing between them in one chunk, under the inner path', () => {
    const builder = new TextBuilder();
    builder.add('Guide', { headingPath: ['Guide'], heading: true });
    builder.add('Install', { headingPath: ['Guide', 'Install'], heading: true });
    builder.add('Run the installer.', { headingPath: ['Guide', 'Install'] });
    builder.add('Other', { headingPath: ['Other'], heading: true });
    builder.add('Elsewhere.', { headingPath: ['Other'] });
    const chunks = splitDocument(builder.build('markdown'));
    expect(chunks.map((c) => [c.text, c.headingPath])).toEqual([
      ['Guide\n\nInstall\n\nRun the installer.', ['Guide', 'Install']],
      ['Other\n\nElsewhere.', ['Other']],
    ]);
  });

  it('never lets a chunk cross a page boundary', () => {
    const builder = new TextBuilder();
    builder.add('First page, first paragraph.', { page: 1 });
    builder.add('First page, second paragraph.', { page: 1 });
    builder.add('Second page.', { page: 2 });
    builder.add('Third page.', { page: 3 });
    const doc = builder.build('pdf');
    const chunks = splitDocument(doc);
    checkChunks(doc, chunks);
    expect(chunks.map((c) => [c.page, c.text])).toEqual([
      [1, 'First page, first paragraph.\n\nFirst page, second paragraph.'],
      [2, 'Second page.'],
      [3, 'Third page.'],
    ]);
  });

  it('packs blocks up to the budget', () => {
    const text = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} has a few words in it.`).join('\n\n');
    const doc = paragraphs(text);
    const chunks = splitDocument(doc, { chunkTokens: 40, overlapTokens: 5 });
    checkChunks(doc, chunks);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.tokenCount).toBeLessThanOrEqual(40);
    // Packed blocks do not overlap: the chunks are the paragraphs, in order, each once.
    expect(chunks.map((c) => c.text).join('\n\n')).toBe(text);
  });

  it('splits an oversized paragraph into overlapping pieces within the budget', () => {
    const text = prose(200);
    const doc: ExtractedDocument = { kind: 'text', text, blocks: [{ start: 0, end: text.length, headingPath: ['Long'] }], lineAddressable: false };
    const options = { chunkTokens: 100, overlapTokens: 20 };
    const chunks = splitDocument(doc, options);
    checkChunks(doc, chunks);
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks[0]!.charStart).toBe(0);
    expect(chunks.at(-1)!.charEnd).toBe(text.length);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(options.chunkTokens + 2);
      expect(chunk.headingPath).toEqual(['Long']);
    }
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1]!;
      const chunk = chunks[i]!;
      // Overlapping, in whole words, by about overlapTokens.
      expect(chunk.charStart).toBeLessThan(previous.charEnd);
      expect(chunk.charStart).toBeGreaterThan(previous.charStart);
      expect(text[chunk.charStart - 1]).toBe(' ');
      const overlap = estimateTokens(text.slice(chunk.charStart, previous.charEnd));
      expect(overlap).toBeGreaterThan(5);
      expect(overlap).toBeLessThanOrEqual(options.overlapTokens);
    }
    // Pieces are cut at sentence ends when sentences fit.
    for (const chunk of chunks.slice(0, -1)) expect(chunk.text.endsWith('.')).toBe(true);
  });

  it('cuts at paragraph breaks before line breaks', () => {
    const para = (n: number): string => Array.from({ length: 4 }, (_, i) => `line ${n}.${i} with some words`).join('\n');
    const text = [para(1), para(2), para(3)].join('\n\n');
    const doc: ExtractedDocument = { kind: 'text', text, blocks: [{ start: 0, end: text.length, headingPath: [] }], lineAddressable: true };
    const chunks = splitDocument(doc, { chunkTokens: 35, overlapTokens: 0 });
    checkChunks(doc, chunks);
    expect(chunks.map((c) => c.text)).toEqual([para(1), para(2), para(3)]);
    expect(chunks.map((c) => [c.lineStart, c.lineEnd])).toEqual([[1, 4], [6, 9], [11, 14]]);
  });

  it('reports the file lines of each chunk', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
    // Paragraphs of five lines, blank line between; Windows line ends on purpose.
    const text = lines.map((line, i) => (i % 5 === 4 ? `${line}\r\n` : line)).join('\r\n');
    const doc = paragraphs(text);
    const chunks = splitDocument(doc, { chunkTokens: 12, overlapTokens: 0 });
    checkChunks(doc, chunks);
    const seven = chunks.find((c) => /\bline 7\b/.test(c.text))!;
    const lineOfSeven = text.split('\n').findIndex((line) => line.trimEnd() === 'line 7') + 1;
    expect(lineOfSeven).toBe(8);
    expect(seven.lineStart).toBeLessThanOrEqual(lineOfSeven);
    expect(seven.lineEnd).toBeGreaterThanOrEqual(lineOfSeven);
    expect(chunks[0]!.lineStart).toBe(1);
    expect(chunks.at(-1)!.lineEnd).toBe(47);
  });

  it('makes no chunk of whitespace', () => {
    const text = '   \n\n\t\t\n  \r\n';
    const doc: ExtractedDocument = { kind: 'text', text, blocks: [{ start: 0, end: text.length, headingPath: [] }, { start: 3, end: 6, headingPath: [] }], lineAddressable: true };
    expect(splitDocument(doc)).toEqual([]);
    expect(splitDocument({ kind: 'text', text: '', blocks: [], lineAddressable: true })).toEqual([]);
  });

  it('never splits a surrogate pair when it must cut text without spaces', () => {
    const text = '😀'.repeat(3000);
    const doc: ExtractedDocument = { kind: 'text', text, blocks: [{ start: 0, end: text.length, headingPath: [] }], lineAddressable: true };
    const chunks = splitDocument(doc, { chunkTokens: 100, overlapTokens: 10 });
    checkChunks(doc, chunks);
    expect(chunks.length).toBeGreaterThanOrEqual(30);
    for (const chunk of chunks) {
      expect(chunk.text.length % 2).toBe(0);
      expect(chunk.tokenCount).toBeLessThanOrEqual(100);
    }
    expect(chunks.map((c) => c.text).join('')).toBe(text);
  });

  it('splits a 5 MB single line quickly and completely', () => {
    let text = prose(40_000);
    text = text + ' ' + 'x'.repeat(5_000_000 - text.length - 1);
    expect(text.length).toBe(5_000_000);
    expect(text.includes('\n')).toBe(false);
    const doc: ExtractedDocument = { kind: 'text', text, blocks: [{ start: 0, end: text.length, headingPath: [] }], lineAddressable: true };
    const started = performance.now();
    const chunks = splitDocument(doc, DEFAULT_SPLIT);
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(5);
    expect(chunks.length).toBeGreaterThan(1000);
    // The union of the ranges covers every non-whitespace character.
    let covered = 0;
    for (const chunk of chunks) {
      if (chunk.charStart > covered) expect(text.slice(covered, chunk.charStart).trim()).toBe('');
      expect(chunk.charEnd).toBeGreaterThan(covered);
      expect(chunk.lineStart).toBe(1);
      expect(chunk.lineEnd).toBe(1);
      expect(chunk.tokenCount).toBeLessThanOrEqual(DEFAULT_SPLIT.chunkTokens);
      covered = chunk.charEnd;
    }
    expect(covered).toBe(text.length);
    const sample = chunks.filter((_, i) => i % 97 === 0);
    checkChunks(doc, sample);
  });
});
