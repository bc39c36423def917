import { modelLabel } from '../lib/models.js';
import { useApp } from '../state/app.js';
import type { View } from '../lib/types.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { LibraryList } from './LibraryList.js';

const NAV: { view: View; label: string; needsLibrary: boolean }[] = [
  { view: 'chat', label: 'Ask', needsLibrary: true },
  { view: 'search', label: 'Search', needsLibrary: true },
  { view: 'evaluate', label: 'Evaluate', needsLibrary: true },
  { view: 'library', label: 'Library settings', needsLibrary: true },
  { view: 'models', label: 'Models', needsLibrary: false },
  { view: 'settings', label: 'Settings', needsLibrary: false },
];

export function Sidebar() {
  const { view, setView, selected, models } = useApp();
  const active = models?.find((m) => m.active);
  return (
    <aside className="sidebar">
      <div className="brand">Quire</div>
      <nav aria-label="Views" className="nav">
        {NAV.map((item) => (
          <button
            key={item.view}
            type="button"
            className="nav-button"
            data-testid={`nav-${item.view}`}
            aria-current={view === item.view ? 'page' : undefined}
            disabled={item.needsLibrary && !selected}
            onClick={() => setView(item.view)}
          >
            {item.label}
          </button>
        ))}
      </nav>
      <section className="libraries" aria-labelledby="libraries-heading">
        <h2 id="libraries-heading" className="section-heading">
          Libraries
        </h2>
        <LibraryList />
        <button type="button" className="secondary new-library" data-testid="new-library-button" onClick={() => setView('new-library')}>
          + New library
        </button>
      </section>
      <footer className="sidebar-footer">
        <div className="model-status" data-testid="active-model">
          {models === null ? null : active ? (
            <>Model: {modelLabel(active)}</>
          ) : (
            <button type="button" className="link" onClick={() => setView('models')}>
              No model: add one
            </button>
          )}
        </div>
        <ConnectionStatus />
      </footer>
    </aside>
  );
}
