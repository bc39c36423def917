import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentKind } from '../../electron/shared/library.js';
import { ExtractionError } from '../../electron/engine/ingest/extracted.js';
import type { ExtractedDocument, Loader } from '../../electron/engine/ingest/extracted.js';
import { load as loadCsv } from '../../electron/engine/ingest/loaders/csv.js';
import { load as loadMarkdown } from '../../electron/engine/ingest/loaders/markdown.js';
import { load as loadNotebook } from '../../electron/engine/ingest/loaders/notebook.js';
import { load as loadText } from '../../electron/engine/ingest/loaders/text.js';
import { splitDocument } from '../../electron/engine/ingest/splitter.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'quire-loaders-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a real file and loads it back the way the pipeline does: bytes from disk. */
async function loadFile(loader: Loader, name: string, content: string | Uint8Array, kind: DocumentKind): Promise<ExtractedDocument> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  const bytes = new Uint8Array(await readFile(file));
  return loader({ kind, bytes, path: file, extension: path.extname(name).slice(1).toLowerCase() });
}

async function failure(promise: Promise<unknown>): Promise<ExtractionError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExtractionError);
  return error as ExtractionError;
}

const blockTexts = (doc: ExtractedDocument): string[] => doc.blocks.map((b) => doc.text.slice(b.start, b.end));

describe('text loader', () => {
  it('indexes plain text by paragraph, with line numbers', async () => {
    const content = 'First paragraph\nstill first.\n\n\nSecond paragraph.\r\n\r\n  Third, indented.\n';
    const doc = await loadFile(loadText, 'notes.txt', content, 'text');
    expect(doc.text).toBe(content);
    expect(doc.kind).toBe('text');
    expect(doc.lineAddressable).toBe(true);
    expect(doc.note).toBeUndefined();
    expect(blockTexts(doc)).toEqual(['First paragraph\nstill first.', 'Second paragraph.', '  Third, indented.']);
    const chunks = splitDocument(doc, { chunkTokens: 6, overlapTokens: 0 });
    expect(chunks.map((c) => [c.text, c.lineStart, c.lineEnd])).toEqual([
      ['First paragraph\nstill first.', 1, 2],
      ['Second paragraph.', 5, 5],
      ['  Third, indented.', 7, 7],
    ]);
  });

  it('serves code with the same loader, one block per blank-line-separated run', async () => {
    const content = 'def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n';
    const doc = await loadFile(loadText, 'math.py', content, 'code');
    expect(doc.kind).toBe('code');
    expect(blockTexts(doc)).toEqual(['def add(a, b):\n    return a + b', 'def sub(a, b):\n    return a - b']);
    const [chunk] = splitDocument(doc);
    expect(chunk).toMatchObject({ charStart: 0, charEnd: content.trimEnd().length, lineStart: 1, lineEnd: 6, headingPath: [] });
  });

  it('decodes Latin-1 text and notes the transcoding', async () => {
    const doc = await loadFile(loadText, 'latin1.txt', iconv.encode("Un café au lait, s'il vous plaît.\n", 'latin1'), 'text');
    expect(doc.text).toContain('café');
    expect(doc.text).toContain('plaît');
    expect(doc.note?.reason).toBe('transcoded');
  });

  it('decodes UTF-16 LE with a byte order mark', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße aus Köln\nzweite Zeile\n', 'utf16le')]);
    const doc = await loadFile(loadText, 'utf16.txt', bytes, 'text');
    expect(doc.text).toBe('Grüße aus Köln\nzweite Zeile\n');
    expect(doc.note?.reason).toBe('transcoded');
    expect(splitDocument(doc)[0]).toMatchObject({ text: 'Grüße aus Köln\nzweite Zeile', lineStart: 1, lineEnd: 2 });
  });

  it('refuses binary bytes named .txt', async () => {
    const bytes = Uint8Array.from({ length: 2048 }, (_, i) => (i * 37) % 256);
    expect((await failure(loadFile(loadText, 'image.txt', bytes, 'text'))).reason).toBe('binary');
  });

  it('reports empty and whitespace-only files as empty', async () => {
    expect((await failure(loadFile(loadText, 'zero.txt', new Uint8Array(0), 'text'))).reason).toBe('empty');
    expect((await failure(loadFile(loadText, 'blank.txt', ' \n\n\t\r\n', 'text'))).reason).toBe('empty');
  });
});

