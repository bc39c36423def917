import { useEffect, useId, useRef, useState } from 'react';
import type { SearchMode } from '../../../../electron/shared/search.js';
import { useApp } from '../../state/app.js';
import { SearchResultItem } from './SearchResultItem.js';
import { useEmbedding } from './useEmbedding.js';
import { useSearch } from './useSearch.js';

const MODES: { mode: SearchMode; label: string; hint: string }[] = [
  { mode: 'hybrid', label: 'Hybrid', hint: 'Keywords and meaning together' },
  { mode: 'lexical', label: 'Keywords', hint: 'Exact words (stemmed)' },
  { mode: 'vector', label: 'Meaning', hint: 'Similar meaning, other words' },
];

/** The engine's notices are worded for the command line; these say the same for this window. */
const NOTICES: Record<string, string> = {
  'no-embedder': 'This library has no embedding model, so results match keywords only. Choose one in Library settings to also find passages by meaning.',
  'no-vectors': 'This library has not been embedded yet, so results match keywords only. Update the index in Library settings.',
};

export function SearchView({ library, focusSignal }: { library: string; focusSignal: number }) {
  const { openPassage, libraryVersion } = useApp();
  const [query, setQuery] = useState('');
  const [mode, setMode] = useState<SearchMode>('hybrid');
  const [documents, setDocuments] = useState(false);
  // Passages being embedded: meaning search covers those done, and runs again when the run ends.
  const embedding = useEmbedding(library, mode !== 'lexical');
  const embeddingRuns = embedding !== null;
  const [embeddingEnded, setEmbeddingEnded] = useState(0);
  const [wasEmbedding, setWasEmbedding] = useState(false);
  if (embeddingRuns !== wasEmbedding) {
    setWasEmbedding(embeddingRuns);
    if (!embeddingRuns) setEmbeddingEnded((n) => n + 1);
  }
  // While it runs, the query runs again at every tenth of the passages embedded, so the results cover what is done.
  const embeddedTenths = embedding ? Math.floor((embedding.done / Math.max(1, embedding.total)) * 10) : 0;
  const { response, loading } = useSearch(library, query, mode, documents, `${libraryVersion}:${embeddingEnded}:${embeddedTenths}`);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();

  useEffect(() => {
    if (focusSignal > 0) {
      input.current?.focus();
      input.current?.select();
    }
  }, [focusSignal]);

  return (
    <section className="page search" aria-labelledby={`${id}-heading`} data-testid="search-view">
      <h1 id={`${id}-heading`} className="visually-hidden">
        Search {library}
      </h1>
      <div className="search-bar">
        <label htmlFor={`${id}-q`} className="visually-hidden">
          Search {library}
        </label>
        <input
          id={`${id}-q`}
          ref={input}
          type="search"
          className="search-input"
          data-testid="search-input"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder={`Search ${library}…  (Ctrl/Cmd+K)`}
          autoComplete="off"
        />
      </div>
      <div className="search-options">
        <fieldset className="segmented">
          <legend className="visually-hidden">Search mode</legend>
          {MODES.map((m) => (
            <label key={m.mode} title={m.hint} className={mode === m.mode ? 'checked' : undefined}>
              <input type="radio" name={`${id}-mode`} value={m.mode} checked={mode === m.mode} onChange={() => setMode(m.mode)} data-testid={`search-mode-${m.mode}`} />
              {m.label}
            </label>
          ))}
        </fieldset>
        <label className="checkbox">
          <input type="checkbox" checked={documents} onChange={(e) => setDocuments(e.target.checked)} data-testid="search-documents" />
          One result per document
        </label>
        <span className="muted small" aria-live="polite" data-testid="search-status">
          {loading ? 'Searching…' : response ? `${response.results.length} result${response.results.length === 1 ? '' : 's'}` : ''}
        </span>
      </div>
      {embedding && query.trim() ? (
        <p className="callout small" data-testid="search-embedding" aria-live="polite">
          Embedding {embedding.done.toLocaleString()} of {embedding.total.toLocaleString()} passages; meaning search covers those done. The results
          refresh as it goes.
        </p>
      ) : response?.notice ? (
        <p className="callout small" data-testid="search-notice">
          {NOTICES[response.noticeCode ?? ''] ?? response.notice}
        </p>
      ) : null}
      {response ? (
        response.results.length === 0 ? (
          <p className="muted" data-testid="search-empty">
            {embedding ? `Nothing matches “${query.trim()}” among the passages embedded so far.` : `Nothing matches “${query.trim()}”.`}
          </p>
        ) : (
          <>
            {/* Below the library's calibrated threshold: shown, but not as answers. */}
            {response.results.every((r) => r.weak) ? (
              <p className="callout small" data-testid="search-weak">
                No close match; the nearest passages:
              </p>
            ) : null}
            <ol className="card-stack" data-testid="search-results" aria-busy={loading}>
              {response.results.map((r, i) => (
                <li key={r.chunkId}>
                  {r.weak && i > 0 && !response.results[i - 1]!.weak ? (
                    <p className="muted small" data-testid="search-weak-divider">
                      Weaker matches:
                    </p>
                  ) : null}
                  <SearchResultItem result={r} onOpen={() => openPassage({ library, chunkId: r.chunkId })} />
                </li>
              ))}
            </ol>
          </>
        )
      ) : !query.trim() ? (
        <p className="muted empty-state">Results appear as you type. Click one to read it in its document.</p>
      ) : null}
    </section>
  );
}
