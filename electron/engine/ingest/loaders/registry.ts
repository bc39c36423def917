import type { DocumentKind } from '../../../shared/library.js';
import type { Loader } from '../extracted.js';

/**
 * Every loader but e-mail's, imported on first use (a run over plain text never loads pdfjs or
 * mammoth). The mail loader reads attachments through this table, so it sits below both.
 */
const LOADERS: Record<Exclude<DocumentKind, 'other' | 'email'>, () => Promise<{ load: Loader }>> = {
  text: () => import('./text.js'),
  code: () => import('./text.js'),
  markdown: () => import('./markdown.js'),
  csv: () => import('./csv.js'),
  notebook: () => import('./notebook.js'),
  html: () => import('./html.js'),
  pdf: () => import('./pdf.js'),
  docx: () => import('./docx.js'),
  odt: () => import('./odt.js'),
  rtf: () => import('./rtf.js'),
  epub: () => import('./epub.js'),
  pptx: () => import('./pptx.js'),
  image: () => import('./image.js'),
  spreadsheet: () => import('./spreadsheet.js'),
};

/** The loader of any kind but e-mail (a message inside a message is read by the mail loader itself). */
export async function nonMailLoaderFor(kind: Exclude<DocumentKind, 'email'>): Promise<Loader> {
  const importer = kind === 'other' ? LOADERS.text : LOADERS[kind];
  return (await importer()).load;
}
