import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import type { DocumentKind } from '../../electron/shared/library.js';
import { ExtractionError, type Block, type ExtractedDocument, type Loader } from '../../electron/engine/ingest/extracted.js';
import { load as loadDocx } from '../../electron/engine/ingest/loaders/docx.js';
import { load as loadEpub } from '../../electron/engine/ingest/loaders/epub.js';
import { load as loadHtml } from '../../electron/engine/ingest/loaders/html.js';
import { load as loadOdt } from '../../electron/engine/ingest/loaders/odt.js';
import { load as loadPdf } from '../../electron/engine/ingest/loaders/pdf.js';
import { load as loadPptx } from '../../electron/engine/ingest/loaders/pptx.js';
import { load as loadRtf } from '../../electron/engine/ingest/loaders/rtf.js';
import { makeDocx, makeEncryptedPdf, makeEpub, makeHtml, makeOdt, makePdf, makePptx, makeRtf, type DocSection } from '../../scripts/fixtures/documents.js';

const LOADERS: Record<string, { kind: DocumentKind; load: Loader }> = {
  html: { kind: 'html', load: loadHtml },
  htm: { kind: 'html', load: loadHtml },
  xhtml: { kind: 'html', load: loadHtml },
  html5: { kind: 'html', load: loadHtml },
  pdf: { kind: 'pdf', load: loadPdf },
  docx: { kind: 'docx', load: loadDocx },
  odt: { kind: 'odt', load: loadOdt },
  epub: { kind: 'epub', load: loadEpub },
  pptx: { kind: 'pptx', load: loadPptx },
  rtf: { kind: 'rtf', load: loadRtf },
};

function run(extension: string, bytes: Uint8Array, path = `fixture.${extension}`): Promise<ExtractedDocument> {
  const { kind, load } = LOADERS[extension]!;
  return load({ kind, bytes, path, extension });
}

const textOf = (doc: ExtractedDocument, block: Block): string => doc.text.slice(block.start, block.end);

function blockWith(doc: ExtractedDocument, needle: string): Block {
  const block = doc.blocks.find((b) => textOf(doc, b).includes(needle));
  if (!block) throw new Error(`no block contains ${JSON.stringify(needle)} in ${JSON.stringify(doc.text)}`);
  return block;
}

/** Blocks are ordered, disjoint, inside the text and hold trimmed, non-empty text. */
function expectWellFormed(doc: ExtractedDocument): void {
  expect(doc.text.length).toBeGreaterThan(0);
  let previousEnd = 0;
  for (const block of doc.blocks) {
    expect(block.start).toBeGreaterThanOrEqual(previousEnd);
    expect(block.end).toBeGreaterThan(block.start);
    expect(block.end).toBeLessThanOrEqual(doc.text.length);
    expect(textOf(doc, block).trim()).toBe(textOf(doc, block));
    previousEnd = block.end;
  }
}

async function failure(promise: Promise<unknown>): Promise<ExtractionError> {
  const error = await promise.then(
    () => new Error('expected the loader to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExtractionError);
  return error as ExtractionError;
}

const truncate = (bytes: Uint8Array): Uint8Array => bytes.subarray(0, Math.floor(bytes.length / 2));
const GARBAGE = new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));

/** An OLE compound file header with the stream name Office uses for password-protected packages (synthetic). */
function compoundFile(streamName: string): Uint8Array {
  const bytes = Buffer.alloc(2048);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(bytes);
  Buffer.from(streamName, 'utf16le').copy(bytes, 1024);
  return bytes;
}

async function zipOf(files: Record<string, string>): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const [name, content] of Object.entries(files)) zip.file(name, content);
  return zip.generateAsync({ type: 'uint8array' });
}

const SECTIONS: DocSection[] = [
  { heading: 'Introduction', paragraphs: ['Quire reads documents offline.', 'Second paragraph with café and 3 €.'] },
  { heading: 'Details', level: 2, paragraphs: ['Nested under the introduction.'], table: [['Name', 'Role'], ['Ada', 'Engineer']] },
  { heading: 'Appendix', paragraphs: ['Back at the top level.'] },
];

