import { z } from 'zod';
import { RetrievalFigures } from './search.js';

/** Where a document stands in a library. */
export const DocumentStatus = z.enum(['pending', 'indexed', 'skipped', 'failed']);
export type DocumentStatus = z.infer<typeof DocumentStatus>;

/**
 * Stable machine codes for why a document is skipped or failed (or, for indexed
 * documents, a note such as `transcoded`). Scripts match on these; never rename one.
 */
export const DocumentReason = z.enum([
  'encrypted', // password-protected document
  'corrupt', // the parser could not make sense of the bytes
  'too-large', // over the configured size cap, or over the parser's memory budget
  'binary', // a text-like name whose content is binary
  'unreadable', // no permission, or an I/O error while reading
  'unsupported', // a format Quire does not read (archives, executables, legacy binary office files...)
  'empty', // zero bytes, or no text at all after extraction
  'no-text', // the format is readable but holds no extractable text (e.g. an image-only PDF)
  'symlink-loop', // a symbolic link that leads back into a folder being walked
  'broken-link', // a symbolic link whose target does not exist
  'outside-folder', // a symbolic link that leads out of the library's folders (not followed unless the library allows it)
  'timeout', // the parser took longer than its time budget
  'parser-crashed', // the parser's worker died
  'transcoded', // indexed, but the text was not UTF-8 and was decoded from another encoding
  'ocr-crashed', // text recognition (OCR) of a page or image crashed its worker
  'truncated', // the file ends in the middle of its content (e.g. a mailbox cut inside a message)
]);
export type DocumentReason = z.infer<typeof DocumentReason>;

export const DocumentKind = z.enum([
  'text', 'code', 'markdown', 'html', 'pdf', 'docx', 'odt', 'rtf', 'epub', 'pptx', 'notebook', 'csv', 'other', 'image', 'spreadsheet', 'email',
]);
export type DocumentKind = z.infer<typeof DocumentKind>;

export const MailHeaders = z.object({ from: z.string(), to: z.string(), date: z.string(), subject: z.string() });
export type MailHeaders = z.infer<typeof MailHeaders>;

export const DocumentInfo = z.object({
  path: z.string(),
  relativePath: z.string(),
  folder: z.string(),
  kind: DocumentKind.nullable(),
  status: DocumentStatus,
  reason: DocumentReason.nullable(),
  message: z.string().nullable(),
  size: z.number().int().nonnegative().nullable(),
  chunks: z.number().int().nonnegative(),
  indexedAt: z.string().nullable(),
  /** For a part of a file (a message of a mailbox, an attachment): the relative path of the document it is part of. */
  parent: z.string().nullable().optional(),
  /** A message's headers, as shown with it. */
  mail: MailHeaders.optional(),
});
export type DocumentInfo = z.infer<typeof DocumentInfo>;

/** `quire status --json` */
export const LibraryStatus = z.object({
  library: z.string(),
  file: z.string(),
  folders: z.array(z.string()),
  embedder: z.object({ model: z.string(), dimension: z.number().int().positive(), pooling: z.string(), path: z.string().optional() }).nullable(),
  vectors: z.number().int().nonnegative(),
  counts: z.record(DocumentStatus, z.number().int().nonnegative()),
  chunks: z.number().int().nonnegative(),
  documents: z.array(DocumentInfo),
  /** Retrieval measured on the library's own held-back queries (see `RetrievalFigures`); null until calibrated. */
  retrieval: RetrievalFigures.nullable().optional(),
});
export type LibraryStatus = z.infer<typeof LibraryStatus>;

export const LibrarySummary = z.object({
  name: z.string(),
  file: z.string(),
  folders: z.array(z.string()),
  documents: z.number().int().nonnegative(),
  chunks: z.number().int().nonnegative(),
  sizeBytes: z.number().int().nonnegative(),
  /** Documents by status, counted as `libraries.status` counts them: what every view shows a library's counts from. */
  counts: z.record(DocumentStatus, z.number().int().nonnegative()).optional(),
  /** An indexing run is going on in the engine (started by any window or the watcher). */
  indexing: z.boolean().optional(),
  /** Set when the library's file cannot be opened (not a database, unreadable, from a newer Quire): the others still work. */
  damaged: z.boolean().optional(),
  /** Why a damaged library cannot be opened, for people. */
  reason: z.string().optional(),
});
export type LibrarySummary = z.infer<typeof LibrarySummary>;

/** Progress of an indexing run, as the CLI bar and the UI show it. */
export const IndexProgress = z.object({
  phase: z.enum(['walking', 'indexing', 'embedding', 'done']),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  currentFile: z.string().nullable(),
  chunks: z.number().int().nonnegative(),
  /** Pages and images waiting for text recognition, counted apart from files since they dominate the time. */
  ocr: z.object({ done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }).optional(),
  /** Something to tell the user before the run, e.g. that every passage will be embedded again with a new model. */
  notice: z.string().optional(),
});
export type IndexProgress = z.infer<typeof IndexProgress>;

export const IndexSummary = z.object({
  library: z.string(),
  seen: z.number().int().nonnegative(),
  indexed: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  chunks: z.number().int().nonnegative(),
  byReason: z.record(z.string(), z.number().int().nonnegative()),
  seconds: z.number().nonnegative(),
  cancelled: z.boolean(),
  /** Passages embedded by this run (new or changed files' passages, and those embedded again after a model change); absent without an embedding model. */
  embedded: z.number().int().nonnegative().optional(),
  /** Pages and images that needed OCR: recognised now, found in the OCR cache, or failed. */
  ocr: z.object({ pages: z.number().int().nonnegative(), recognized: z.number().int().nonnegative(), cached: z.number().int().nonnegative(), failed: z.number().int().nonnegative() }).optional(),
});
export type IndexSummary = z.infer<typeof IndexSummary>;

/** Per-library OCR setting: on by default, English unless other installed languages are chosen. */
export const OcrSettings = z.object({ enabled: z.boolean(), languages: z.array(z.string().regex(/^[a-z_]{3,16}$/)).min(1) });
export type OcrSettings = z.infer<typeof OcrSettings>;

/**
 * How a library is read, kept with the library (its meta table) the first time it is given and used
 * by every later run: `quire index` without the flags, the app's re-index and the watcher.
 */
export const IndexingSettings = z.object({
  chunkTokens: z.number().int().positive(),
  overlapTokens: z.number().int().nonnegative(),
  /** Files over this size are skipped as `too-large`. */
  maxFileBytes: z.number().int().positive(),
});
export type IndexingSettings = z.infer<typeof IndexingSettings>;

/** Everything a library keeps about how it is read: `libraries.options`. */
export const LibraryOptions = IndexingSettings.extend({
  ocr: OcrSettings,
  /** The recorded embedding model (its folder, else its name), or null for keyword search only. */
  embedder: z.string().nullable(),
  /** Whether that model can be loaded (its folder is still there); without it runs index and search by words only. */
  embedderAvailable: z.boolean(),
  folders: z.array(z.object({ path: z.string(), include: z.array(z.string()), exclude: z.array(z.string()) })),
});
export type LibraryOptions = z.infer<typeof LibraryOptions>;

/** Library names become file names, so they are kept to a portable alphabet. */
export const LibraryName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'library names use letters, digits, ".", "_" and "-" (max 64), starting with a letter or digit');
