import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';
import { ExtractionError, HeadingTrail } from '../extracted.js';
import type { Block, ExtractedDocument, Loader } from '../extracted.js';
import { boundedBlocks, decodeSource, LineIndex } from './text-lines.js';

// Only block structure is needed (plus heading titles, parsed on their own by a full parser):
// skipping inline parsing halves the time on large files.
const parser = new MarkdownIt({ html: true });
parser.core.ruler.disable(['inline', 'linkify', 'replacements', 'smartquotes', 'text_join']);
const inlineParser = new MarkdownIt({ html: true });

/** markdown-it's block tokens of `source`, with line maps; inline tokens keep only their raw content. */
export function parseBlocks(source: string): Token[] {
  return parser.parse(source, {});
}

/** The plain words of the heading opened at `tokens[open]`: inline markup dropped, code spans and image alt text kept. */
export function headingTitle(tokens: Token[], open: number): string {
  const inline = tokens[open + 1];
  if (!inline || inline.type !== 'inline') return '';
  const parts: string[] = [];
  for (const token of inlineParser.parseInline(inline.content, {})) {
    for (const child of token.children ?? []) {
      if (child.type === 'text' || child.type === 'text_special' || child.type === 'code_inline' || child.type === 'image') parts.push(child.content);
      else if (child.type === 'softbreak' || child.type === 'hardbreak') parts.push(' ');
    }
  }
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** A list up to this size stays one block; a longer one is split at its top-level items. */
const SMALL_LIST_CHARS = 1500;

/**
 * Markdown: the file's own text, with blocks taken from markdown-it's source line maps, so every
 * chunk maps back to its lines. Front matter is left out of the blocks (its offsets still count).
 */
export const load: Loader = async ({ bytes, kind }) => {
  const source = decodeSource(bytes);
  const text = source.text;
  if (text.trim() === '') throw new ExtractionError('empty', 'The file holds no text');
  const lines = new LineIndex(text);
  const bodyStart = frontMatterLines(lines);
  // Front matter lines become empty lines for the parser: line numbers in its maps stay the file's.
  const body = '\n'.repeat(bodyStart) + (bodyStart < lines.count ? text.slice(lines.start(bodyStart)) : '');
  const tokens = parseBlocks(body);

  const trail = new HeadingTrail();
  let headingPath: string[] = [];
  const blocks: Block[] = [];
  let next = bodyStart;
  // Blocks for lines first..last (0-based, inclusive), after any text the parser left untokenised
  // (link reference definitions, content past the nesting limit) between the previous block and this one.
  const cover = (first: number, last: number, heading = false): void => {
    if (first > next) add(blocks, boundedBlocks(lines, next, first - 1, { headingPath }));
    if (last >= first) add(blocks, boundedBlocks(lines, first, last, heading ? { headingPath, heading } : { headingPath }));
    next = Math.max(next, last + 1);
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.level !== 0 || token.nesting === -1 || !token.map) continue;
    const [first, end] = token.map;
    const title = token.type === 'heading_open' ? headingTitle(tokens, i) : '';
    if (title) {
      cover(first, first - 1);
      headingPath = trail.enter(Number(token.tag.slice(1)), title);
      cover(first, end - 1, true);
    } else if (token.type === 'hr') {
      // A thematic break carries no words; skipping it keeps "---" out of chunk text.
      cover(first, first - 1);
      next = Math.max(next, end);
    } else if ((token.type === 'bullet_list_open' || token.type === 'ordered_list_open') && listIsLong(lines, first, end)) {
      for (const item of listItems(tokens, i)) cover(item[0], item[1] - 1);
      cover(end, end - 1);
    } else {
      cover(first, end - 1);
    }
  }
  cover(lines.count, lines.count - 1);

  if (blocks.length === 0) throw new ExtractionError('empty', 'The file holds only front matter');
  const doc: ExtractedDocument = { kind, text, blocks, lineAddressable: true };
  if (source.note) doc.note = source.note;
  return doc;
};

function add(blocks: Block[], more: Block[]): void {
  for (const block of more) blocks.push(block);
}

const MAX_FRONT_MATTER_LINES = 500;
/** A front matter line: a `key:`, a `- item`, or an indented continuation. */
const YAML_LINE = /^(?:\s|- |[^\s:#][^:]*:(?:\s|$))/;

/**
 * Number of leading lines taken by a YAML front matter block (`---` ... `---` or `...`), else 0.
 * Only YAML-looking lines count, so a document that merely opens with a thematic break keeps its text.
 */
function frontMatterLines(lines: LineIndex): number {
  if (lines.count < 2 || lines.line(0).trimEnd() !== '---') return 0;
  for (let line = 1; line < Math.min(lines.count, MAX_FRONT_MATTER_LINES); line++) {
    const content = lines.line(line).trimEnd();
    if (content === '---' || content === '...') return line + 1;
    if (content !== '' && !YAML_LINE.test(content)) return 0;
  }
  return 0;
}

function listIsLong(lines: LineIndex, first: number, end: number): boolean {
  return (end < lines.count ? lines.start(end) : lines.text.length) - lines.start(first) > SMALL_LIST_CHARS;
}

/** Line maps of the top-level items of the list opened at `tokens[open]`. */
function listItems(tokens: Token[], open: number): [number, number][] {
  const items: [number, number][] = [];
  for (let i = open + 1; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.level === 0) break;
    if (token.level === 1 && token.type === 'list_item_open' && token.map) items.push([token.map[0], token.map[1]]);
  }
  return items;
}
