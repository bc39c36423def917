import { useEffect, useId, useRef, useState } from 'react';
import { formatBytes } from '../../lib/format.js';
import { modelLabel } from '../../lib/models.js';
import type { Settings } from '../../lib/types.js';
import { useApp } from '../../state/app.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';
import { PathImportForm } from './PathImportForm.js';

type Active = Settings['activeAdapters'];

/** LoRA adapters: which ones apply to the next questions, and how strongly (settings.activeAdapters). */
export function AdapterList() {
  const client = useClient();
  const { report, inform } = useBanner();
  const { settings, updateSettings, models, adapters, refreshAdapters: load } = useApp();
  const [active, setActive] = useState<Active>([]);
  // Scales of adapters that are off, so turning one back on keeps its last scale.
  const [scales, setScales] = useState<Record<string, number>>({});
  const [base, setBase] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const id = useId();

  // Follows the settings (changed here or in another window), except while a change made here is
  // waiting to be saved: a settings reply arriving mid-drag must not pull the slider back.
  useEffect(() => {
    if (settings && !timer.current) setActive(settings.activeAdapters);
  }, [settings]);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  const save = (next: Active, delayMs: number) => {
    setActive(next);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      void updateSettings({ activeAdapters: next });
    }, delayMs);
  };
  const scaleOf = (adapter: string) => active.find((a) => a.adapter === adapter)?.scale ?? scales[adapter] ?? 1;
  const toggle = (adapter: string, on: boolean) =>
    save(on ? [...active.filter((a) => a.adapter !== adapter), { adapter, scale: scaleOf(adapter) }] : active.filter((a) => a.adapter !== adapter), 0);
  const setScale = (adapter: string, scale: number) => {
    setScales((all) => ({ ...all, [adapter]: scale }));
    if (active.some((a) => a.adapter === adapter)) save(active.map((a) => (a.adapter === adapter ? { ...a, scale } : a)), 250);
  };

  const remove = async (adapterId: string) => {
    if (!window.confirm(`Forget the adapter ${adapterId}? Its file is left on disk.`)) return;
    try {
      await client.call('adapters.remove', { id: adapterId });
      setActive((list) => list.filter((a) => a.adapter !== adapterId));
    } catch (error) {
      report(error, `Removing ${adapterId}`);
    }
    await load();
  };
  const importAdapter = async (path: string) => {
    try {
      const adapter = await client.call('adapters.import', { path, ...(base ? { base } : {}) });
      inform(`Added the adapter ${modelLabel(adapter)}.`);
      await load();
      return true;
    } catch (error) {
      report(error, `Importing ${path}`);
      return false;
    }
  };

  return (
    <div className="card">
      <p className="muted small">
        Adapters (LoRA) change how the model writes. Those switched on here apply to every question, on top of the profile's own.
      </p>
      {adapters === null ? (
        <p className="muted">Loading…</p>
      ) : adapters.length === 0 ? (
        <p className="muted" data-testid="adapters-empty">
          No adapters yet. Import a GGUF LoRA file made for one of your models.
        </p>
      ) : (
        <ul className="item-list" data-testid="adapter-list">
          {adapters.map((a) => {
            const on = active.some((x) => x.adapter === a.id);
            const scale = scaleOf(a.id);
            return (
              <li key={a.id} className={`item${on ? ' item-active' : ''}`} data-testid="adapter-item" data-adapter={a.id}>
                <div className="item-body">
                  <label className="checkbox">
                    <input type="checkbox" checked={on} onChange={(e) => toggle(a.id, e.target.checked)} data-testid="adapter-toggle" data-adapter={a.id} />
                    <strong>{modelLabel(a)}</strong>
                  </label>
                  <p className="muted small">
                    {a.id} · {a.architecture} · {formatBytes(a.sizeBytes)}
                    {a.base ? ` · for ${a.base}` : ''}
                  </p>
                  <div className="scale">
                    <label htmlFor={`${id}-${a.id}-scale`}>Scale</label>
                    <input
                      id={`${id}-${a.id}-scale`}
                      type="range"
                      min={0}
                      max={4}
                      step={0.05}
                      value={scale}
                      onChange={(e) => setScale(a.id, Number(e.target.value))}
                      data-testid="adapter-scale"
                      data-adapter={a.id}
                      aria-valuetext={scale.toFixed(2)}
                    />
                    <output htmlFor={`${id}-${a.id}-scale`} data-testid="adapter-scale-value">
                      {scale.toFixed(2)}
                    </output>
                  </div>
                </div>
                <div className="item-actions">
                  <button type="button" className="secondary small" data-testid="adapter-remove" onClick={() => remove(a.id)}>
                    Remove
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <PathImportForm label="Import a LoRA adapter (.gguf)" placeholder="/home/you/adapters/style.gguf" testId="adapter-import" onImport={importAdapter}>
        <div className="field">
          <label htmlFor={`${id}-base`}>For model</label>
          <select id={`${id}-base`} data-testid="adapter-import-base" value={base} onChange={(e) => setBase(e.target.value)}>
            <option value="">(any matching)</option>
            {(models ?? []).map((m) => (
              <option key={m.id} value={m.id}>
                {modelLabel(m)}
              </option>
            ))}
          </select>
        </div>
      </PathImportForm>
    </div>
  );
}
