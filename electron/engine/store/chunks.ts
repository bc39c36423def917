import { statement, type Db } from './db.js';

export interface NewChunk {
  text: string;
  charStart: number;
  charEnd: number;
  page: number | null;
  lineStart: number | null;
  lineEnd: number | null;
  headingPath: string[];
  tokenCount: number;
  /** Frame of a multi-frame image (TIFF), 1-based. */
  frame?: number | null;
  /** Spreadsheet location: the sheet and its 1-based row range. */
  sheet?: string | null;
  rowStart?: number | null;
  rowEnd?: number | null;
  /** Set when the text comes from OCR: the recogniser's mean confidence, 0-100. */
  ocrConfidence?: number | null;
}

export interface ChunkRow extends NewChunk {
  id: number;
  documentId: number;
  ordinal: number;
}

interface RawChunk extends Omit<ChunkRow, 'headingPath'> {
  headingPath: string;
}

const COLUMNS = `id, document_id AS documentId, ordinal, text, char_start AS charStart, char_end AS charEnd, page,
  line_start AS lineStart, line_end AS lineEnd, heading_path AS headingPath, token_count AS tokenCount, frame, sheet,
  row_start AS rowStart, row_end AS rowEnd, ocr_confidence AS ocrConfidence`;

const toChunk = (raw: RawChunk): ChunkRow => ({ ...raw, headingPath: JSON.parse(raw.headingPath) as string[] });

export class ChunkStore {
  private readonly insertStatement;
  private readonly deleteStatement;

  constructor(private readonly db: Db) {
    this.insertStatement = statement(
      db,
      `INSERT INTO chunks (document_id, ordinal, text, char_start, char_end, page, line_start, line_end, heading_path, token_count,
         frame, sheet, row_start, row_end, ocr_confidence)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteStatement = statement(db, 'DELETE FROM chunks WHERE document_id = ?');
  }

  /** Replaces a document's chunks; call inside the transaction that records the document's outcome. */
  replace(documentId: number, chunks: readonly NewChunk[]): number[] {
    this.deleteStatement.run(documentId);
    return chunks.map((c, ordinal) =>
      Number(
        this.insertStatement.run(
          documentId, ordinal, c.text, c.charStart, c.charEnd, c.page, c.lineStart, c.lineEnd, JSON.stringify(c.headingPath), c.tokenCount,
          c.frame ?? null, c.sheet ?? null, c.rowStart ?? null, c.rowEnd ?? null, c.ocrConfidence ?? null,
        ).lastInsertRowid,
      ),
    );
  }

  forDocument(documentId: number): ChunkRow[] {
    return (statement(this.db, `SELECT ${COLUMNS} FROM chunks WHERE document_id = ? ORDER BY ordinal`).all(documentId) as RawChunk[]).map(toChunk);
  }

  byIds(ids: readonly number[]): ChunkRow[] {
    if (ids.length === 0) return [];
    const rows = statement(this.db, `SELECT ${COLUMNS} FROM chunks WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as RawChunk[];
    return rows.map(toChunk);
  }

  count(): number {
    return (statement(this.db, 'SELECT COUNT(*) AS n FROM chunks').get() as { n: number }).n;
  }
}
