import { ExtractionError, HeadingTrail, TextBuilder } from '../extracted.js';
import type { ExtractedDocument, Loader } from '../extracted.js';
import { headingTitle, parseBlocks } from './markdown.js';
import { decodeSource } from './text-lines.js';

/**
 * Outputs are kept, briefly: printed results and a cell's value are often exactly what a question
 * asks about ("what accuracy did the run reach?"), but logs and printed tables would drown the
 * prose and code, so each cell's output is capped. Displays (figures, HTML, whose plain text is
 * "<Figure size 640x480>"), stderr and error tracebacks are skipped.
 */
const MAX_OUTPUT_CHARS = 500;

type Json = Record<string, unknown>;

/** Jupyter notebooks (nbformat 4, and 3's worksheets): cell text through a TextBuilder. */
export const load: Loader = async ({ bytes, kind }) => {
  const source = decodeSource(bytes);
  if (source.text.trim() === '') throw new ExtractionError('empty', 'The file holds no text');
  let notebook: unknown;
  try {
    notebook = JSON.parse(source.text);
  } catch (error) {
    throw new ExtractionError('corrupt', `Not a notebook: invalid JSON (${(error as Error).message})`);
  }
  const cells = cellsOf(notebook);
  if (!cells) throw new ExtractionError('corrupt', 'Not a notebook: the JSON has no "cells" list');

  const builder = new TextBuilder();
  const trail = new HeadingTrail();
  let headingPath: string[] = [];
  for (const cell of cells) {
    const type = cell['cell_type'];
    const text = joined(type === 'code' ? (cell['source'] ?? cell['input']) : cell['source']);
    if (type === 'markdown') {
      for (const part of markdownParts(text)) {
        if (part.heading) headingPath = trail.enter(part.heading.level, part.heading.title);
        builder.add(part.text, part.heading ? { headingPath, heading: true } : { headingPath });
      }
    } else if (type === 'heading' && typeof cell['level'] === 'number' && text.trim()) {
      headingPath = trail.enter(cell['level'], text);
      builder.add(text, { headingPath, heading: true });
    } else {
      builder.add(text, { headingPath });
      if (type === 'code') builder.add(outputText(cell['outputs']), { headingPath });
    }
  }
  const doc: ExtractedDocument = builder.build(kind);
  if (doc.blocks.length === 0) throw new ExtractionError('empty', 'The notebook has no text in its cells');
  if (source.note) doc.note = source.note;
  return doc;
};

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cellsOf(notebook: unknown): Json[] | null {
  if (!isObject(notebook)) return null;
  let cells: unknown[] | null = null;
  if (Array.isArray(notebook['cells'])) cells = notebook['cells'];
  else if (Array.isArray(notebook['worksheets'])) {
    cells = notebook['worksheets'].flatMap((sheet: unknown) => (isObject(sheet) && Array.isArray(sheet['cells']) ? (sheet['cells'] as unknown[]) : []));
  }
  return cells ? cells.filter(isObject) : null;
}

/** Notebook text fields are a string or a list of lines (each with its own "\n"). */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((line): line is string => typeof line === 'string').join('');
  return '';
}

interface MarkdownPart {
  text: string;
  heading?: { level: number; title: string };
}

/** A markdown cell cut at its headings (found by markdown-it, so a "# comment" in a code fence is not one). */
function markdownParts(markdown: string): MarkdownPart[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const tokens = parseBlocks(lines.join('\n'));
  const parts: MarkdownPart[] = [];
  let next = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type !== 'heading_open' || token.level !== 0 || !token.map) continue;
    const title = headingTitle(tokens, i);
    if (!title) continue;
    const [first, end] = token.map;
    if (first > next) parts.push({ text: lines.slice(next, first).join('\n') });
    parts.push({ text: lines.slice(first, end).join('\n'), heading: { level: Number(token.tag.slice(1)), title } });
    next = end;
  }
  if (next < lines.length) parts.push({ text: lines.slice(next).join('\n') });
  return parts;
}

function outputText(outputs: unknown): string {
  if (!Array.isArray(outputs)) return '';
  const texts: string[] = [];
  for (const output of outputs) {
    if (!isObject(output)) continue;
    const type = output['output_type'];
    if (type === 'stream' && output['name'] !== 'stderr') texts.push(joined(output['text']));
    else if (type === 'execute_result' || type === 'pyout') texts.push(joined(isObject(output['data']) ? output['data']['text/plain'] : output['text']));
  }
  // Terminal colour codes in captured output.
  const text = texts.join('\n').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim();
  if (!text) return '';
  if (text.length <= MAX_OUTPUT_CHARS) return `Output:\n${text}`;
  const cut = /[\ud800-\udbff]/.test(text[MAX_OUTPUT_CHARS - 1]!) ? MAX_OUTPUT_CHARS - 1 : MAX_OUTPUT_CHARS;
  return `Output:\n${text.slice(0, cut)}…`;
}
