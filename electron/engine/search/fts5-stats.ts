import { changeStamp, statement, type Db } from '../store/db.js';

/**
 * The figures FTS5's `bm25()` ranks with, read where FTS5 itself reads them, so that a score
 * computed here is the score `bm25()` would give:
 * - the row count and token totals of the "averages" record (`chunks_fts_data`, id 1). With
 *   `contentless_delete` FTS5 does not lower them when rows are deleted, so they cannot be
 *   counted from `chunks`;
 * - each row's token count per column (`chunks_fts_docsize`).
 * Both are SQLite varints, in FTS5's on-disk format version 4 (checked: any other version, or a
 * record that does not parse, and the caller falls back to FTS5's own ranking).
 */
export interface Fts5Totals {
  /** FTS5's row count (not lowered by deletes in a contentless_delete table). */
  rows: number;
  /** Tokens over all columns and rows. */
  tokens: number;
}

const SUPPORTED_VERSIONS = new Set([4]);
const totalsCache = new WeakMap<Db, { stamp: string; totals: Fts5Totals | null }>();

/** Null when the index is in a format this code does not know. */
export function fts5Totals(db: Db, table: string): Fts5Totals | null {
  const stamp = changeStamp(db);
  const cached = totalsCache.get(db);
  if (cached?.stamp === stamp) return cached.totals;
  let totals: Fts5Totals | null = null;
  const version = statement(db, `SELECT v FROM "${table}_config" WHERE k = 'version'`).pluck().get() as number | undefined;
  if (version !== undefined && SUPPORTED_VERSIONS.has(Number(version))) {
    const block = statement(db, `SELECT block FROM "${table}_data" WHERE id = 1`).pluck().get() as Buffer | undefined;
    if (block) {
      const values = readVarints(block, block.length);
      if (values && values.length >= 2) totals = { rows: values[0]!, tokens: values.slice(1).reduce((a, b) => a + b, 0) };
    } else {
      totals = { rows: 0, tokens: 0 };
    }
  }
  totalsCache.set(db, { stamp, totals });
  return totals;
}

/** Token counts per column of each row, by rowid (rows FTS5 does not hold are absent). */
export function fts5ColumnSizes(db: Db, table: string, ids: readonly number[], columns: number): Map<number, number[]> {
  const rows = statement(db, `SELECT id, sz FROM "${table}_docsize" WHERE id IN (SELECT value FROM json_each(?))`)
    .raw()
    .all(JSON.stringify(ids)) as [number, Buffer][];
  const sizes = new Map<number, number[]>();
  for (const [id, sz] of rows) {
    const values = readVarints(sz, sz.length);
    if (values && values.length === columns) sizes.set(id, values);
  }
  return sizes;
}

/** SQLite's variable-length integers (big-endian 7-bit groups; a ninth byte holds 8 bits). Null if truncated. */
export function readVarints(bytes: Uint8Array, end: number): number[] | null {
  const values: number[] = [];
  let at = 0;
  while (at < end) {
    let value = 0;
    let i = 0;
    for (; ; i++) {
      if (at >= end) return null;
      const byte = bytes[at++]!;
      if (i === 8) {
        value = value * 256 + byte;
        break;
      }
      value = value * 128 + (byte & 0x7f);
      if ((byte & 0x80) === 0) break;
    }
    values.push(value);
  }
  return values;
}
