import type { AnyNode, Element } from 'domhandler';
import { isCDATA, isTag, isText } from 'domhandler';
import { findOne } from 'domutils';
import { parseDocument } from 'htmlparser2';
import iconv from 'iconv-lite';
import { decodeText, looksBinary, type DecodedText } from '../decode.js';
import { ExtractionError, HeadingTrail, TextBuilder, type Loader } from '../extracted.js';

/** Never content: code, styling, navigation chrome, inert templates, vector drawings. */
const SKIPPED = new Set(['script', 'style', 'nav', 'template', 'noscript', 'head', 'svg', 'iframe', 'object', 'canvas']);

/** Elements that end the running paragraph before and after them. */
const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'dialog', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'header', 'hgroup', 'hr', 'html', 'legend', 'li', 'main', 'menu',
  'ol', 'p', 'section', 'summary', 'table', 'tbody', 'tfoot', 'thead', 'ul',
]);

const HEADING = /^h([1-6])$/;
/** A row holding these is page layout, not data: its cells are walked as containers. */
const LAYOUT_INSIDE = new Set(['table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'ul', 'ol']);
const LONG_ROW = 2000;

export interface HtmlWalkOptions {
  /** Page or slide number stamped on every block. */
  page?: number;
  /** Carries the heading path across several HTML parts (a fresh one per call when absent). */
  trail?: HeadingTrail;
  /** XHTML input (EPUB): honour self-closing tags such as `<p/>`. */
  xhtml?: boolean;
  /** Add the page's `<title>` as the first block unless the first h1 repeats it. */
  title?: boolean;
}

/** Walks an HTML document into `builder`: headings update the heading path, block elements become blocks. */
export function htmlToDocument(html: string, builder: TextBuilder, options: HtmlWalkOptions = {}): void {
  const dom = parseDocument(html, { decodeEntities: true, recognizeSelfClosing: options.xhtml ?? false });
  const trail = options.trail ?? new HeadingTrail();
  const where = (extra: { headingPath?: string[]; heading?: boolean } = {}) => ({
    headingPath: trail.path(),
    ...(options.page !== undefined ? { page: options.page } : {}),
    ...extra,
  });

  if (options.title) {
    const title = findOne((e) => localName(e) === 'title', dom.children);
    const h1 = findOne((e) => localName(e) === 'h1', dom.children);
    const text = title ? inlineText(title) : '';
    if (text && (!h1 || inlineText(h1) !== text)) builder.add(text, where());
  }

  let running: string[] = [];
  const flush = (): void => {
    const text = running.join('').replace(/ {2,}/g, ' ').replace(/ *\n */g, '\n').trim();
    running = [];
    if (text) builder.add(text, where());
  };

  const walk = (nodes: AnyNode[]): void => {
    for (const node of nodes) {
      if (isText(node)) running.push(collapse(node.data));
      else if (isCDATA(node)) walk(node.children);
      else if (isTag(node)) element(node);
    }
  };

  const element = (node: Element): void => {
    const name = localName(node);
    if (SKIPPED.has(name) || 'hidden' in node.attribs) return;
    const level = HEADING.exec(name)?.[1];
    if (level) {
      flush();
      const text = inlineText(node);
      if (text) builder.add(text, where({ headingPath: trail.enter(Number(level), text), heading: true }));
    } else if (name === 'tr' && !isLayoutRow(node)) {
      flush();
      const cells = node.children.filter((c): c is Element => isTag(c) && /^t[dh]$/.test(localName(c)));
      builder.add(joinCells(cells.map(inlineText)), where());
    } else if (name === 'pre') {
      flush();
      builder.add(preText(node), where());
    } else if (name === 'br') {
      running.push('\n');
    } else if (BLOCKS.has(name) || name === 'tr' || name === 'td' || name === 'th') {
      flush();
      walk(node.children);
      flush();
    } else {
      walk(node.children);
    }
  };

  walk(dom.children);
  flush();
}

/** A table row on one line; inner empty cells stay so columns keep their places, trailing ones go. */
export function joinCells(cells: string[]): string {
  const last = cells.findLastIndex((cell) => cell !== '');
  return cells.slice(0, last + 1).join(' | ');
}

function localName(node: Element): string {
  return node.name.toLowerCase().replace(/^.*:/, '');
}

function collapse(text: string): string {
  return text.replace(/[\s\u00a0]+/g, ' ');
}

/** The text of a subtree on one line: block boundaries and `<br>` become spaces. */
function inlineText(node: Element): string {
  const parts: string[] = [];
  const visit = (n: AnyNode): void => {
    if (isText(n)) parts.push(n.data);
    else if (isCDATA(n)) n.children.forEach(visit);
    else if (isTag(n)) {
      const name = localName(n);
      if (SKIPPED.has(name) || 'hidden' in n.attribs) return;
      const separate = name === 'br' || BLOCKS.has(name) || HEADING.test(name) || /^(tr|td|th|pre)$/.test(name);
      if (separate) parts.push(' ');
      n.children.forEach(visit);
      if (separate) parts.push(' ');
    }
  };
  visit(node);
  return collapse(parts.join('')).trim();
}

/** Preformatted text keeps its spacing and line breaks. */
function preText(node: Element): string {
  const parts: string[] = [];
  const visit = (n: AnyNode): void => {
    if (isText(n)) parts.push(n.data);
    else if (isCDATA(n)) n.children.forEach(visit);
    else if (isTag(n)) {
      if (localName(n) === 'br') parts.push('\n');
      else if (!SKIPPED.has(localName(n))) n.children.forEach(visit);
    }
  };
  node.children.forEach(visit);
  return parts.join('').replace(/\u00a0/g, ' ').replace(/^\n/, '');
}

function isLayoutRow(row: Element): boolean {
  let long = 0;
  const nested = (n: AnyNode): boolean => {
    if (isText(n)) long += n.data.length;
    if (!isTag(n)) return false;
    return LAYOUT_INSIDE.has(localName(n)) || n.children.some(nested);
  };
  return row.children.some(nested) || long > LONG_ROW;
}

const WINDOWS_1252_ALIASES = /^(iso-?8859-1|latin-?1|l1|us-ascii|ascii|cp819)$/i;

/**
 * Decodes an HTML file: a BOM wins, then a `<meta charset>` naming a single-byte or legacy
 * multi-byte encoding, else the generic text decoder. Browsers read Latin-1 labels as windows-1252.
 */
export function decodeHtml(bytes: Uint8Array): DecodedText {
  const hasBom = (bytes[0] === 0xef && bytes[1] === 0xbb) || (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4096)).toString('latin1');
  let declared = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1];
  if (declared && WINDOWS_1252_ALIASES.test(declared)) declared = 'windows-1252';
  if (hasBom || !declared || /^utf-?(8|16)/i.test(declared) || !iconv.encodingExists(declared)) return decodeText(bytes);
  if (looksBinary(bytes)) throw new ExtractionError('binary', 'The file holds binary data, not text');
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!buffer.some((b) => b >= 0x80)) return { text: buffer.toString('latin1'), encoding: 'utf-8', transcoded: false };
  return { text: iconv.decode(buffer, declared), encoding: declared.toLowerCase(), transcoded: true };
}

export const load: Loader = async ({ bytes, kind }) => {
  const decoded = decodeHtml(bytes);
  const builder = new TextBuilder();
  htmlToDocument(decoded.text, builder, { title: true });
  const doc = builder.build(kind);
  if (!doc.text) throw new ExtractionError('empty', 'The page has no text');
  if (decoded.transcoded) doc.note = { reason: 'transcoded', message: `Not UTF-8: decoded as ${decoded.encoding}` };
  return doc;
};
