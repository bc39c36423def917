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

  add(text: string, where: { headingPath?: string[]; page?: number; heading?: boolean } = {}): void {
    const clean = text.replace(/\r\n?/g, '\n').replace(/[ \t]+\n/g, '\n').trim();
    if (!clean) return;
    if (this.length > 0) {
      this.parts.push('\n\n');
      this.length += 2;
    }
    const start = this.length;
    this.parts.push(clean);
    this.length += clean.length;
    const block: Block = { start, end: this.length, headingPath: where.headingPath ?? [] };
    if (where.page !== undefined) block.page = where.page;
    if (where.heading) block.heading = true;
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
