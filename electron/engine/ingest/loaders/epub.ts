import { posix } from 'node:path';
import type { Element } from 'domhandler';
import { findAll, findOne } from 'domutils';
import { parseDocument } from 'htmlparser2';
import { ExtractionError, HeadingTrail, TextBuilder, type Loader } from '../extracted.js';
import { openZip, readZipText, readingArchive, rejectCompoundFile } from './zip.js';
import { decodeHtml, htmlToDocument } from './html.js';

const READABLE = new Set(['application/xhtml+xml', 'text/html']);

function localName(e: Element): string {
  return e.name.toLowerCase().replace(/^.*:/, '');
}

/** A manifest href resolved against the OPF's folder, as a zip entry name. */
function resolveHref(base: string, href: string): string {
  const path = href.split('#')[0]!;
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A stray '%' is a literal in a file name.
  }
  return posix.normalize(posix.join(posix.dirname(base), decoded)).replace(/^\/+/, '');
}

export const load: Loader = ({ bytes, kind }) => readingArchive('EPUB', async () => {
  rejectCompoundFile(bytes, 'EPUB', 'compound');
  const zip = await openZip(bytes, 'EPUB');
  const container = parseDocument(await readZipText(zip, 'META-INF/container.xml', 'EPUB'), { xmlMode: true });
  const rootfile = findOne((e) => localName(e) === 'rootfile' && Boolean(e.attribs['full-path']), container.children);
  const opfPath = rootfile?.attribs['full-path'];
  if (!opfPath) throw new ExtractionError('corrupt', 'The EPUB container names no package document');
  const opf = parseDocument(await readZipText(zip, opfPath, 'EPUB'), { xmlMode: true });

  const items = new Map<string, Element>();
  for (const item of findAll((e) => localName(e) === 'item', opf.children)) {
    if (item.attribs.id) items.set(item.attribs.id, item);
  }
  const chapters = findAll((e) => localName(e) === 'itemref', opf.children)
    .map((ref) => items.get(ref.attribs.idref ?? ''))
    .filter((item): item is Element => item !== undefined)
    // The navigation document only repeats the chapter titles.
    .filter((item) => READABLE.has(item.attribs['media-type'] ?? '') && !/\bnav\b/.test(item.attribs.properties ?? ''))
    .map((item) => resolveHref(opfPath, item.attribs.href ?? ''));
  if (chapters.length === 0) throw new ExtractionError('empty', 'The EPUB has no readable chapters in its spine');

  const encryption = zip.file('META-INF/encryption.xml');
  const encrypted = encryption ? await encryption.async('string') : '';
  const builder = new TextBuilder();
  for (const name of chapters) {
    // Fonts are often obfuscated (encryption.xml lists them); a listed chapter means DRM.
    if (encrypted.includes(`URI="${name}"`) || encrypted.includes(`URI="${encodeURI(name)}"`)) {
      throw new ExtractionError('encrypted', 'The EPUB is DRM-protected');
    }
    const file = zip.file(name);
    if (!file) continue;
    let html: string;
    try {
      html = decodeHtml(await file.async('uint8array')).text;
    } catch (error) {
      if (error instanceof ExtractionError) continue;
      throw new ExtractionError('corrupt', `The EPUB's ${name} cannot be read`);
    }
    htmlToDocument(html, builder, { xhtml: true, trail: new HeadingTrail() });
  }
  const doc = builder.build(kind);
  if (!doc.text) throw new ExtractionError('empty', 'The EPUB has no text');
  return doc;
});
