import { initial } from './001-initial.js';
import { lexicalIndex } from './002-lexical-index.js';
import { conversations } from './003-conversations.js';
import { evaluation } from './004-eval.js';
import { ocrSheetsMail } from './005-ocr-sheets-mail.js';
import { readerVersions } from './006-reader-versions.js';
import { vectorBits } from './007-vector-bits.js';
import { retrievalCalibration } from './008-retrieval-calibration.js';
import { commonWordPostings } from './009-common-word-postings.js';
import { filesBeingRead } from './010-files-being-read.js';

import type { Migration } from './types.js';

export type { Migration } from './types.js';

/** In order; a migration is never edited once released, only followed by a new one. */
export const migrations: readonly Migration[] = [
  initial, lexicalIndex, conversations, evaluation, ocrSheetsMail, readerVersions, vectorBits, retrievalCalibration, commonWordPostings, filesBeingRead,
];
