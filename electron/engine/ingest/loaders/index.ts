import type { DocumentKind } from '../../../shared/library.js';
import type { Loader } from '../extracted.js';
import { nonMailLoaderFor } from './registry.js';

/** Loaders are imported on first use, so a run over plain text never loads pdfjs or mammoth. */
export async function loaderFor(kind: DocumentKind): Promise<Loader> {
  if (kind === 'email') return (await import('./mail.js')).load;
  return nonMailLoaderFor(kind);
}