describe('markdown loader', () => {
  const guide = [
    '---', // 1
    'title: Guide', // 2
    '---', // 3
    '# Guide', // 4
    '', // 5
    'Quire answers questions about your files.', // 6
    '', // 7
    '## Install', // 8
    '', // 9
    'Run the installer, then:', // 10
    '', // 11
    '```sh', // 12
    '# not a heading', // 13
    'quire index ~/Documents', // 14
    '```', // 15
    '', // 16
    '<div class="note">', // 17
    'Raw HTML stays searchable.', // 18
    '</div>', // 19
    '', // 20
    '## Use', // 21
    '', // 22
    '- ask a question', // 23
    '- read the answer', // 24
    '', // 25
    '| command | what |', // 26
    '|---|---|', // 27
    '| ask | answers |', // 28
    '', // 29
    '> Tip: cite sources.', // 30
    '', // 31
  ].join('\n');

  it('follows headings and reports the real line range of each section', async () => {
    const doc = await loadFile(loadMarkdown, 'guide.md', guide, 'markdown');
    expect(doc.text).toBe(guide);
    expect(doc.lineAddressable).toBe(true);
    expect(blockTexts(doc)).not.toContain('title: Guide');
    const headings = doc.blocks.filter((b) => b.heading).map((b) => [doc.text.slice(b.start, b.end), b.headingPath]);
    expect(headings).toEqual([
      ['# Guide', ['Guide']],
      ['## Install', ['Guide', 'Install']],
      ['## Use', ['Guide', 'Use']],
    ]);

    const chunks = splitDocument(doc);
    expect(chunks.map((c) => [c.headingPath, c.lineStart, c.lineEnd])).toEqual([
      [['Guide'], 4, 6],
      [['Guide', 'Install'], 8, 19],
      [['Guide', 'Use'], 21, 30],
    ]);
    const install = chunks[1]!;
    expect(install.text.startsWith('## Install\n\nRun the installer')).toBe(true);
    expect(install.text).toContain('# not a heading');
    expect(install.text.endsWith('</div>')).toBe(true);
    expect(chunks.some((c) => c.text.includes('title: Guide'))).toBe(false);
  });

  it('keeps text the parser does not turn into blocks', async () => {
    const content = '# Links\n\n[docs]: https://example.com/docs\n\nSee [the docs][docs].\n';
    const doc = await loadFile(loadMarkdown, 'links.md', content, 'markdown');
    expect(blockTexts(doc)).toEqual(['# Links', '[docs]: https://example.com/docs', 'See [the docs][docs].']);
    expect(doc.blocks[1]!.headingPath).toEqual(['Links']);
  });

  it('keeps the text of a file that opens with a thematic break, not front matter', async () => {
    const content = '---\n# Notes\n\nBody text.\n\n---\n';
    const doc = await loadFile(loadMarkdown, 'rule.md', content, 'markdown');
    expect(blockTexts(doc)).toEqual(['# Notes', 'Body text.']);
    expect(doc.blocks[0]!.heading).toBe(true);
  });

  it('splits a long list at its items', async () => {
    const items = Array.from({ length: 40 }, (_, i) => `- item ${i} ${'word '.repeat(10).trim()}`);
    const doc = await loadFile(loadMarkdown, 'list.md', `# List\n\n${items.join('\n')}\n`, 'markdown');
    expect(blockTexts(doc).slice(1)).toEqual(items);
  });

  it('reports empty files as empty', async () => {
    expect((await failure(loadFile(loadMarkdown, 'empty.md', new Uint8Array(0), 'markdown'))).reason).toBe('empty');
  });
});

