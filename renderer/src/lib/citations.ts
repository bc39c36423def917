import { CITATION_MARKER_SOURCE, citationNumbers } from '../../../electron/shared/citations.js';

/** A citation marker at the start of a string, read as the engine reads it (electron/shared/citations.ts). */
export const CITATION_MARKER = new RegExp(`^${CITATION_MARKER_SOURCE}`);

export { citationNumbers };