/** What every loader of a headed document must get right. */
function expectSections(doc: ExtractedDocument, root: string[] = []): void {
  expectWellFormed(doc);
  for (const text of ['Quire reads documents offline.', 'Second paragraph with café and 3 €.', 'Nested under the introduction.', 'Back at the top level.']) {
    expect(doc.text).toContain(text);
  }
  const heading = blockWith(doc, 'Details');
  expect(heading.heading).toBe(true);
  expect(blockWith(doc, 'Quire reads').headingPath).toEqual([...root, 'Introduction']);
  expect(blockWith(doc, 'Nested under').headingPath).toEqual([...root, 'Introduction', 'Details']);
  expect(blockWith(doc, 'Back at the top').headingPath).toEqual([...root, 'Appendix']);
  expect(textOf(doc, blockWith(doc, 'Ada'))).toBe('Ada | Engineer');
  expect(blockWith(doc, 'Ada').headingPath).toEqual([...root, 'Introduction', 'Details']);
}

describe('html loader', () => {
  it('keeps content, headings and table rows, and drops script, style and navigation', async () => {
    const doc = await run('html', makeHtml('Quire handbook', SECTIONS));
    expectSections(doc, ['Quire handbook']);
    expect(doc.text).not.toContain('not content');
    expect(doc.text).not.toContain('font-family');
    expect(doc.text).not.toContain('About');
    expect(doc.kind).toBe('html');
    expect(doc.note).toBeUndefined();
  });

  it('decodes by <meta charset> and notes the transcoding', async () => {
    const bytes = Buffer.from('<html><head><meta charset="windows-1252"><title>T</title></head><body><p>caf\xe9 \x80</p></body></html>', 'latin1');
    const doc = await run('html', bytes);
    expect(doc.text).toContain('café €');
    expect(doc.note?.reason).toBe('transcoded');
  });

  it('reports binary bytes and pages without text', async () => {
    expect((await failure(run('html', GARBAGE))).reason).toBe('binary');
    expect((await failure(run('html', Buffer.from('<html><body><script>x()</script></body></html>')))).reason).toBe('empty');
  });
});

describe('docx loader', () => {
  it('reads Word headings, paragraphs and tables', async () => {
    const doc = await run('docx', await makeDocx(SECTIONS));
    expectSections(doc);
    expect(doc.kind).toBe('docx');
  });

  it('reports truncated, garbage, password-protected and legacy files', async () => {
    const docx = await makeDocx(SECTIONS);
    expect((await failure(run('docx', truncate(docx)))).reason).toBe('corrupt');
    expect((await failure(run('docx', GARBAGE))).reason).toBe('corrupt');
    expect((await failure(run('docx', await zipOf({ 'hello.txt': 'not a document' })))).reason).toBe('corrupt');
    expect((await failure(run('docx', compoundFile('EncryptedPackage')))).reason).toBe('encrypted');
    expect((await failure(run('docx', compoundFile('WordDocument')))).reason).toBe('unsupported');
  });
});

describe('odt loader', () => {
  it('reads outline headings, paragraphs and tables', async () => {
    const doc = await run('odt', await makeOdt(SECTIONS));
    expectSections(doc);
  });

  it('reports truncated, incomplete and encrypted files', async () => {
    expect((await failure(run('odt', truncate(await makeOdt(SECTIONS))))).reason).toBe('corrupt');
    expect((await failure(run('odt', GARBAGE))).reason).toBe('corrupt');
    expect((await failure(run('odt', await zipOf({ mimetype: 'application/vnd.oasis.opendocument.text' })))).reason).toBe('corrupt');
    const encrypted = await zipOf({
      'META-INF/manifest.xml':
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml">' +
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>',
      'content.xml': '\x8f\x02 ciphertext',
    });
    expect((await failure(run('odt', encrypted))).reason).toBe('encrypted');
  });
});

