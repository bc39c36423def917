import type { DocumentReason } from '../../shared/library.js';

/** One page or frame to recognise, read by the OCR worker from the file on disk. */
export interface OcrJob {
  source: 'pdf' | 'image';
  rawPath: Uint8Array;
  path: string;
  /** The hash the file had when it was parsed; a file that changed since is not read. */
  fileHash: string;
  /** The page's container when it is not the file on disk (an attachment); `fileHash` is then its hash. */
  bytes?: Uint8Array;
  /** 1-based PDF page or image frame. */
  page: number;
  languages: string[];
}

export interface OcrParagraph {
  text: string;
  /** 0-100, as tesseract reports it. */
  confidence: number;
}

/** What recognition found on one page: its paragraphs in reading order. */
export interface OcrPage {
  paragraphs: OcrParagraph[];
  confidence: number;
}

export type OcrOutcome =
  | { type: 'text'; page: OcrPage; cached: boolean }
  | { type: 'failed'; reason: Extract<DocumentReason, 'ocr-crashed' | 'too-large' | 'timeout' | 'corrupt' | 'unreadable'>; message: string };

/** Engine -> worker. */
export type ToOcrWorker =
  | { type: 'job'; id: number; job: OcrJob }
  /** Answer to a `key` message: the page's text is already cached (skip) or must be recognised. */
  | { type: 'go'; id: number; recognize: boolean };

/** Worker -> engine. */
export type FromOcrWorker =
  /** The rendered page's content hash, sent before recognising so a cached page is not read twice. */
  | { type: 'key'; id: number; key: string }
  | { type: 'done'; id: number; page: OcrPage }
  | { type: 'skipped'; id: number }
  | { type: 'error'; id: number; reason: 'corrupt' | 'unreadable' | 'ocr-crashed' | 'too-large'; message: string };
