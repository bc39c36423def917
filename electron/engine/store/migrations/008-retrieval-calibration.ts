import type { Migration } from './types.js';

/**
 * Retrieval calibration per library and embedder (`search/calibration.ts`): the figures measured on
 * the library's own held-back queries, the fusion weights and relevance threshold chosen from them,
 * and the query-side adapter (a d x d float32 matrix, row-major) when one was kept.
 * `embedder` is `model:dimension`, or '' for a keyword-only library.
 */
export const retrievalCalibration: Migration = {
  version: 8,
  name: 'retrieval calibration per embedder',
  up: `
    CREATE TABLE IF NOT EXISTS retrieval_calibrations (
      embedder TEXT PRIMARY KEY,
      calibration TEXT NOT NULL,
      adapter BLOB
    ) STRICT;
  `,
};