describe('epub loader', () => {
  const chapters = [
    { title: 'The Beginning', paragraphs: ['It was a quiet morning.', 'The library opened at nine.'] },
    { title: 'The Middle', paragraphs: ['Questions were asked.'] },
    { title: 'The End', paragraphs: ['Every answer had a citation.'] },
  ];

  it('reads chapters in spine order, each under its own heading, without the table of contents', async () => {
    const doc = await run('epub', await makeEpub(chapters));
    expectWellFormed(doc);
    const order = ['It was a quiet morning.', 'Questions were asked.', 'Every answer had a citation.'].map((t) => doc.text.indexOf(t));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(blockWith(doc, 'The library opened').headingPath).toEqual(['The Beginning']);
    expect(blockWith(doc, 'Every answer').headingPath).toEqual(['The End']);
    expect(doc.text).not.toContain('Contents');
  });

  it('reports truncated archives and missing package documents', async () => {
    expect((await failure(run('epub', truncate(await makeEpub(chapters))))).reason).toBe('corrupt');
    expect((await failure(run('epub', GARBAGE))).reason).toBe('corrupt');
    expect((await failure(run('epub', await zipOf({ mimetype: 'application/epub+zip' })))).reason).toBe('corrupt');
  });
});

describe('pptx loader', () => {
  const slides = [
    { title: 'Quarterly review', bullets: ['Revenue grew', 'Costs fell'] },
    { title: 'Risks', bullets: ['Supply chain delays'], notes: ['Mention the port strike.'] },
    { title: 'Next steps', bullets: ['Hire two engineers'] },
  ];

  it('gives each block its slide number and the slide title as heading path, notes included', async () => {
    const doc = await run('pptx', await makePptx(slides));
    expectWellFormed(doc);
    expect(blockWith(doc, 'Quarterly review')).toMatchObject({ page: 1, heading: true, headingPath: ['Quarterly review'] });
    expect(textOf(doc, blockWith(doc, 'Revenue grew'))).toBe('Revenue grew\nCosts fell');
    expect(blockWith(doc, 'Revenue grew')).toMatchObject({ page: 1, headingPath: ['Quarterly review'] });
    expect(blockWith(doc, 'Supply chain')).toMatchObject({ page: 2, headingPath: ['Risks'] });
    expect(blockWith(doc, 'port strike')).toMatchObject({ page: 2, headingPath: ['Risks'] });
    expect(blockWith(doc, 'Hire two')).toMatchObject({ page: 3, headingPath: ['Next steps'] });
    expect(doc.blocks.every((b) => b.page !== undefined)).toBe(true);
  });

  it('numbers slides in presentation order, not by file name', async () => {
    const zip = await JSZip.loadAsync(await makePptx(slides));
    const presentation = await zip.file('ppt/presentation.xml')!.async('string');
    zip.file('ppt/presentation.xml', presentation.replace(/(<p:sldId id="256" r:id="rId2"\/>)(<p:sldId id="257" r:id="rId3"\/>)/, '$2$1'));
    const doc = await run('pptx', await zip.generateAsync({ type: 'uint8array' }));
    expect(blockWith(doc, 'Supply chain').page).toBe(1);
    expect(blockWith(doc, 'Revenue grew').page).toBe(2);
  });

  it('reports truncated, garbage and password-protected files', async () => {
    expect((await failure(run('pptx', truncate(await makePptx(slides))))).reason).toBe('corrupt');
    expect((await failure(run('pptx', GARBAGE))).reason).toBe('corrupt');
    expect((await failure(run('pptx', compoundFile('EncryptedPackage')))).reason).toBe('encrypted');
  });
});

