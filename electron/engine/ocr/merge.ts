import type { DocumentReason } from '../../shared/library.js';
import { TextBuilder, type Block, type ExtractedDocument, type OcrRequest } from '../ingest/extracted.js';
import type { OcrPage } from './types.js';

export interface OcrFailure {
  page: number;
  reason: DocumentReason;
  message: string;
}

/**
 * Puts recognised text into a document, page by page in order. A page keeps its text layer when
 * that holds more than OCR found (a page with a short caption and no scan); otherwise the OCR
 * paragraphs replace it, each a block carrying its page (and frame) and confidence.
 */
export function mergeOcrText(doc: ExtractedDocument, requests: OcrRequest[], pages: (OcrPage | null)[]): ExtractedDocument {
  const byPage = new Map<number, { request: OcrRequest; page: OcrPage }>();
  requests.forEach((request, i) => {
    const page = pages[i];
    if (page) byPage.set(request.page, { request, page });
  });
  const blocksByPage = new Map<number | undefined, Block[]>();
  for (const block of doc.blocks) {
    const list = blocksByPage.get(block.page) ?? [];
    list.push(block);
    blocksByPage.set(block.page, list);
  }
  const order = [...new Set<number | undefined>([...blocksByPage.keys(), ...requests.map((r) => r.page)])].sort((a, b) => (a ?? 0) - (b ?? 0));
  const builder = new TextBuilder();
  let headingPath: string[] = [];
  for (const number of order) {
    const own = blocksByPage.get(number) ?? [];
    const ocr = number === undefined ? undefined : byPage.get(number);
    const ownChars = own.reduce((sum, b) => sum + visible(doc.text.slice(b.start, b.end)), 0);
    const ocrChars = ocr ? ocr.page.paragraphs.reduce((sum, p) => sum + visible(p.text), 0) : 0;
    if (ocr && ocrChars > ownChars) {
      const { request } = ocr;
      for (const paragraph of ocr.page.paragraphs) {
        const where: Parameters<TextBuilder['add']>[1] = { headingPath, ocrConfidence: paragraph.confidence };
        if (request.source === 'pdf' || request.frame !== undefined) where.page = request.page;
        if (request.frame !== undefined) where.frame = request.frame;
        builder.add(paragraph.text, where);
      }
      continue;
    }
    for (const block of own) {
      const { start, end, ...where } = block;
      builder.add(doc.text.slice(start, end), where);
      headingPath = block.headingPath;
    }
  }
  const merged = builder.build(doc.kind);
  const result: ExtractedDocument = { ...doc, text: merged.text, blocks: merged.blocks };
  delete result.ocr;
  return result;
}

function visible(text: string): number {
  return text.replace(/\s+/g, '').length;
}
