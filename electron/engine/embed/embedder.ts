import { QuireError } from '../errors.js';

export class EmbedderLoadError extends QuireError {
  constructor(message: string) {
    super('embedder-load-failed', message);
  }
}

/** Turns text into unit vectors. Passages and queries may be embedded differently (prefixes). */
export interface Embedder {
  /** Stable id recorded in the library (the model folder's name). */
  readonly model: string;
  readonly dimension: number;
  readonly pooling: 'mean' | 'cls';
  embedPassages(texts: readonly string[]): Promise<Float32Array[]>;
  embedQuery(text: string): Promise<Float32Array>;
  close(): Promise<void>;
}

/**
 * Instructions some model families were trained with; using them is worth several points of
 * retrieval quality, leaving them out (or adding them to a model that does not expect them) costs it.
 */
export const PREFIXES: { family: RegExp; query: string; passage: string }[] = [
  { family: /(^|[-_/])e5[-_]/i, query: 'query: ', passage: 'passage: ' },
  { family: /^bge-.*-en(-v1\.5)?$/i, query: 'Represent this sentence for searching relevant passages: ', passage: '' },
  { family: /nomic-embed/i, query: 'search_query: ', passage: 'search_document: ' },
];

export function prefixesFor(model: string): { query: string; passage: string } {
  const match = PREFIXES.find((p) => p.family.test(model));
  return match ? { query: match.query, passage: match.passage } : { query: '', passage: '' };
}