describe('csv loader', () => {
  it('groups whole records and carries the header in the heading path', async () => {
    const rows = Array.from({ length: 45 }, (_, i) => (i === 7 ? `${i},Widget ${i},"a note\r\nover two lines"` : `${i},Widget ${i},plain`));
    const content = `id,name,note\r\n${rows.join('\r\n')}\r\n`;
    const doc = await loadFile(loadCsv, 'parts.csv', content, 'csv');
    expect(doc.text).toBe(content);
    expect(doc.lineAddressable).toBe(true);
    expect(doc.blocks.length).toBe(3);
    for (const block of doc.blocks) expect(block.headingPath).toEqual(['columns: id | name | note']);
    // Blocks hold whole records: 20 (header and 19 rows), 20, then the last 6.
    expect(blockTexts(doc)[0]!.startsWith('id,name,note\r\n0,Widget 0')).toBe(true);
    expect(blockTexts(doc)[0]!).toContain('7,Widget 7,"a note\r\nover two lines"');
    expect(blockTexts(doc)[1]!.startsWith('19,Widget 19,plain')).toBe(true);
    expect(blockTexts(doc)[2]).toBe(rows.slice(39).join('\r\n'));

    const chunks = splitDocument(doc, { chunkTokens: 1000, overlapTokens: 0 });
    expect(chunks.length).toBe(1);
    expect(chunks[0]).toMatchObject({ lineStart: 1, lineEnd: 47, headingPath: ['columns: id | name | note'] });
    const small = splitDocument(doc, { chunkTokens: 150, overlapTokens: 0 });
    expect(small.map((c) => [c.lineStart, c.lineEnd])).toEqual([[1, 21], [22, 41], [42, 47]]);
  });

  it('reads TSV and files without a header row', async () => {
    const tsv = await loadFile(loadCsv, 'scores.tsv', 'player\tscore\nann\t12\nbob\t9\n', 'csv');
    expect(tsv.blocks.map((b) => b.headingPath)).toEqual([['columns: player | score']]);
    const numbers = await loadFile(loadCsv, 'numbers.csv', '1,2,3\n4,5,6\n', 'csv');
    expect(numbers.blocks.map((b) => b.headingPath)).toEqual([[]]);
    expect(blockTexts(numbers)).toEqual(['1,2,3\n4,5,6']);
  });

  it('indexes malformed CSV as plain text', async () => {
    const content = 'a,b\n1,"never closed\n2,3\n\nafterwards\n';
    const doc = await loadFile(loadCsv, 'broken.csv', content, 'csv');
    expect(doc.kind).toBe('csv');
    expect(doc.text).toBe(content);
    expect(blockTexts(doc)).toEqual(['a,b\n1,"never closed\n2,3', 'afterwards']);
    expect(doc.blocks.every((b) => b.headingPath.length === 0)).toBe(true);
  });

  it('reads a CSV with a record over 1 MiB as plain text, without splitting it into fields', async () => {
    const columns = Array.from({ length: 150_000 }, (_, i) => `column${i}`);
    const content = `${columns.join(',')}\n${columns.map(() => 'x').join(',')}\n`;
    const doc = await loadFile(loadCsv, 'wide.csv', content, 'csv');
    expect(doc.kind).toBe('csv');
    expect(doc.text).toBe(content);
    expect(doc.blocks.every((b) => b.headingPath.length === 0)).toBe(true);
    // Just under the cap it is still a table, the header carried along.
    const narrow = await loadFile(loadCsv, 'narrow.csv', `${columns.slice(0, 1000).join(',')}\n${columns.slice(0, 1000).map(() => 'x').join(',')}\n`, 'csv');
    expect(narrow.blocks[0]!.headingPath[0]).toMatch(/^columns: column0 \| column1/);
  });

  it('reports empty files as empty', async () => {
    expect((await failure(loadFile(loadCsv, 'empty.csv', new Uint8Array(0), 'csv'))).reason).toBe('empty');
  });
});

