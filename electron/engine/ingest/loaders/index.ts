import type { DocumentKind } from '../../../shared/library.js';
import type { Loader } from '../extracted.js';

/** Loaders are imported on first use, so a run over plain text never loads pdfjs or mammoth. */
const LOADERS: Record<Exclude<DocumentKind, 'other'>, () => Promise<{ load: Loader }>> = {
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
  email: () => import('./mail.js'),
};

export async function loaderFor(kind: DocumentKind): Promise<Loader> {
  const importer = kind === 'other' ? LOADERS.text : LOADERS[kind];
  return (await importer()).load;
}
