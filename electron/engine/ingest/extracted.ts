import type { DocumentKind, DocumentReason } from '../../shared/library.js';

/**
 * One structural unit of a document (a heading, a paragraph, a table row group, a slide's text...).
 * `start`/`end` are offsets into `ExtractedDocument.text`.
 */
export interface Block {
  start: number;
  end: number;
  headingPath: string[];
  /** 1-based page (PDF) or slide (PPTX); absent where the format has no pages. */
  page?: number;
  /** A heading starts a new chunk. */
  heading?: boolean;
  /** Never packed with its neighbours: it already stands on its own (a spreadsheet row group with its header). */
  standalone?: boolean;
  /** 1-based frame of a multi-frame image (TIFF). */
  frame?: number;
  /** Spreadsheet sheet name and 1-based row range. */
  sheet?: string;
  rowStart?: number;
  rowEnd?: number;
  /** Set on text recognised by OCR: the recogniser's confidence, 0-100. */
  ocrConfidence?: number;
}

/** A page or image frame whose text must be recognised (OCR) before the document is complete. */
export interface OcrRequest {
  source: 'pdf' | 'image';
  /** 1-based PDF page or image frame. */
  page: number;
  /** Set for frames of a multi-frame image, whose chunks keep their frame. */
  frame?: number;
}

/** A part of a file indexed as a document of its own: a message of a mailbox, an attachment. */
export interface ExtractedPart {
  /** Stable within the file (`m2`, `a1`): the part's document path is the file's path + `#` + keys. */
  key: string;
  /** How the part is shown and cited after its parent's name ("Budget for May", "report.docx"). */
  label: string;
  kind: DocumentKind | null;
  meta?: Record<string, string>;
  /** The part's content, or why it has none. */
  content: { document: ExtractedDocument } | { status: 'skipped' | 'failed'; reason: DocumentReason; message: string };
  size: number | null;
  parts?: ExtractedPart[];
}

export interface ExtractedDocument {
  kind: DocumentKind;
  /** The document's text; chunk character ranges point into it. */
  text: string;
  blocks: Block[];
  /** True when `text` is the file's own decoded text, so offsets map to real line numbers. */
  lineAddressable: boolean;
  /** Informational note kept on an indexed document (e.g. the encoding it was decoded from). */
  note?: { reason: DocumentReason; message: string };
  /** Pages or frames still to be read by OCR; their text is merged in by page once recognised. */
  ocr?: OcrRequest[];
  /**
   * Where OCR reads those pages when they are not the file on disk (an attachment inside a
   * message): the part's own bytes and their sha256.
   */
  ocrSource?: { bytes: Uint8Array; hash: string };
  /** Parts indexed as documents of their own, below this one. */
  parts?: ExtractedPart[];
  /** Facts shown with the document (a message's headers). */
  meta?: Record<string, string>;
}

/** Pages for OCR in a document and in its parts (scanned attachments). */
export function ocrPageCount(document: Pick<ExtractedDocument, 'ocr' | 'parts'>): number {
  const inParts = (document.parts ?? []).map((part) => ('document' in part.content ? ocrPageCount(part.content.document) : 0) + ocrPageCount({ parts: part.parts }));
  return (document.ocr?.length ?? 0) + inParts.reduce((sum, n) => sum + n, 0);
}

/** A per-file failure a loader can report; anything else thrown is treated as `corrupt`. */
export class ExtractionError extends Error {
  constructor(
    readonly reason: DocumentReason,
    message: string,
  ) {
    super(message);
    this.name = 'ExtractionError';
  }
}

export interface LoaderInput {
  /** The kind the detector settled on (one loader may serve several kinds, e.g. text and code). */
  kind: DocumentKind;
  /** The whole file. Size caps are enforced before a loader is called. */
  bytes: Uint8Array;
  /** Display path, for messages only. */
  path: string;
  /** Lower-case extension without the dot ('' when none). */
  extension: string;
  /** Whether pages without text may be handed to OCR (the library's setting; never for parts of a file). */
  ocr?: boolean;
}

export type Loader = (input: LoaderInput) => Promise<ExtractedDocument>;

/**
 * Builds `text` + `blocks` for formats whose text is extracted (not the file itself):
 * blocks are separated by a blank line so that paragraphs stay visible in chunk text.
 */
export class TextBuilder {
  private parts: string[] = [];
  private length = 0;
  readonly blocks: Block[] = [];

  add(text: string, where: Omit<Block, 'start' | 'end' | 'headingPath'> & { headingPath?: string[] } = {}): void {
    const clean = text.replace(/\r\n?/g, '\n').replace(/[ \t]+\n/g, '\n').trim();
    if (!clean) return;
    if (this.length > 0) {
      this.parts.push('\n\n');
      this.length += 2;
    }
    const start = this.length;
    this.parts.push(clean);
    this.length += clean.length;
    const block: Block = { ...where, start, end: this.length, headingPath: where.headingPath ?? [] };
    if (!where.heading) delete block.heading;
    this.blocks.push(block);
  }

  build(kind: DocumentKind): ExtractedDocument {
    return { kind, text: this.parts.join(''), blocks: this.blocks, lineAddressable: false };
  }
}

/**
 * Tracks the heading path while walking a document: `enter(level, title)` returns the path
 * including the new heading; deeper headings nest, same-or-higher levels replace.
 */
export class HeadingTrail {
  private trail: { level: number; title: string }[] = [];

  enter(level: number, title: string): string[] {
    while (this.trail.length > 0 && this.trail[this.trail.length - 1]!.level >= level) this.trail.pop();
    this.trail.push({ level, title: title.replace(/\s+/g, ' ').trim() });
    return this.path();
  }

  path(): string[] {
    return this.trail.map((h) => h.title);
  }
}