describe('notebook loader', () => {
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: 'markdown', metadata: {}, source: ['# Analysis\n', '\n', 'We load the data.\n', '```python\n', '# a comment, not a heading\n', '```'] },
      {
        cell_type: 'code',
        metadata: {},
        execution_count: 1,
        source: ['import pandas as pd\n', "df = pd.read_csv('sales.csv')\n", 'print(len(df))'],
        outputs: [
          { output_type: 'stream', name: 'stdout', text: ['1200\n'] },
          { output_type: 'stream', name: 'stderr', text: ['DeprecationWarning: noise\n'] },
          { output_type: 'display_data', data: { 'image/png': 'iVBOR', 'text/plain': ['<Figure size 640x480>'] } },
        ],
      },
      { cell_type: 'markdown', metadata: {}, source: '## Results\nAccuracy reached 0.93.' },
      {
        cell_type: 'code',
        metadata: {},
        execution_count: 2,
        source: 'df.describe()',
        outputs: [{ output_type: 'execute_result', execution_count: 2, data: { 'text/plain': 'x'.repeat(2000) }, metadata: {} }],
      },
    ],
  };

  it('turns markdown and code cells into blocks under their headings', async () => {
    const doc = await loadFile(loadNotebook, 'analysis.ipynb', JSON.stringify(notebook, null, 1), 'notebook');
    expect(doc.kind).toBe('notebook');
    expect(doc.lineAddressable).toBe(false);
    const blocks = doc.blocks.map((b) => [doc.text.slice(b.start, b.end), b.headingPath, b.heading ?? false]);
    expect(blocks.slice(0, 6)).toEqual([
      ['# Analysis', ['Analysis'], true],
      ['We load the data.\n```python\n# a comment, not a heading\n```', ['Analysis'], false],
      ["import pandas as pd\ndf = pd.read_csv('sales.csv')\nprint(len(df))", ['Analysis'], false],
      ['Output:\n1200', ['Analysis'], false],
      ['## Results', ['Analysis', 'Results'], true],
      ['Accuracy reached 0.93.', ['Analysis', 'Results'], false],
    ]);
    expect(blocks[6]).toEqual(['df.describe()', ['Analysis', 'Results'], false]);
    const output = blocks[7]![0] as string;
    expect(output.startsWith('Output:\nxxx')).toBe(true);
    expect(output.length).toBeLessThan(600);
    expect(doc.text).not.toContain('DeprecationWarning');
    expect(doc.text).not.toContain('Figure');

    const chunks = splitDocument(doc);
    expect(chunks.map((c) => c.headingPath)).toEqual([['Analysis'], ['Analysis', 'Results']]);
    expect(chunks[1]!.text.startsWith('## Results\n\nAccuracy reached 0.93.')).toBe(true);
    expect(chunks[1]!.lineStart).toBeNull();
  });

  it('reports invalid JSON and JSON that is not a notebook as corrupt', async () => {
    const invalid = await failure(loadFile(loadNotebook, 'broken.ipynb', '{"cells": [', 'notebook'));
    expect(invalid.reason).toBe('corrupt');
    expect(invalid.message).toMatch(/invalid JSON/);
    const other = await failure(loadFile(loadNotebook, 'package.ipynb', '{"name": "not a notebook"}', 'notebook'));
    expect(other.reason).toBe('corrupt');
    expect(other.message).toMatch(/no "cells"/);
  });

  it('reports empty files and notebooks without text as empty', async () => {
    expect((await failure(loadFile(loadNotebook, 'zero.ipynb', new Uint8Array(0), 'notebook'))).reason).toBe('empty');
    const blank = { nbformat: 4, cells: [{ cell_type: 'code', source: [], outputs: [] }] };
    expect((await failure(loadFile(loadNotebook, 'blank.ipynb', JSON.stringify(blank), 'notebook'))).reason).toBe('empty');
  });
});
