import type { AnyNode, Element } from 'domhandler';
import { isTag, isText } from 'domhandler';
import { findOne } from 'domutils';
import { parseDocument } from 'htmlparser2';
import { ExtractionError, HeadingTrail, TextBuilder, type Loader } from '../extracted.js';
import { joinCells } from './html.js';
import { openZip, readZipText, readingArchive, rejectCompoundFile } from './zip.js';

/** Not body text: revision marks (they hold deleted text), comments, tables of contents and indexes, declarations. */
const SKIPPED = new Set([
  'text:tracked-changes', 'office:annotation', 'text:table-of-content', 'text:alphabetical-index', 'text:illustration-index',
  'text:table-index', 'text:object-index', 'text:user-index', 'text:bibliography', 'text:sequence-decls', 'text:variable-decls',
  'text:user-field-decls', 'office:forms', 'text:note-citation', 'svg:title', 'svg:desc',
]);

export const load: Loader = ({ bytes, kind }) => readingArchive('OpenDocument text', async () => {
  rejectCompoundFile(bytes, 'OpenDocument text', 'binary office');
  const zip = await openZip(bytes, 'OpenDocument text');
  const manifest = zip.file('META-INF/manifest.xml');
  if (manifest && /<manifest:encryption-data/.test(await manifest.async('string'))) {
    throw new ExtractionError('encrypted', 'The OpenDocument text is password-protected');
  }
  const content = parseDocument(await readZipText(zip, 'content.xml', 'OpenDocument text'), { xmlMode: true });
  const body = findOne((e) => e.name === 'office:body', content.children);
  if (!body) throw new ExtractionError('corrupt', 'The OpenDocument text has no office:body');

  const builder = new TextBuilder();
  const trail = new HeadingTrail();
  const walk = (nodes: AnyNode[]): void => {
    for (const node of nodes) {
      if (!isTag(node) || SKIPPED.has(node.name)) continue;
      if (node.name === 'text:h') {
        const text = paragraphText(node, []);
        const level = Number(node.attribs['text:outline-level'] ?? 1) || 1;
        if (text) builder.add(text, { headingPath: trail.enter(level, text), heading: true });
      } else if (node.name === 'text:p') {
        const notes: string[] = [];
        builder.add(paragraphText(node, notes), { headingPath: trail.path() });
        for (const note of notes) builder.add(note, { headingPath: trail.path() });
      } else if (node.name === 'table:table-row') {
        const cells = node.children.filter((c): c is Element => isTag(c) && c.name === 'table:table-cell');
        builder.add(joinCells(cells.map((cell) => cellText(cell))), { headingPath: trail.path() });
      } else {
        walk(node.children);
      }
    }
  };
  walk(body.children);
  const doc = builder.build(kind);
  if (!doc.text) throw new ExtractionError('empty', 'The OpenDocument text has no text');
  return doc;
});

/**
 * A paragraph's text with ODF's spacing elements; footnote and endnote bodies go to `notes`
 * so they become blocks of their own after the paragraph instead of interrupting it.
 */
function paragraphText(paragraph: Element, notes: string[]): string {
  const parts: string[] = [];
  const visit = (node: AnyNode): void => {
    if (isText(node)) parts.push(node.data.replace(/\s+/g, ' '));
    if (!isTag(node) || SKIPPED.has(node.name)) return;
    switch (node.name) {
      case 'text:s':
        parts.push(' '.repeat(Math.min(Number(node.attribs['text:c'] ?? 1) || 1, 100)));
        return;
      case 'text:tab':
        parts.push('\t');
        return;
      case 'text:line-break':
        parts.push('\n');
        return;
      case 'text:note-body':
        notes.push(blockText(node, notes));
        return;
      default:
        node.children.forEach(visit);
    }
  };
  paragraph.children.forEach(visit);
  return parts.join('').replace(/ {2,}/g, ' ').trim();
}

/** Paragraphs nested in a container (table cell, note body, text box) on consecutive lines. */
function blockText(container: Element, notes: string[]): string {
  const lines: string[] = [];
  const visit = (node: AnyNode): void => {
    if (!isTag(node) || SKIPPED.has(node.name)) return;
    if (node.name === 'text:p' || node.name === 'text:h') lines.push(paragraphText(node, notes));
    else node.children.forEach(visit);
  };
  container.children.forEach(visit);
  return lines.filter(Boolean).join('\n');
}

function cellText(cell: Element): string {
  const notes: string[] = [];
  return [blockText(cell, notes), ...notes].filter(Boolean).join(' ').replace(/\s*\n\s*/g, ' ');
}
