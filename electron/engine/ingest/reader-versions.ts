import type { DocumentKind } from '../../shared/library.js';

/**
 * The version of Quire's reader for each kind of document, raised when a reader finds text it
 * missed before, so that libraries indexed earlier get it without the user rebuilding anything:
 * files of that kind are read again on the next run even when they did not change. Kinds not
 * listed are at version 1.
 */
const READER_VERSIONS: Partial<Record<DocumentKind, number>> = {
  // 2: photos with little-endian EXIF orientation are turned upright before OCR.
  image: 2,
  // 2: scanned attachments (images, image-only PDF pages) are read by OCR.
  email: 2,
};

export function readerVersion(kind: DocumentKind | null): number {
  return (kind && READER_VERSIONS[kind]) || 1;
}

/** Whether the document was read by an older reader than the one its kind has now. */
export function readByOlderReader(row: { kind: DocumentKind | null; readerVersion: number }): boolean {
  return row.readerVersion < readerVersion(row.kind);
}
