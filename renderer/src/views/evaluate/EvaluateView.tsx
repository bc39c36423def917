import { useCallback, useEffect, useState } from 'react';
import type { EvalRunSummary } from '../../lib/types.js';
import { useApp } from '../../state/app.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';

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

  return (
    <section className="page evaluate" aria-labelledby="evaluate-heading" data-testid="evaluate-view">
      <div className="evaluate-header">
        <h1 id="evaluate-heading">Evaluate {library}</h1>
        <button type="button" className="secondary" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {runs === null ? <p className="muted">Loading evaluation runs…</p> : null}
      {runs !== null && runs.length === 0 ? (
        <div className="empty-state" data-testid="eval-empty">
          <p>No evaluation runs in this library yet. Evaluations run from the command line and are kept in the library, so they show up here:</p>
          <ul>
            <li>
              With your own questions (JSON lines with <code>question</code>, and optionally <code>answer</code> and <code>sources</code>):{' '}
              <code>quire eval QUESTIONS.jsonl --library {library}</code>
            </li>
            <li>
              Or generate a question set from the library first: <code>quire dataset generate --library {library}</code>, then{' '}
              <code>quire eval --set latest --library {library}</code>
            </li>
          </ul>
          <p>
            Add <code>--no-model</code> to measure search alone.
          </p>
        </div>
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
                  <span className="muted small">{run.modes.join(', ') || 'no mode ran'}</span>
                  <span className="small">Winner: {run.winner ?? '-'}</span>
                </button>
              </li>
            ))}
          </ul>
          <div className="eval-report">
            {html && html.runId === selected ? (
              <iframe className="eval-report-frame" data-testid="eval-report-frame" title={`Evaluation report #${selected}`} sandbox="" srcDoc={html.html} />
            ) : (
              <p className="muted">Loading the report…</p>
            )}
          </div>
        </div>
      ) : null}
    </section>
  );
}
