import { formatMs } from '../../lib/format.js';
import { useApp } from '../../state/app.js';
import type { Turn } from './useChat.js';

export function AnswerMeta({ turn }: { turn: Turn }) {
  const { setView } = useApp();
  const done = turn.done;
  return (
    <>
      {turn.stopped ? (
        <p className="muted small" data-testid="answer-stopped">
          {turn.restarted ? 'Stopped: the engine was restarted. Ask again to get an answer.' : 'Stopped.'}
        </p>
      ) : null}
      {/* In search-only mode the engine's notice is a hint for the command line; this callout words it for the window. */}
      {done?.mode === 'search-only' ? (
        <div className="callout" data-testid="answer-notice" data-mode="search-only">
          {turn.sources && turn.sources.length === 0 ? (
            <p>
              <button type="button" className="link" onClick={() => setView('models')}>
                Add a model
              </button>{' '}
              to have this profile write answers.
            </p>
          ) : (
            <p>
              These are the most relevant passages, not a written answer: no language model is set up yet.{' '}
              <button type="button" className="link" onClick={() => setView('models')}>
                Add a model
              </button>{' '}
              and Quire will write answers from these passages, citing each one.
            </p>
          )}
        </div>
      ) : done?.notice ? (
        <p className="muted small" data-testid="answer-notice">
          {done.notice}
        </p>
      ) : null}
      {done && done.invalidCitations.length > 0 ? (
        <p className="muted small" data-testid="answer-invalid-citations">
          The answer cites {done.invalidCitations.map((n) => `[${n}]`).join(', ')}, which {done.invalidCitations.length === 1 ? 'matches' : 'match'} no passage it was given.
        </p>
      ) : null}
      {done && done.droppedPassages > 0 ? (
        <p className="muted small">{done.droppedPassages} more passages matched but did not fit in the model's context.</p>
      ) : null}
      {done ? (
        <p className="answer-meta" data-testid="answer-meta" data-mode={done.mode}>
          <span title="Profile">{done.profile}</span>
          <span title="Why this profile">{done.route.reason}</span>
          {done.mode === 'generated' ? (
            <>
              <span title="Time to first token">first token {formatMs(done.timings.firstTokenMs)}</span>
              <span>{done.timings.tokensPerSecond.toFixed(1)} tokens/s</span>
            </>
          ) : null}
          <span title="Total time">{formatMs(done.timings.totalMs)}</span>
        </p>
      ) : turn.profile && !turn.streaming ? (
        <p className="answer-meta">
          <span title="Profile">{turn.profile}</span>
        </p>
      ) : null}
    </>
  );
}
