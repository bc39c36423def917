import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Library } from '../../electron/engine/index.js';
import { makeAllFormats, type ExpectedPassage } from '../../scripts/fixtures/all-formats.js';
import { tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir>;
let library: Library;
let expected: ExpectedPassage[];
let folder: string;

beforeAll(async () => {
  tmp = tempDir();
  folder = join(tmp.dir, 'docs');
  expected = await makeAllFormats(folder);
  library = createEngine({ dataDir: join(tmp.dir, 'data') }).openLibrary('formats', { create: true });
  library.addFolder(folder);
  await library.index();
});
afterAll(async () => {
  await library.close();
  tmp.cleanup();
});

function chunksOf(relativePath: string) {
  const row = library.documents.byPath(join(folder, relativePath));
  expect(row, `${relativePath} is in the library`).toBeDefined();
  return { row: row!, chunks: library.chunks.forDocument(row!.id) };
}

describe('indexing a folder with every supported format', () => {
  it('indexes every file, each with its detected kind', () => {
    const status = library.status();
    const notIndexed = status.documents.filter((d) => d.status !== 'indexed');
    expect(notIndexed, JSON.stringify(notIndexed, null, 1)).toEqual([]);
    const kinds = Object.fromEntries(status.documents.map((d) => [d.relativePath, d.kind]));
    expect(kinds).toMatchObject({
      'notes/field-notes.txt': 'text', 'notes/deep/geometry.py': 'code', 'guide.md': 'markdown', 'page.html': 'html', 'report.pdf': 'pdf',
      'letter.docx': 'docx', 'minutes.odt': 'odt', 'memo.rtf': 'rtf', 'book.epub': 'epub', 'deck.pptx': 'pptx', 'analysis.ipynb': 'notebook', 'animals.csv': 'csv',
    });
  });

  it('finds each known passage at its page, line and heading', () => {
    for (const passage of expected) {
      const { chunks } = chunksOf(passage.file);
      const hit = chunks.find((c) => c.text.includes(passage.text));
      expect(hit, `${passage.file}: a chunk contains "${passage.text}"`).toBeDefined();
      if (passage.page !== undefined) expect(hit!.page, `${passage.file} page of "${passage.text}"`).toBe(passage.page);
      if (passage.line !== undefined) {
        expect(hit!.lineStart, `${passage.file} line range of "${passage.text}"`).not.toBeNull();
        expect(hit!.lineStart!).toBeLessThanOrEqual(passage.line);
        expect(hit!.lineEnd!).toBeGreaterThanOrEqual(passage.line);
      }
      if (passage.heading !== undefined) expect(hit!.headingPath.at(-1), `${passage.file} heading of "${passage.text}"`).toBe(passage.heading);
    }
  });

  it('line ranges of text-like files point at the real lines of the file', () => {
    for (const file of ['notes/field-notes.txt', 'guide.md', 'animals.csv', 'notes/deep/geometry.py']) {
      const lines = readFileSync(join(folder, file), 'utf8').split(/\r?\n/);
      for (const chunk of chunksOf(file).chunks) {
        const firstLine = lines[chunk.lineStart! - 1]!.trim();
        const lastLine = lines[chunk.lineEnd! - 1]!.trim();
        expect(chunk.text.replace(/\r/g, '').startsWith(firstLine), `${file}: chunk starts on line ${chunk.lineStart}`).toBe(true);
        expect(chunk.text.replace(/\r/g, '').trimEnd().endsWith(lastLine), `${file}: chunk ends on line ${chunk.lineEnd}`).toBe(true);
      }
    }
  });

  it('PDF chunks never cross a page and keep the pages in order', () => {
    const pages = chunksOf('report.pdf').chunks.map((c) => c.page);
    expect(pages.every((p) => p !== null)).toBe(true);
    expect([...new Set(pages)]).toEqual([1, 2, 3]);
  });

  it('chunks carry token counts and non-overlapping ordinals', () => {
    for (const d of library.documents.list()) {
      const chunks = library.chunks.forDocument(d.id);
      expect(chunks.length).toBe(d.chunkCount);
      chunks.forEach((c, i) => {
        expect(c.ordinal).toBe(i);
        expect(c.tokenCount).toBeGreaterThan(0);
        expect(c.charEnd).toBeGreaterThan(c.charStart);
      });
    }
  });
});
