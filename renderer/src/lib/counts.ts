import { formatCount } from './format.js';
import type { LibrarySummary } from './types.js';

/**
 * A library's counts as every view shows them, from its summary in `libraries.list` (the one
 * source: the sidebar and the library page read the same object, refetched on the same notices).
 * "Documents" are the indexed ones; those waiting, skipped or failed are counted apart.
 */
export function libraryCounts(summary: LibrarySummary): { documents: number; passages: number; pending: number; skipped: number; failed: number } {
  const counts = summary.counts;
  return {
    documents: counts?.indexed ?? summary.documents,
    passages: summary.chunks,
    pending: counts?.pending ?? 0,
    skipped: counts?.skipped ?? 0,
    failed: counts?.failed ?? 0,
  };
}

/** "3 documents · 12 passages", and with `detail` the documents not indexed: " · 1 skipped". */
export function countsText(summary: LibrarySummary, detail = false): string {
  const c = libraryCounts(summary);
  let text = `${formatCount(c.documents, 'document')} · ${formatCount(c.passages, 'passage')}`;
  if (detail) {
    if (c.pending) text += ` · ${c.pending.toLocaleString()} waiting`;
    if (c.skipped) text += ` · ${c.skipped.toLocaleString()} skipped`;
    if (c.failed) text += ` · ${c.failed.toLocaleString()} failed`;
  }
  return text;
}
