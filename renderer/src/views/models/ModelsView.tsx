import { useState, type KeyboardEvent } from 'react';
import { AdapterList } from './AdapterList.js';
import { CatalogList } from './CatalogList.js';
import { ModelList } from './ModelList.js';
import { ProfileList } from './ProfileList.js';

const TABS = [
  { id: 'models', label: 'Models' },
  { id: 'catalog', label: 'Download' },
  { id: 'adapters', label: 'Adapters' },
  { id: 'profiles', label: 'Profiles' },
] as const;
type Tab = (typeof TABS)[number]['id'];

export function ModelsView() {
  const [tab, setTab] = useState<Tab>('models');
  // Arrow keys move between tabs, as in any tab list.
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const i = TABS.findIndex((t) => t.id === tab);
    const next = TABS[(i + (event.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!;
    setTab(next.id);
    document.getElementById(`models-tab-${next.id}`)?.focus();
  };
  return (
    <section className="page" aria-labelledby="models-heading" data-testid="models-view">
      <h1 id="models-heading">Models</h1>
      <div className="tabs" role="tablist" aria-label="Models" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`models-tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            aria-controls={`models-panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            data-testid={`models-tab-${t.id}`}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {/* Panels stay mounted so a download in progress survives switching tabs. */}
      <div role="tabpanel" id="models-panel-models" aria-labelledby="models-tab-models" hidden={tab !== 'models'}>
        <ModelList />
      </div>
      <div role="tabpanel" id="models-panel-catalog" aria-labelledby="models-tab-catalog" hidden={tab !== 'catalog'}>
        <CatalogList />
      </div>
      <div role="tabpanel" id="models-panel-adapters" aria-labelledby="models-tab-adapters" hidden={tab !== 'adapters'}>
        <AdapterList />
      </div>
      <div role="tabpanel" id="models-panel-profiles" aria-labelledby="models-tab-profiles" hidden={tab !== 'profiles'}>
        <ProfileList />
      </div>
    </section>
  );
}
