import Papa from 'papaparse';
import { ExtractionError } from '../extracted.js';
import type { Block, ExtractedDocument, Loader } from '../extracted.js';
import { decodeSource } from './text-lines.js';
import { load as loadText } from './text.js';

/** A block holds at most this many records... */
const ROWS_PER_BLOCK = 20;
/**
 * ...and about this many characters: small enough (~250 tokens) that a block rarely has to be cut
 * by the splitter (which cuts at line breaks, not records), while the splitter still packs
 * consecutive blocks into full chunks.
 */
const BLOCK_CHARS = 1000;
const MAX_HEADER_CHARS = 300;
/**
 * A record longer than this is no table a person reads, and splitting it into fields costs many times its size in
 * memory (a 30 MB line of 4 million fields took 800 MB): such a file is read as plain text instead.
 */
const MAX_RECORD_CHARS = 1024 * 1024;

interface Records {
  /** [start, end) of each record in the text, its line break excluded. */
  ranges: [number, number][];
  header: string[] | null;
}

/**
 * CSV and TSV: the file's own text, in blocks of whole records (a quoted field may span lines).
 * The header row rides along in every block's heading path, so a chunk from the middle of a
 * table still says what its columns are. A file papaparse cannot make records of (an unclosed
 * quote), or with a record over MAX_RECORD_CHARS, is indexed as plain text.
 */
export const load: Loader = async (input) => {
  const source = decodeSource(input.bytes);
  const text = source.text;
  if (text.trim() === '') throw new ExtractionError('empty', 'The file holds no text');
  const records = longestLine(text) > MAX_RECORD_CHARS ? null : recordsOf(text, input.extension);
  if (!records) return { ...(await loadText(input)), kind: input.kind };

  const headingPath = records.header ? [columnsLabel(records.header)] : [];
  const blocks: Block[] = [];
  let group: [number, number] | null = null;
  let rows = 0;
  for (const [start, end] of records.ranges) {
    if (group && (rows >= ROWS_PER_BLOCK || end - group[0] > BLOCK_CHARS)) {
      blocks.push({ start: group[0], end: group[1], headingPath: [...headingPath] });
      group = null;
    }
    if (group) group[1] = end;
    else {
      group = [start, end];
      rows = 0;
    }
    rows++;
  }
  if (group) blocks.push({ start: group[0], end: group[1], headingPath: [...headingPath] });

  const doc: ExtractedDocument = { kind: input.kind, text, blocks, lineAddressable: true };
  if (source.note) doc.note = source.note;
  return doc;
};

function recordsOf(text: string, extension: string): Records | null {
  // papaparse wants one kind of line break; "\r\n" -> " \n" keeps every offset and only adds a
  // space at the end of a record (or inside a quoted field, whose value is not used).
  const normalized = text.replace(/\r\n/g, ' \n');
  const ranges: [number, number][] = [];
  let header: string[] | null = null;
  let first = true;
  let start = 0;
  let malformed = false;
  const config: Papa.ParseConfig<string[]> = {
    newline: '\n',
    step: (row, parser) => {
      if (row.errors.some((error) => error.type === 'Quotes')) {
        malformed = true;
        parser.abort();
        return;
      }
      const next = row.meta.cursor;
      let end = next;
      while (end > start && /\s/.test(text[end - 1]!)) end--;
      if (end > start && text.slice(start, end).trim() !== '') {
        if (first) header = looksLikeHeader(row.data) ? row.data.map((field) => field.trim()) : null;
        first = false;
        ranges.push([start, end]);
      }
      start = next;
    },
  };
  if (extension === 'tsv' || extension === 'tab') config.delimiter = '\t';
  Papa.parse<string[]>(normalized, config);
  if (malformed || ranges.length === 0) return null;
  return { ranges, header: ranges.length > 1 ? header : null };
}

function longestLine(text: string): number {
  let longest = 0;
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    longest = Math.max(longest, stop - start);
    start = stop + 1;
  }
  return longest;
}

/** Column names: every field filled in, none a number, and not all the same. */
function looksLikeHeader(fields: string[]): boolean {
  const names = fields.map((field) => field.trim());
  if (names.length === 0 || names.some((name) => name === '' || /^[-+]?[\d.,]+%?$/.test(name))) return false;
  return names.length === 1 || new Set(names).size > 1;
}

function columnsLabel(header: string[]): string {
  const label = `columns: ${header.join(' | ')}`;
  return label.length > MAX_HEADER_CHARS ? `${label.slice(0, MAX_HEADER_CHARS - 1)}…` : label;
}
