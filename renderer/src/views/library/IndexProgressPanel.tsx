import { useEffect, useRef } from 'react';
import type { IndexRun } from '../../state/indexing.js';
import { formatCount, formatDuration } from '../../lib/format.js';
import type { IndexProgress, IndexSummary } from '../../lib/types.js';

const PHASE: Record<IndexProgress['phase'], string> = {
  walking: 'Finding files',
  indexing: 'Reading files',
  embedding: 'Embedding passages',
  done: 'Done',
};

/** "3 indexed, 1 unchanged, 0 skipped, 0 failed · 12 passages read, 12 embedded · 1.4 s" */
export function summaryLine(summary: IndexSummary): string {
  const files = `${summary.indexed} indexed, ${summary.unchanged} unchanged, ${summary.skipped} skipped, ${summary.failed} failed${summary.removed ? `, ${summary.removed} removed` : ''}`;
  const embedded = summary.embedded ?? 0;
  // A run after a change of embedding model reads no file and embeds every passage: say that, not "0 passages".
  const passages =
    summary.chunks > 0
      ? `${formatCount(summary.chunks, 'passage')} read${embedded > 0 ? `, ${embedded.toLocaleString()} embedded` : ''}`
      : embedded > 0
        ? `${formatCount(embedded, 'passage')} embedded`
        : 'no new passages';
  return `${summary.cancelled ? 'Stopped after ' : ''}${files} · ${passages} · ${summary.seconds.toFixed(1)} s`;
}

function ocrLine(ocr: NonNullable<IndexSummary['ocr']>): string {
  const parts = [`${formatCount(ocr.recognized, 'scanned page')} read by OCR`];
  if (ocr.cached) parts.push(`${ocr.cached.toLocaleString()} from the OCR cache`);
  if (ocr.failed) parts.push(`${ocr.failed.toLocaleString()} could not be read`);
  return parts.join(', ');
}

export function IndexProgressPanel({ run }: { run: IndexRun }) {
  const panel = useRef<HTMLDivElement>(null);
  // A run started by a button further down the page (retry, a new embedding model) is brought into
  // view with the card that holds it, so its Stop button shows too.
  useEffect(() => {
    const card = panel.current?.closest('.card') ?? panel.current;
    card?.scrollIntoView({ block: 'nearest' });
  }, [run.startedAt]);

  const p = run.progress;
  const stopped = run.summary?.cancelled || run.restarted;
  const phase = run.error ? 'failed' : !run.running && (run.summary || run.restarted) ? 'done' : (p?.phase ?? 'starting');
  const phaseText = run.error ? 'Failed' : stopped ? 'Stopped' : phase === 'starting' ? 'Starting' : PHASE[phase as IndexProgress['phase']];
  const unit = p?.phase === 'embedding' ? 'passages' : 'files';
  const ocr = run.running && p?.phase === 'indexing' && p.ocr && p.ocr.total > 0 ? p.ocr : null;
  const fraction = p && p.total > 0 && p.phase !== 'walking' ? Math.min(1, p.done / p.total) : null;
  return (
    <div className="progress-panel" ref={panel} data-testid="progress-panel" data-phase={phase} aria-live="polite">
      <div className="progress-line">
        <strong data-testid="progress-phase">{phaseText}</strong>
        {run.running && p ? (
          <span data-testid="progress-count">
            {p.phase === 'walking' ? `${p.total.toLocaleString()} files found` : `${p.done.toLocaleString()} of ${p.total.toLocaleString()} ${unit}`}
          </span>
        ) : null}
      </div>
      {run.running ? <progress className="progress-bar" max={1} value={fraction ?? undefined} aria-label="Indexing progress" /> : null}
      {ocr ? (
        <div className="progress-ocr" data-testid="progress-ocr">
          <span>
            Scanned pages read by OCR: {ocr.done.toLocaleString()} of {ocr.total.toLocaleString()}
            {run.ocrRate !== null ? <span className="muted small"> · {run.ocrRate >= 10 ? Math.round(run.ocrRate) : run.ocrRate.toFixed(1)} pages/s</span> : null}
          </span>
          <progress className="progress-bar" max={ocr.total} value={ocr.done} aria-label="Scanned pages read" />
        </div>
      ) : null}
      {run.running && p?.currentFile ? (
        <p className="current-file" data-testid="progress-current" title={p.currentFile}>
          {p.currentFile}
        </p>
      ) : null}
      {run.running && (run.rate !== null || run.secondsLeft !== null) ? (
        <p className="muted small">
          {run.rate !== null ? <span data-testid="progress-rate">{run.rate >= 10 ? Math.round(run.rate) : run.rate.toFixed(1)} {unit}/s</span> : null}
          {run.rate !== null && run.secondsLeft !== null ? ' · ' : null}
          {run.secondsLeft !== null ? <span data-testid="progress-eta">{run.secondsLeft < 1 ? 'almost done' : `about ${formatDuration(run.secondsLeft)} left`}</span> : null}
        </p>
      ) : null}
      {run.summary ? (
        <p className="index-summary" data-testid="index-summary">
          {summaryLine(run.summary)}
        </p>
      ) : null}
      {run.summary?.ocr ? (
        <p className="muted small" data-testid="index-summary-ocr">
          {ocrLine(run.summary.ocr)}
        </p>
      ) : null}
      {run.restarted ? (
        <p className="muted small" data-testid="index-restarted">
          The engine was restarted during this run. Index again to finish: what was already read is kept.
        </p>
      ) : null}
      {run.error ? (
        <p className="field-error" data-testid="index-error">
          {run.error.message}
        </p>
      ) : null}
    </div>
  );
}
