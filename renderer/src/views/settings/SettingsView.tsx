import { useEffect, useId, useState, type FormEvent } from 'react';
import type { Theme } from '../../lib/types.js';
import { useApp } from '../../state/app.js';
import { Shortcuts } from './Shortcuts.js';

const THEMES: { value: Theme; label: string }[] = [
  { value: 'system', label: 'Same as the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

export function SettingsView() {
  const { settings, updateSettings } = useApp();
  const [embedder, setEmbedder] = useState('');
  const [saved, setSaved] = useState(false);
  const id = useId();

  useEffect(() => {
    if (settings) setEmbedder(settings.defaultEmbedder ?? '');
  }, [settings]);

  const saveEmbedder = async (event: FormEvent) => {
    event.preventDefault();
    if (await updateSettings({ defaultEmbedder: embedder.trim() || null })) setSaved(true);
  };

  if (!settings) return <p className="muted pad">Loading settings…</p>;
  return (
    <section className="page narrow" aria-labelledby="settings-heading" data-testid="settings-view">
      <h1 id="settings-heading">Settings</h1>
      <div className="card">
        <fieldset className="field">
          <legend>Theme</legend>
          {THEMES.map((t) => (
            <label key={t.value} className="checkbox">
              <input type="radio" name={`${id}-theme`} value={t.value} checked={settings.theme === t.value} onChange={() => void updateSettings({ theme: t.value })} data-testid={`settings-theme-${t.value}`} />
              {t.label}
            </label>
          ))}
        </fieldset>
      </div>
      <div className="card">
        <form className="form" onSubmit={saveEmbedder}>
          <div className="field">
            <label htmlFor={`${id}-embedder`}>Embedding model for new libraries</label>
            <input
              id={`${id}-embedder`}
              data-testid="settings-embedder"
              value={embedder}
              onChange={(e) => {
                setEmbedder(e.target.value);
                setSaved(false);
              }}
              placeholder="an installed embedder id, or a folder path; empty = keyword search only"
              spellCheck={false}
            />
            <p className="hint">Libraries with an embedding model also find passages that say the same thing in other words.</p>
          </div>
          <div className="actions">
            <button type="submit" className="secondary" data-testid="settings-save" disabled={embedder.trim() === (settings.defaultEmbedder ?? '')}>
              Save
            </button>
            {saved ? (
              <span className="muted small" role="status">
                Saved.
              </span>
            ) : null}
          </div>
        </form>
      </div>
      <Shortcuts />
    </section>
  );
}
