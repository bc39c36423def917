import { useApp } from '../state/app.js';
import { useIndexing } from '../state/indexing.js';
import { countsText } from '../lib/counts.js';

export function LibraryList() {
  const { libraries, selected, select, view, setView } = useApp();
  const { runs } = useIndexing();
  if (libraries === null) return <p className="muted small">Loading…</p>;
  if (libraries.length === 0) return <p className="muted small">No libraries yet.</p>;
  return (
    <ul className="library-list">
      {libraries.map((library) => {
        const run = runs[library.name];
        const p = run?.running ? run.progress : null;
        if (library.damaged) {
          return (
            <li key={library.name}>
              <div className="library-item library-damaged" data-testid="library-item" data-library={library.name} data-damaged="true" title={library.reason}>
                <span className="library-name">{library.name}</span>
                <span className="library-counts">damaged: {library.reason ?? 'cannot be opened'}</span>
              </div>
            </li>
          );
        }
        return (
          <li key={library.name}>
            <button
              type="button"
              className="library-item"
              data-testid="library-item"
              data-library={library.name}
              aria-current={library.name === selected ? 'true' : undefined}
              onClick={() => {
                select(library.name);
                if (view === 'new-library' || view === 'models' || view === 'settings') setView('chat');
              }}
            >
              <span className="library-name">{library.name}</span>
              <span className="library-counts" data-testid="library-item-counts">
                {countsText(library)}
              </span>
              {run?.running || library.indexing ? (
                <span className="library-indexing">
                  Indexing{p && p.total > 0 ? ` ${Math.floor((p.done / p.total) * 100)}%` : '…'}
                </span>
              ) : null}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
