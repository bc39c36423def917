import ExcelJS from 'exceljs';
import type { Loader } from '../extracted.js';
import { dateText, numberText, sheetsDocument, type SheetRows } from './sheets.js';
import { checkDecompressedSize, readingArchive, rejectCompoundFile } from './zip.js';

/**
 * Excel workbooks (XLSX, XLSM) through exceljs. A formula cell gives the value Excel saved with it
 * (formulas are never evaluated); a merged range gives its value once.
 */
export const load: Loader = ({ bytes, kind }) => readingArchive('Excel workbook', async () => {
  rejectCompoundFile(bytes, 'Excel workbook', 'Excel 97-2003 (.xls)');
  await checkDecompressedSize(bytes, 'Excel workbook');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer);
  const sheets: SheetRows[] = [];
  workbook.eachSheet((worksheet) => {
    const sheet: SheetRows = { name: worksheet.name, rows: [] };
    worksheet.eachRow({ includeEmpty: false }, (row, number) => {
      const cells: string[] = [];
      row.eachCell({ includeEmpty: false }, (cell, column) => {
        if (cell.isMerged && cell.master !== cell) return;
        cells[column - 1] = cellText(cell.value);
      });
      const filled = Array.from(cells, (cell) => cell ?? '');
      if (filled.some((cell) => cell.trim() !== '')) sheet.rows.push({ number, cells: filled });
    });
    sheets.push(sheet);
  });
  return sheetsDocument(sheets, kind, 'Excel workbook');
});

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return dateText(value);
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('error' in value) return value.error;
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as { result?: unknown }).result;
    if (result === undefined || result === null) return '';
    if (typeof result === 'object' && !(result instanceof Date)) return 'error' in result ? String((result as { error: unknown }).error) : '';
    return cellText(result as ExcelJS.CellValue);
  }
  if ('text' in value) return typeof value.text === 'string' ? value.text : cellText(value.text as ExcelJS.CellValue);
  return '';
}
