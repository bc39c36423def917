import { useCallback, useEffect, useRef, useState } from 'react';
import type { Result, StreamEvent } from '../../../../electron/shared/contract.js';
import { toErrorPayload } from '../../client/errors.js';
import { modelLabel } from '../../lib/models.js';
import { useApp } from '../../state/app.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';
import { MODE_LABELS, MODES, type Mode } from './words.js';

type QuestionSet = Result<'dataset.list'>[number];
type EvalReport = Result<'eval.run'>;
type EvalEvent = StreamEvent<'eval.run'>;
type Source = 'file' | 'set' | 'generate';

export interface RunState {
  status: 'running' | 'done' | 'stopped' | 'failed';
  /** Questions answered of total, per mode, in the order the modes started. */
  progress: { mode: string; done: number; total: number }[];
  warnings: string[];
  error?: string;
  modes: Mode[];
  questionSet: string;
}

/**
 * Starts an evaluation (`eval.run`): the question set (a file by its path, a stored set, or a set the
 * loaded model generates from the library), the modes and K; reports progress per mode, and cancels.
 */
export function NewRunForm({ library, onRun, onFinished }: { library: string; onRun(state: RunState | null): void; onFinished(report: EvalReport): void }) {
  const client = useClient();
  const { report } = useBanner();
  const { models } = useApp();
  const activeModel = models?.find((m) => m.active) ?? null;
  const [source, setSource] = useState<Source>('file');
  const [path, setPath] = useState('');
  const [sets, setSets] = useState<QuestionSet[] | null>(null);
  const [setId, setSetId] = useState<number | null>(null);
  const [count, setCount] = useState(10);
  const [generating, setGenerating] = useState<{ tried: number; accepted: number; count: number } | null>(null);
  const [generated, setGenerated] = useState<string | null>(null);
  const [modes, setModes] = useState<Mode[]>(['search-only']);
  const [k, setK] = useState(5);
  const [running, setRunning] = useState(false);
  const handle = useRef<{ cancel(): void } | null>(null);
  const cancelled = useRef(false);

  const loadSets = useCallback(async (): Promise<QuestionSet[]> => {
    try {
      const list = await client.call('dataset.list', { library });
      setSets(list);
      setSetId((current) => (current !== null && list.some((s) => s.id === current) ? current : (list[list.length - 1]?.id ?? null)));
      return list;
    } catch (error) {
      report(error, `Reading the question sets of ${library}`);
      setSets([]);
      return [];
    }
  }, [client, library, report]);

  useEffect(() => {
    void loadSets();
  }, [loadSets]);

  const generate = () => {
    if (generating) return;
    setGenerated(null);
    setGenerating({ tried: 0, accepted: 0, count });
    const stream = client.stream('dataset.generate', { library, count });
    handle.current = stream;
    stream.onEvent((e) => setGenerating((g) => (g ? { ...g, tried: e.tried, accepted: e.accepted } : g)));
    stream.result
      .then(
        async (result) => {
          setGenerated(`Generated "${result.name}": ${result.pairs} question${result.pairs === 1 ? '' : 's'} (${result.test} kept for testing) from ${result.tried} passages.`);
          await loadSets();
          setSetId(result.set);
          setSource('set');
        },
        (error: unknown) => {
          if (toErrorPayload(error).code !== 'cancelled') report(error, 'Generating questions');
        },
      )
      .finally(() => {
        handle.current = null;
        setGenerating(null);
      });
  };

  const toggle = (mode: Mode) => setModes((all) => (all.includes(mode) ? all.filter((m) => m !== mode) : MODES.filter((m) => m === mode || all.includes(m))));
  const needsModel = modes.some((m) => m !== 'search-only');
  const ready = modes.length > 0 && (source === 'file' ? path.trim() !== '' : source === 'set' ? setId !== null : false) && !(needsModel && !activeModel) && generating === null;

  const start = () => {
    if (!ready || running) return;
    const questionSet = source === 'file' ? path.trim() : (sets?.find((s) => s.id === setId)?.name ?? `set #${setId}`);
    let state: RunState = { status: 'running', progress: modes.map((mode) => ({ mode, done: 0, total: 0 })), warnings: [], modes, questionSet };
    // Progress can come thousands of times a second (search only): the view is redrawn at most every 100 ms.
    let timer: ReturnType<typeof setTimeout> | null = null;
    const publish = (next: RunState, now = false) => {
      state = next;
      if (now) {
        if (timer !== null) clearTimeout(timer);
        timer = null;
        onRun(state);
      } else if (timer === null) {
        timer = setTimeout(() => {
          timer = null;
          onRun(state);
        }, 100);
      }
    };
    publish(state, true);
    setRunning(true);
    cancelled.current = false;
    const stream = client.stream('eval.run', {
      library,
      ...(source === 'file' ? { questionsPath: path.trim() } : { set: setId! }),
      modes,
      k,
      ...(needsModel ? {} : { model: null }),
    });
    handle.current = stream;
    stream.onEvent((event: EvalEvent) => {
      if (event.type === 'warning') publish({ ...state, warnings: [...state.warnings, event.message] });
      else {
        const known = state.progress.some((p) => p.mode === event.mode);
        const progress = known
          ? state.progress.map((p) => (p.mode === event.mode ? { mode: p.mode, done: event.done, total: event.total } : p))
          : [...state.progress, { mode: event.mode, done: event.done, total: event.total }];
        publish({ ...state, progress });
      }
    });
    stream.result
      .then(
        (result) => {
          // A report means the run finished (and was kept), even when Cancel came too late to stop it.
          publish({ ...state, status: 'done' }, true);
          onFinished(result);
        },
        (error: unknown) => {
          const payload = toErrorPayload(error);
          if (cancelled.current || payload.code === 'cancelled') publish({ ...state, status: 'stopped' }, true);
          else {
            // Said in the progress panel, next to the run it stopped (not twice in the banner too).
            publish({ ...state, status: 'failed', error: payload.message }, true);
          }
        },
      )
      .finally(() => {
        handle.current = null;
        setRunning(false);
      });
  };

  const cancel = () => {
    cancelled.current = true;
    handle.current?.cancel();
  };

  return (
    <form
      className="card form eval-form"
      data-testid="eval-form"
      aria-labelledby="eval-form-heading"
      onSubmit={(e) => {
        e.preventDefault();
        start();
      }}
    >
      <h2 id="eval-form-heading">New evaluation</h2>
      <fieldset className="field" disabled={running}>
        <legend>Questions</legend>
        <div className="eval-sources" role="radiogroup">
          <label className="checkbox">
            <input type="radio" name="eval-source" data-testid="eval-source-file" checked={source === 'file'} onChange={() => setSource('file')} />A file on this computer
          </label>
          <label className="checkbox">
            <input type="radio" name="eval-source" data-testid="eval-source-set" checked={source === 'set'} onChange={() => setSource('set')} />A question set kept in the library
          </label>
          <label className="checkbox">
            <input type="radio" name="eval-source" data-testid="eval-source-generate" checked={source === 'generate'} onChange={() => setSource('generate')} />
            Write new questions from the library
          </label>
        </div>
        {source === 'file' ? (
          <div className="field">
            <input
              type="text"
              data-testid="eval-questions-path"
              aria-label="Path of the question file"
              placeholder="/home/me/questions.jsonl"
              value={path}
              onChange={(e) => setPath(e.target.value)}
            />
            <span className="muted small">
              JSON lines, one question a line: <code>{'{"question": "...", "answer": "...", "sources": ["file.pdf#3"]}'}</code> (answer and sources are optional).
            </span>
          </div>
        ) : null}
        {source === 'set' ? (
          sets && sets.length > 0 ? (
            <select data-testid="eval-set-select" aria-label="Question set" value={setId ?? ''} onChange={(e) => setSetId(Number(e.target.value))}>
              {sets.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} · {s.count} question{s.count === 1 ? '' : 's'}
                  {s.test > 0 && s.test < s.count ? ` · asks the ${s.test} kept for testing` : ''}
                  {s.model ? ` · written by ${s.model}` : ''}
                </option>
              ))}
            </select>
          ) : (
            <p className="muted" data-testid="eval-no-sets">
              No question set is kept in this library yet: write one from the library, or use a file.
            </p>
          )
        ) : null}
        {source === 'generate' ? (
          <div className="field" data-testid="eval-generate-panel">
            {activeModel ? (
              <div className="field-row">
                <label className="field inline">
                  Questions to write
                  <input type="number" min={1} max={500} data-testid="eval-generate-count" value={count} onChange={(e) => setCount(Math.max(1, Number(e.target.value) || 1))} />
                </label>
                {generating ? (
                  <button type="button" className="secondary" data-testid="eval-generate-cancel" onClick={() => handle.current?.cancel()}>
                    Stop writing
                  </button>
                ) : (
                  <button type="button" data-testid="eval-generate" onClick={generate}>
                    Write questions with {modelLabel(activeModel)}
                  </button>
                )}
              </div>
            ) : (
              <p className="muted" data-testid="eval-generate-no-model">
                Writing questions needs a language model: add one under Models.
              </p>
            )}
            {generating ? (
              <p className="muted" data-testid="eval-generate-progress" aria-live="polite">
                {generating.accepted} of {generating.count} questions written ({generating.tried} passages read)
              </p>
            ) : null}
          </div>
        ) : null}
        {generated ? (
          <p className="small" data-testid="eval-generated">
            {generated}
          </p>
        ) : null}
      </fieldset>
      <fieldset className="field" disabled={running}>
        <legend>Ways of answering to compare</legend>
        <div className="eval-modes">
          {MODES.map((mode) => (
            <label key={mode} className="checkbox">
              <input type="checkbox" data-testid="eval-mode" data-mode={mode} checked={modes.includes(mode)} onChange={() => toggle(mode)} />
              {MODE_LABELS[mode]}
            </label>
          ))}
        </div>
        {needsModel && !activeModel ? (
          <span className="field-error" data-testid="eval-needs-model">
            Only “Search only” runs without a language model: add one under Models, or untick the others.
          </span>
        ) : (
          <span className="muted small">
            {needsModel && activeModel ? `Answers are written by ${modelLabel(activeModel)}. ` : ''}Adapter modes use the adapters of your first profile that has some, and are skipped without one.
          </span>
        )}
      </fieldset>
      <div className="field-row">
        <label className="field inline">
          Passages per question (K)
          <input type="number" min={1} max={50} data-testid="eval-k" value={k} disabled={running} onChange={(e) => setK(Math.max(1, Math.round(Number(e.target.value)) || 1))} />
        </label>
        <div className="actions">
          {running ? (
            <button type="button" className="secondary" data-testid="eval-cancel" onClick={cancel}>
              Cancel
            </button>
          ) : (
            <button type="submit" data-testid="eval-start" disabled={!ready}>
              Start evaluation
            </button>
          )}
        </div>
      </div>
    </form>
  );
}
