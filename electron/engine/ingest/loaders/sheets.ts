import { ExtractionError, TextBuilder, type ExtractedDocument } from '../extracted.js';

/** A sheet's rows that hold something, with their 1-based row numbers as the spreadsheet shows them. */
export interface SheetRows {
  name: string;
  rows: { number: number; cells: string[] }[];
}

/** A chunk of rows holds at most this many rows... */
const ROWS_PER_BLOCK = 20;
/** ...and about this many characters with its header: a chunk of its own (~250 tokens). */
const BLOCK_CHARS = 900;

/**
 * One section per sheet, cut into groups of whole rows. Every group starts with the sheet's header
 * row, so a chunk from the middle of a table still says what its columns are; its location is the
 * sheet's name and the group's row range.
 */
export function sheetsDocument(sheets: SheetRows[], kind: ExtractedDocument['kind'], what: string): ExtractedDocument {
  const builder = new TextBuilder();
  for (const sheet of sheets) {
    if (sheet.rows.length === 0) continue;
    const first = sheet.rows[0]!;
    const header = sheet.rows.length > 1 && looksLikeHeader(first.cells) ? rowText(first.cells) : null;
    const body = header === null ? sheet.rows : sheet.rows.slice(1);
    let group: string[] = [];
    let start = 0;
    let end = 0;
    let chars = 0;
    const flush = (): void => {
      if (group.length === 0) return;
      // The first group keeps the header as the row it is, so its range starts there.
      const firstGroup = header !== null && start === body[0]!.number;
      const lines = header === null ? group : [header, ...group];
      builder.add(lines.join('\n'), { headingPath: [sheet.name], sheet: sheet.name, rowStart: firstGroup ? first.number : start, rowEnd: end, standalone: true });
      group = [];
      chars = 0;
    };
    for (const row of body) {
      const line = rowText(row.cells);
      if (!line) continue;
      if (group.length >= ROWS_PER_BLOCK || (group.length > 0 && chars + line.length > BLOCK_CHARS - (header?.length ?? 0))) flush();
      if (group.length === 0) start = row.number;
      group.push(line);
      chars += line.length + 1;
      end = row.number;
    }
    flush();
    if (body.length === 0 && header !== null) builder.add(header, { headingPath: [sheet.name], sheet: sheet.name, rowStart: first.number, rowEnd: first.number, standalone: true });
  }
  const doc = builder.build(kind);
  if (!doc.text) throw new ExtractionError('empty', `The ${what} has no cell with a value`);
  return doc;
}

function rowText(cells: string[]): string {
  const clean = cells.map((cell) => cell.replace(/\s+/g, ' ').trim());
  const last = clean.findLastIndex((cell) => cell !== '');
  return clean.slice(0, last + 1).join(' | ');
}

/** Column names: at least two filled in, none a number. */
function looksLikeHeader(cells: string[]): boolean {
  const names = cells.map((cell) => cell.trim()).filter(Boolean);
  return names.length >= 2 && names.every((name) => !/^[-+]?[\d.,]+%?$/.test(name));
}

/** Numbers as a person would type them: no binary noise (0.30000000000000004) and no exponent for ordinary sizes. */
export function numberText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(15)));
}

/** A date cell: the day, and the time only when there is one. */
export function dateText(value: Date): string {
  if (Number.isNaN(value.getTime())) return '';
  const iso = value.toISOString();
  return iso.slice(11, 19) === '00:00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}
