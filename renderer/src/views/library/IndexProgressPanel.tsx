import type { IndexRun } from '../../state/indexing.js';
import { formatDuration } from '../../lib/format.js';
import type { IndexProgress } from '../../lib/types.js';

const PHASE: Record<IndexProgress['phase'], string> = {
  walking: 'Finding files',
  indexing: 'Reading files',
  embedding: 'Embedding passages',
  done: 'Done',
};

export function IndexProgressPanel({ run }: { run: IndexRun }) {
  const p = run.progress;
  const phase = run.error ? 'failed' : !run.running && run.summary ? 'done' : (p?.phase ?? 'starting');
  const phaseText = run.error ? 'Failed' : run.summary?.cancelled ? 'Stopped' : phase === 'starting' ? 'Starting' : PHASE[phase as IndexProgress['phase']];
  const unit = p?.phase === 'embedding' ? 'passages' : 'files';
  const fraction = p && p.total > 0 && p.phase !== 'walking' ? Math.min(1, p.done / p.total) : null;
  return (
    <div className="progress-panel" data-testid="progress-panel" data-phase={phase} aria-live="polite">
      <div className="progress-line">
        <strong data-testid="progress-phase">{phaseText}</strong>
        {run.running && p ? (
          <span data-testid="progress-count">
            {p.phase === 'walking' ? `${p.total.toLocaleString()} files found` : `${p.done.toLocaleString()} of ${p.total.toLocaleString()} ${unit}`}
          </span>
        ) : null}
      </div>
      {run.running ? (
        <progress className="progress-bar" max={1} value={fraction ?? undefined} aria-label="Indexing progress" />
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
          {run.secondsLeft !== null ? <span data-testid="progress-eta">about {formatDuration(run.secondsLeft)} left</span> : null}
        </p>
      ) : null}
      {run.summary ? (
        <p className="index-summary" data-testid="index-summary">
          {run.summary.cancelled ? 'Stopped after ' : ''}
          {run.summary.indexed} indexed, {run.summary.unchanged} unchanged, {run.summary.skipped} skipped, {run.summary.failed} failed
          {run.summary.removed ? `, ${run.summary.removed} removed` : ''} · {run.summary.chunks.toLocaleString()} passages · {run.summary.seconds.toFixed(1)} s
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
