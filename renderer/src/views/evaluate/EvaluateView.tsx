import { useCallback, useEffect, useState } from 'react';
import type { EvalRunSummary } from '../../lib/types.js';
import { useApp } from '../../state/app.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';
import { NewRunForm, type RunState } from './NewRunForm.js';
import { metricLabel, modeLabel, share } from './words.js';

function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * The evaluation runs stored in a library (`quire eval`), newest first, and the chosen run's
 * report. The report is the same self-contained HTML `quire eval --report` writes (inline CSS and
 * SVG), shown in a fully sandboxed frame: no scripts, no forms, an opaque origin.
 */
export function EvaluateView({ library }: { library: string }) {
  const client = useClient();
  const { report } = useBanner();
  const { libraryVersion } = useApp();
  const [runs, setRuns] = useState<EvalRunSummary[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [html, setHtml] = useState<{ runId: number; html: string } | null>(null);
  const [run, setRun] = useState<RunState | null>(null);

  const load = useCallback(async () => {
    try {
      const list = await client.call('eval.runs', { library });
      setRuns(list);
      setSelected((current) => (current !== null && list.some((r) => r.id === current) ? current : (list[0]?.id ?? null)));
    } catch (error) {
      report(error, `Reading the evaluation runs of ${library}`);
      setRuns([]);
    }
  }, [client, library, report]);

  useEffect(() => {
    void load();
  }, [load, libraryVersion]);

  useEffect(() => {
    if (selected === null) return;
    let current = true;
    client.call('eval.report', { library, runId: selected }).then(
      (result) => {
        if (current) setHtml({ runId: selected, html: result.html });
      },
      (error: unknown) => {
        if (current) report(error, `Opening evaluation run #${selected}`);
      },
    );
    return () => {
      current = false;
    };
  }, [client, library, selected, report]);

  const selectedRun = runs?.find((r) => r.id === selected) ?? null;
  return (
    <section className="page evaluate" aria-labelledby="evaluate-heading" data-testid="evaluate-view">
      <div className="evaluate-header">
        <h1 id="evaluate-heading">Evaluate {library}</h1>
        <button type="button" className="secondary" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {runs === null ? <p className="muted">Loading evaluation runs…</p> : null}
      <NewRunForm
        library={library}
        onRun={setRun}
        onFinished={(result) => {
          void load().then(() => {
            if (result.runId !== null) setSelected(result.runId);
          });
        }}
      />
      {run ? <RunProgress run={run} /> : null}
      {runs !== null && runs.length === 0 ? (
        <p className="muted" data-testid="eval-empty">
          No evaluation runs in this library yet. Start one above (or from a terminal: <code>quire eval QUESTIONS.jsonl --library {library}</code>); runs are kept in the
          library and listed here.
        </p>
      ) : null}
      {runs !== null && runs.length > 0 ? (
        <div className="evaluate-body">
          <ul className="eval-runs" aria-label="Evaluation runs">
            {runs.map((run) => (
              <li key={run.id}>
                <button
                  type="button"
                  className="eval-run"
                  data-testid="eval-run-item"
                  data-run={run.id}
                  aria-current={run.id === selected ? 'true' : undefined}
                  onClick={() => setSelected(run.id)}
                >
                  <span className="eval-run-title">
                    #{run.id} · {when(run.createdAt)}
                  </span>
                  <span className="muted small">
                    {run.questionCount} question{run.questionCount === 1 ? '' : 's'}
                    {run.model ? ` · ${run.model}` : ' · no model'}
                  </span>
                  <span className="muted small">{run.modes.map(modeLabel).join(', ') || 'no mode ran'}</span>
                  <span className="small">Best: {run.winner ? modeLabel(run.winner) : '–'}</span>
                </button>
              </li>
            ))}
          </ul>
          <div className="eval-result">
            {selectedRun ? <RunResults run={selectedRun} /> : null}
            <div className="eval-report">
            {html && html.runId === selected ? (
              <iframe className="eval-report-frame" data-testid="eval-report-frame" title={`Evaluation report #${selected}`} sandbox="" srcDoc={html.html} />
            ) : (
              <p className="muted">Loading the report…</p>
            )}
            </div>
          </div>
        </div>
      ) : null}
    </section>
  );
}

/** Questions answered of total for each mode of the run in progress (or the one just stopped). */
function RunProgress({ run }: { run: RunState }) {
  const phase = { running: 'Evaluating', done: 'Done', stopped: 'Stopped', failed: 'Failed' }[run.status];
  return (
    <div className="card eval-progress" data-testid="eval-progress" data-status={run.status} aria-live="polite">
      <div className="eval-progress-head">
        <strong data-testid="eval-progress-phase">{phase}</strong>
        <span className="muted small">{run.questionSet}</span>
      </div>
      <ul className="eval-progress-modes">
        {run.progress.map((p) => (
          <li key={p.mode} data-testid="eval-progress-mode" data-mode={p.mode}>
            <span className="eval-progress-label">{modeLabel(p.mode)}</span>
            <progress max={p.total || 1} value={p.total ? p.done : run.status === 'running' ? undefined : 0} aria-label={`${modeLabel(p.mode)} progress`} />
            <span className="small" data-testid="eval-progress-count">
              {p.total ? `${p.done.toLocaleString()} of ${p.total.toLocaleString()} questions` : run.status === 'running' ? 'waiting' : 'not started'}
            </span>
          </li>
        ))}
      </ul>
      {run.status === 'stopped' ? (
        <p className="small" data-testid="eval-stopped">
          Stopped before the end: nothing was kept. Start again to measure the whole set.
        </p>
      ) : null}
      {run.status === 'failed' ? (
        <p className="field-error" data-testid="eval-error">
          {run.error}
        </p>
      ) : null}
      {run.warnings.length ? (
        <ul className="small eval-warnings" data-testid="eval-warnings">
          {run.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The chosen run's scores in words: one row per mode, the winner marked. */
function RunResults({ run }: { run: EvalRunSummary }) {
  const scores = run.scores ?? [];
  const names = [`hit@${run.k}`, `recall@${run.k}`, 'citationPrecision', 'answerF1'];
  return (
    <div className="eval-results" data-testid="eval-results" data-run={run.id}>
      <h2>
        Run #{run.id}: {run.questionCount} question{run.questionCount === 1 ? '' : 's'}
        {run.questionSet ? <span className="muted small"> from {run.questionSet}</span> : null}
      </h2>
      <table className="eval-results-table">
        <thead>
          <tr>
            <th>Mode</th>
            <th>Score</th>
            {names.map((n) => (
              <th key={n}>{metricLabel(n)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {scores.map((s) => (
            <tr key={s.mode} data-testid="eval-result-row" data-mode={s.mode} className={run.winner === s.mode ? 'winner' : undefined}>
              <td>
                {modeLabel(s.mode)}
                {run.winner === s.mode ? <span className="eval-winner"> best</span> : null}
              </td>
              {s.skipped !== null ? (
                <td colSpan={names.length + 1} className="muted">
                  skipped: {s.skipped}
                </td>
              ) : (
                <>
                  <td>{share(s.score)}</td>
                  {names.map((n) => (
                    <td key={n}>{share(s.metrics[n])}</td>
                  ))}
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