describe('rtf loader', () => {
  it('reads paragraphs with code-page and Unicode escapes, skipping the header tables', async () => {
    const doc = await run('rtf', makeRtf(['Plain first paragraph.', 'Café au lait costs 3 €.', 'A smile 😀 and a {brace} and a \\ backslash.']));
    expectWellFormed(doc);
    expect(doc.blocks.map((b) => textOf(doc, b))).toEqual(['Plain first paragraph.', 'Café au lait costs 3 €.', 'A smile 😀 and a {brace} and a \\ backslash.']);
    expect(doc.text).not.toMatch(/Times New Roman|Quire fixture|generator/);
  });

  it('handles headings, tables, footnotes, hidden text and other code pages', async () => {
    const rtf =
      '{\\rtf1\\ansi\\ansicpg1252\\uc1{\\fonttbl{\\f0\\fcharset0 Times;}{\\f1\\fcharset204 Arial Cyr;}}\n' +
      '\\pard\\outlinelevel0 Overview\\par\n' +
      "\\pard {\\f1 \\'cf\\'f0\\'e8\\'e2\\'e5\\'f2} caf\\'e9 {\\v secret} seen{\\footnote \\pard A footnote.}.\\par\n" +
      '\\trowd\\cellx1000\\cellx2000\\pard\\intbl Left\\cell Right\\cell\\row\n' +
      '\\pard\\outlinelevel1 Detail\\par\\pard After.\\par}';
    const doc = await run('rtf', Buffer.from(rtf, 'latin1'));
    expect(blockWith(doc, 'Overview')).toMatchObject({ heading: true, headingPath: ['Overview'] });
    expect(textOf(doc, blockWith(doc, 'Привет'))).toBe('Привет café seen.');
    expect(blockWith(doc, 'A footnote.').headingPath).toEqual(['Overview']);
    expect(textOf(doc, blockWith(doc, 'Left'))).toBe('Left | Right');
    expect(blockWith(doc, 'After.').headingPath).toEqual(['Overview', 'Detail']);
    expect(doc.text).not.toContain('secret');
  });

  it('reports truncated and non-RTF bytes', async () => {
    expect((await failure(run('rtf', truncate(makeRtf(['One.', 'Two.', 'Three.']))))).reason).toBe('corrupt');
    expect((await failure(run('rtf', GARBAGE))).reason).toBe('corrupt');
    expect((await failure(run('rtf', Buffer.from('{\\rtf1\\ansi {\\fonttbl\\f0 Arial;}}')))).reason).toBe('empty');
  });
});

describe('pdf loader', () => {
  const words = (seed: string, n: number): string => Array.from({ length: n }, (_, i) => `${seed}${i}`).join(' ');
  const pages = [
    { heading: 'First heading', paragraphs: [`Alpha opening ${words('alpha', 60)}`, `Alpha closing ${words('omega', 20)}`] },
    { heading: 'Second heading', paragraphs: [`Bravo opening ${words('bravo', 60)}`] },
    { paragraphs: [`Charlie continues ${words('charlie', 30)}`] },
  ];

  it('keeps blocks on their page, splits paragraphs and finds headings', async () => {
    const pdf = await makePdf(pages);
    const bytes = new Uint8Array(pdf);
    const doc = await run('pdf', bytes);
    expectWellFormed(doc);
    expect(bytes.byteLength).toBe(pdf.length);
    expect(doc.blocks.every((b) => b.page !== undefined)).toBe(true);
    for (const [page, seed] of [[1, 'alpha'], [2, 'bravo'], [3, 'charlie']] as const) {
      const own = doc.blocks.filter((b) => textOf(doc, b).includes(`${seed}1`) || textOf(doc, b).includes(`${seed}59`));
      expect(own.length).toBeGreaterThan(0);
      for (const block of own) expect(block.page).toBe(page);
    }
    for (const block of doc.blocks) expect(block.page === 1 || !/alpha|omega/.test(textOf(doc, block))).toBe(true);
    expect(blockWith(doc, 'Alpha opening')).not.toBe(blockWith(doc, 'Alpha closing'));
    expect(blockWith(doc, 'First heading')).toMatchObject({ page: 1, heading: true });
    expect(blockWith(doc, 'Alpha closing').headingPath).toEqual(['First heading']);
    expect(blockWith(doc, 'Bravo opening').headingPath).toEqual(['Second heading']);
    expect(blockWith(doc, 'Charlie continues')).toMatchObject({ page: 3, headingPath: ['Second heading'] });
    expect(doc.text.replace(/\s+/g, ' ')).toContain(`Bravo opening ${words('bravo', 60)}`);
  });

  it('reports password-protected, truncated, garbage and text-less PDFs', async () => {
    const encrypted = await failure(run('pdf', await makeEncryptedPdf()));
    expect(encrypted.reason).toBe('encrypted');
    expect(encrypted.message).toBe('The PDF is password-protected');
    expect((await failure(run('pdf', truncate(await makePdf(pages))))).reason).toBe('corrupt');
    expect((await failure(run('pdf', GARBAGE))).reason).toBe('corrupt');
    const blank = await failure(run('pdf', await makePdf([{ paragraphs: [] }])));
    expect(blank.reason).toBe('no-text');
  });
});

