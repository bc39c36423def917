import { formatLocation } from '../../lib/format.js';
import type { AnswerSource } from '../../lib/types.js';

/**
 * A search-only answer (no language model): the ranked passages themselves, as plain text. The
 * engine's answer text for this mode is a listing of raw snippets, which markdown would mangle
 * (a "# Title" line inside a snippet is not a heading of the answer).
 */
export function PassageAnswer({ sources, onCite }: { sources: AnswerSource[]; onCite(n: number): void }) {
  return (
    <ol className="answer-text card-stack" data-testid="answer-text" data-mode="search-only">
      {sources.map((s) => (
        <li key={s.n} className="passage-card">
          <div className="passage-card-head">
            <button type="button" className="cite-chip" data-cite={s.n} data-testid="citation-chip" aria-label={`Source ${s.n}: open the passage`} onClick={() => onCite(s.n)}>
              {s.n}
            </button>
            <span className="path" title={s.path}>
              {s.relativePath}
            </span>
            <span className="muted small">{formatLocation(s)}</span>
          </div>
          <p className="passage-card-text">{s.text}</p>
        </li>
      ))}
    </ol>
  );
}
