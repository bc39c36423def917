import { posix } from 'node:path';
import type JSZip from 'jszip';
import type { AnyNode, Element } from 'domhandler';
import { isTag, isText } from 'domhandler';
import { findAll, findOne } from 'domutils';
import { parseDocument } from 'htmlparser2';
import { ExtractionError, TextBuilder, type Loader } from '../extracted.js';
import { joinCells } from './html.js';
import { openZip, readZipText, readingArchive, rejectCompoundFile } from './zip.js';

const WHAT = 'PowerPoint presentation';
const SLIDE = /^ppt\/slides\/slide(\d+)\.xml$/;
const TITLE_PLACEHOLDERS = new Set(['title', 'ctrTitle']);
/** Placeholders whose text is generated (slide number, date, footer) or a picture of the slide. */
const NOISE_PLACEHOLDERS = new Set(['sldNum', 'dt', 'ftr', 'hdr', 'sldImg']);

interface Shape {
  placeholder?: string;
  text: string;
}

export const load: Loader = ({ bytes, kind }) => readingArchive(WHAT, async () => {
  rejectCompoundFile(bytes, WHAT, 'PowerPoint 97-2003 (.ppt)');
  const zip = await openZip(bytes, WHAT);
  const slides = await slideOrder(zip);
  if (slides.length === 0) throw new ExtractionError('empty', 'The presentation has no slides');

  const builder = new TextBuilder();
  for (const [index, name] of slides.entries()) {
    const page = index + 1;
    const shapes = shapesOf(await readXml(zip, name));
    const titleShape = shapes.find((s) => s.placeholder !== undefined && TITLE_PLACEHOLDERS.has(s.placeholder));
    const title = (titleShape?.text ?? shapes[0]?.text.split('\n')[0] ?? '').replace(/\s+/g, ' ').trim();
    const headingPath = title ? [title] : [];
    if (titleShape) builder.add(titleShape.text, { headingPath, page, heading: true });
    for (const shape of shapes) if (shape !== titleShape) builder.add(shape.text, { headingPath, page });
    const notes = await notesOf(zip, name);
    if (notes) builder.add(`Notes: ${notes}`, { headingPath, page });
  }
  const doc = builder.build(kind);
  if (!doc.text) throw new ExtractionError('no-text', 'The presentation has slides but no text');
  return doc;
});

async function readXml(zip: JSZip, name: string): Promise<AnyNode[]> {
  return parseDocument(await readZipText(zip, name, WHAT), { xmlMode: true }).children;
}

/** Relationship id → part name, resolved against the part that owns the relationships. */
async function relationships(zip: JSZip, part: string): Promise<Map<string, string>> {
  const rels = new Map<string, string>();
  const file = zip.file(posix.join(posix.dirname(part), '_rels', `${posix.basename(part)}.rels`));
  if (!file) return rels;
  const dom = parseDocument(await file.async('string'), { xmlMode: true });
  for (const rel of findAll((e) => e.name === 'Relationship', dom.children)) {
    const { Id: id, Target: target, TargetMode: mode } = rel.attribs;
    if (!id || !target || mode === 'External') continue;
    const resolved = target.startsWith('/') ? target : posix.join(posix.dirname(part), target);
    rels.set(id, posix.normalize(resolved).replace(/^\/+/, ''));
  }
  return rels;
}

/** Slides in presentation order (slide files keep their names when slides are moved), else by file number. */
async function slideOrder(zip: JSZip): Promise<string[]> {
  const present = Object.keys(zip.files).filter((name) => SLIDE.test(name));
  const presentation = zip.file('ppt/presentation.xml');
  if (presentation) {
    const rels = await relationships(zip, 'ppt/presentation.xml');
    const dom = parseDocument(await presentation.async('string'), { xmlMode: true });
    const ordered = findAll((e) => e.name === 'p:sldId', dom.children)
      .map((e) => rels.get(e.attribs['r:id'] ?? ''))
      .filter((name): name is string => name !== undefined && zip.file(name) !== null);
    if (ordered.length > 0) return ordered;
  }
  return present.sort((a, b) => Number(SLIDE.exec(a)![1]) - Number(SLIDE.exec(b)![1]));
}

/** Text shapes and tables in document order; groups are flattened. */
function shapesOf(nodes: AnyNode[]): Shape[] {
  const tree = findOne((e) => e.name === 'p:spTree', nodes);
  const shapes: Shape[] = [];
  const visit = (node: AnyNode): void => {
    if (!isTag(node)) return;
    if (node.name === 'p:sp') {
      const ph = findOne((e) => e.name === 'p:ph', node.children);
      const placeholder = ph ? (ph.attribs.type ?? 'body') : undefined;
      if (placeholder && NOISE_PLACEHOLDERS.has(placeholder)) return;
      const body = findOne((e) => e.name === 'p:txBody', node.children);
      const text = body ? paragraphsOf(body).join('\n') : '';
      if (text) shapes.push(placeholder ? { placeholder, text } : { text });
    } else if (node.name === 'a:tbl') {
      const rows = findAll((e) => e.name === 'a:tr', node.children).map((tr) =>
        joinCells(
          tr.children
            .filter((c): c is Element => isTag(c) && c.name === 'a:tc')
            .map((tc) => paragraphsOf(tc).join(' ')),
        ),
      );
      const text = rows.filter(Boolean).join('\n');
      if (text) shapes.push({ text });
    } else {
      node.children.forEach(visit);
    }
  };
  tree?.children.forEach(visit);
  return shapes;
}

/** Each a:p's runs (a:t) joined; a:br is a line break inside the paragraph. */
function paragraphsOf(container: Element): string[] {
  return findAll((e) => e.name === 'a:p', container.children)
    .map((p) => {
      const parts: string[] = [];
      const visit = (node: AnyNode): void => {
        if (!isTag(node)) return;
        if (node.name === 'a:t') parts.push(node.children.map((c) => (isText(c) ? c.data : '')).join(''));
        else if (node.name === 'a:br') parts.push('\n');
        else node.children.forEach(visit);
      };
      p.children.forEach(visit);
      return parts.join('').trim();
    })
    .filter(Boolean);
}

async function notesOf(zip: JSZip, slide: string): Promise<string> {
  const notes = [...(await relationships(zip, slide)).values()].find((name) => /^ppt\/notesSlides\//.test(name));
  if (!notes || !zip.file(notes)) return '';
  return shapesOf(await readXml(zip, notes))
    .filter((s) => s.placeholder === 'body')
    .map((s) => s.text)
    .join('\n');
}
