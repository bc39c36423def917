import type { AnyNode, Element } from 'domhandler';
import { isTag, isText } from 'domhandler';
import { findOne } from 'domutils';
import { parseDocument } from 'htmlparser2';
import { ExtractionError, type Loader } from '../extracted.js';
import { sheetsDocument, type SheetRows } from './sheets.js';
import { openZip, readZipText, readingArchive, rejectCompoundFile } from './zip.js';

/** Repeats of a row or cell that has content are honoured up to this; longer runs are formatting, not data. */
const MAX_REPEAT = 1000;

/**
 * OpenDocument spreadsheets, read from content.xml. A cell's text is what the spreadsheet
 * displays (a formula's saved result, a formatted number); empty rows and columns repeated to the
 * sheet's end are counted, not materialised.
 */
export const load: Loader = ({ bytes, kind }) => readingArchive('OpenDocument spreadsheet', async () => {
  rejectCompoundFile(bytes, 'OpenDocument spreadsheet', 'binary office');
  const zip = await openZip(bytes, 'OpenDocument spreadsheet');
  const manifest = zip.file('META-INF/manifest.xml');
  if (manifest && /<manifest:encryption-data/.test(await manifest.async('string'))) {
    throw new ExtractionError('encrypted', 'The OpenDocument spreadsheet is password-protected');
  }
  const content = parseDocument(await readZipText(zip, 'content.xml', 'OpenDocument spreadsheet'), { xmlMode: true });
  const body = findOne((e) => e.name === 'office:spreadsheet', content.children);
  if (!body) throw new ExtractionError('corrupt', 'The OpenDocument spreadsheet has no office:spreadsheet');
  const sheets: SheetRows[] = [];
  const visit = (nodes: AnyNode[]): void => {
    for (const node of nodes) {
      if (!isTag(node)) continue;
      if (node.name === 'table:table') sheets.push(sheetOf(node));
      else visit(node.children);
    }
  };
  visit(body.children);
  return sheetsDocument(sheets, kind, 'OpenDocument spreadsheet');
});

function sheetOf(table: Element): SheetRows {
  const sheet: SheetRows = { name: table.attribs['table:name'] ?? 'Sheet', rows: [] };
  let number = 0;
  const visit = (nodes: AnyNode[]): void => {
    for (const node of nodes) {
      if (!isTag(node)) continue;
      if (node.name === 'table:table-row') {
        const repeat = Math.max(1, Number(node.attribs['table:number-rows-repeated'] ?? 1) || 1);
        const cells = rowCells(node);
        if (cells.some((cell) => cell !== '')) {
          for (let i = 0; i < Math.min(repeat, MAX_REPEAT); i++) sheet.rows.push({ number: number + i + 1, cells });
        }
        number += repeat;
      } else if (node.name === 'table:table-header-rows' || node.name === 'table:table-rows' || node.name === 'table:table-row-group') {
        visit(node.children);
      }
    }
  };
  visit(table.children);
  return sheet;
}

function rowCells(row: Element): string[] {
  const cells: string[] = [];
  for (const node of row.children) {
    if (!isTag(node) || (node.name !== 'table:table-cell' && node.name !== 'table:covered-table-cell')) continue;
    const repeat = Math.max(1, Number(node.attribs['table:number-columns-repeated'] ?? 1) || 1);
    // A covered cell is hidden under a merged one, whose value is already there.
    const text = node.name === 'table:covered-table-cell' ? '' : cellText(node);
    if (text === '') {
      // Trailing empty columns are not stored at all; inner ones only as much as they matter.
      for (let i = 0; i < Math.min(repeat, MAX_REPEAT); i++) cells.push('');
    } else {
      for (let i = 0; i < Math.min(repeat, MAX_REPEAT); i++) cells.push(text);
    }
  }
  const last = cells.findLastIndex((cell) => cell !== '');
  return cells.slice(0, last + 1);
}

function cellText(cell: Element): string {
  const paragraphs: string[] = [];
  const visit = (node: AnyNode, into: string[]): void => {
    if (isText(node)) into.push(node.data);
    if (!isTag(node) || node.name === 'office:annotation') return;
    if (node.name === 'text:s') into.push(' '.repeat(Math.min(Number(node.attribs['text:c'] ?? 1) || 1, 100)));
    else if (node.name === 'text:tab') into.push('\t');
    else if (node.name === 'text:line-break') into.push('\n');
    else node.children.forEach((child) => visit(child, into));
  };
  for (const node of cell.children) {
    if (!isTag(node) || node.name !== 'text:p') continue;
    const parts: string[] = [];
    visit(node, parts);
    paragraphs.push(parts.join(''));
  }
  const shown = paragraphs.join('\n').trim();
  if (shown) return shown;
  // A cell saved without its display text still has its typed value.
  const a = cell.attribs;
  return (a['office:value'] ?? a['office:date-value'] ?? a['office:time-value'] ?? a['office:boolean-value'] ?? a['office:string-value'] ?? '').trim();
}