// A folder of real-world files (see its README); present on the development machines, absent elsewhere.
const CORPUS = process.env.QUIRE_MESSY_CORPUS ?? '/work/shared/corpora/messy-docs/files';
const corpusPresent = existsSync(CORPUS);
if (!corpusPresent) console.warn(`loaders-structured: messy corpus not found at ${CORPUS}; its test is skipped (set QUIRE_MESSY_CORPUS)`);

/** The corpus files that legitimately hold no text, and why. Every other file must give text. */
const EXPECTED_FAILURES: Record<string, string> = {
  'pdf-samples/005-libreoffice-writer-password/libreoffice-writer-password.pdf': 'encrypted',
  'pdf-samples/007-imagemagick-images/imagemagick-CCITTFaxDecode.pdf': 'no-text',
  'pdf-samples/007-imagemagick-images/imagemagick-images.pdf': 'no-text',
  'pdf-samples/007-imagemagick-images/imagemagick-lzw.pdf': 'no-text',
  'pandoc/test/odt/odt/horizontalRule.odt': 'empty',
  'pandoc/test/odt/odt/imageRelative.odt': 'empty',
  'pandoc/test/odt/odt/variable.odt': 'empty',
  'pandoc/test/pptx/reference-no-slides.pptx': 'empty',
  'pandoc/test/pptx/reference-deleted-layouts.pptx': 'no-text',
};

function corpusFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && extname(entry.name).slice(1).toLowerCase() in LOADERS)
    .map((entry) => relative(CORPUS, join(entry.parentPath, entry.name)))
    .sort();
}

describe.skipIf(!corpusPresent)('messy corpus', () => {
  const files = corpusPresent ? corpusFiles(CORPUS) : [];

  it('holds files of every structured format', () => {
    const formats = new Set(files.map((f) => extname(f).slice(1).toLowerCase()));
    for (const format of ['pdf', 'docx', 'odt', 'rtf', 'epub', 'pptx', 'html']) expect(formats).toContain(format);
  });

  it.each(files)('%s gives text or a specific reason', { timeout: 30_000 }, async (file) => {
    const extension = extname(file).slice(1).toLowerCase();
    const result = await run(extension, new Uint8Array(readFileSync(join(CORPUS, file))), file).catch((e: unknown) => e);
    const expected = EXPECTED_FAILURES[file];
    if (expected) {
      expect(result).toBeInstanceOf(ExtractionError);
      expect((result as ExtractionError).reason).toBe(expected);
    } else {
      if (!(result && typeof result === 'object' && 'blocks' in result)) throw result;
      expectWellFormed(result as ExtractedDocument);
      if (extension === 'pdf' || extension === 'pptx') expect((result as ExtractedDocument).blocks.every((b) => b.page !== undefined)).toBe(true);
    }
  });
});
