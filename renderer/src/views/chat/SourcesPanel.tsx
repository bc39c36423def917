import { formatLocation } from '../../lib/format.js';
import { isSearchOnly, type Turn } from './useChat.js';

/**
 * The passages an answer drew on. In a search-only answer the passages are the answer, so none is
 * marked cited or not; an answer from a profile that does not look anything up says so rather
 * than that nothing matched.
 */
export function SourcesPanel({ turn, withoutRetrieval, onOpen }: { turn: Turn | null; withoutRetrieval: boolean; onOpen(n: number): void }) {
  const sources = turn?.sources ?? null;
  const passagesAreTheAnswer = turn !== null && isSearchOnly(turn);
  return (
    <aside className="sources" aria-labelledby="sources-heading" data-testid="sources-panel">
      <h2 id="sources-heading" className="section-heading">
        Sources
      </h2>
      {!turn ? (
        <p className="muted small">The passages an answer used are listed here.</p>
      ) : sources === null ? (
        <p className="muted small">
          {turn.streaming ? 'Listed when the answer is done.' : turn.stopped ? 'The answer was stopped before its sources were listed.' : 'No sources were kept for this answer.'}
        </p>
      ) : sources.length === 0 ? (
        <p className="muted small" data-testid="sources-empty">
          {!withoutRetrieval
            ? 'No passage matched.'
            : passagesAreTheAnswer
              ? 'This profile does not look up passages in your documents.'
              : 'Answered without your documents: this profile does not look up passages.'}
        </p>
      ) : (
        <ol className="source-list" data-testid="sources-list">
          {sources.map((s) => (
            <li key={s.n}>
              <button type="button" className={`source-item${s.cited ? ' cited' : ''}`} data-testid="source-item" data-n={s.n} data-cited={s.cited ? 'true' : 'false'} onClick={() => onOpen(s.n)}>
                <span className="cite-chip static" aria-hidden="true">
                  {s.n}
                </span>
                <span className="source-body">
                  <span className="path" title={s.path}>
                    {s.relativePath}
                  </span>
                  <span className="muted small">{formatLocation(s) || 'whole document'}</span>
                  {passagesAreTheAnswer ? null : <span className="source-badge">{s.cited ? 'cited' : 'not cited'}</span>}
                </span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}
