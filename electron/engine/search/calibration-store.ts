import { statement, type Db } from '../store/db.js';
import type { CalibrationRecord } from './calibration.js';
import { QueryAdapter } from './query-adapter.js';

/** Calibrations kept in the library, one per embedder (`model:dimension`, '' for keyword-only). */
export class CalibrationStore {
  constructor(private readonly db: Db) {}

  get(embedder: string): { record: CalibrationRecord; adapter: QueryAdapter | null } | null {
    const row = statement(this.db, 'SELECT calibration, adapter FROM retrieval_calibrations WHERE embedder = ?').get(embedder) as { calibration: string; adapter: Buffer | null } | undefined;
    if (!row) return null;
    const record = JSON.parse(row.calibration) as CalibrationRecord;
    if (record.version !== 1) return null;
    const dimension = Number(embedder.split(':').at(-1));
    const adapter = row.adapter && Number.isInteger(dimension) && dimension > 0 ? QueryAdapter.fromBlob(row.adapter, dimension) : null;
    return { record, adapter };
  }

  set(embedder: string, record: CalibrationRecord, adapter: QueryAdapter | null): void {
    statement(this.db, 'INSERT INTO retrieval_calibrations (embedder, calibration, adapter) VALUES (?, ?, ?) ON CONFLICT(embedder) DO UPDATE SET calibration = excluded.calibration, adapter = excluded.adapter')
      .run(embedder, JSON.stringify(record), adapter ? adapter.toBlob() : null);
  }

  remove(embedder: string): boolean {
    return statement(this.db, 'DELETE FROM retrieval_calibrations WHERE embedder = ?').run(embedder).changes > 0;
  }
}
