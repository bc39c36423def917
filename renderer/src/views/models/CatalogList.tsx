import { useCallback, useEffect, useRef, useState } from 'react';
import type { StreamHandle } from '../../../../electron/shared/contract.js';
import { toErrorPayload } from '../../client/errors.js';
import { formatBytes } from '../../lib/format.js';
import type { CatalogItem, PullProgress } from '../../lib/types.js';
import { useApp } from '../../state/app.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';
import { useVersion } from '../../state/live.js';
import { useAddModel } from './useModelImport.js';

interface Pull {
  progress: PullProgress | null;
  handle: StreamHandle<'models.pull'>;
}

/** Recommended models. Nothing is downloaded until the person clicks Download. */
export function CatalogList() {
  const client = useClient();
  const { report, inform } = useBanner();
  const { refreshModels } = useApp();
  const addModel = useAddModel();
  // "installed" follows the models, however they were added or removed.
  const modelsVersion = useVersion('models');
  const [items, setItems] = useState<CatalogItem[] | null>(null);
  const [pulls, setPulls] = useState<Record<string, Pull>>({});
  const handles = useRef(new Set<StreamHandle<'models.pull'>>());

  const load = useCallback(async () => {
    try {
      setItems(await client.call('models.catalog', {}));
    } catch (error) {
      report(error, 'Reading the model catalog');
    }
  }, [client, report]);

  useEffect(() => {
    void load();
  }, [load, modelsVersion]);
  useEffect(() => {
    const running = handles.current;
    return () => {
      for (const handle of running) handle.cancel();
    };
  }, []);

  const download = (item: CatalogItem) => {
    const handle = client.stream('models.pull', { id: item.id });
    handles.current.add(handle);
    setPulls((all) => ({ ...all, [item.id]: { progress: null, handle } }));
    handle.onEvent((progress) => setPulls((all) => (all[item.id] ? { ...all, [item.id]: { ...all[item.id]!, progress } } : all)));
    // A language model joins the models without taking over from the active one (the Models tab asks).
    const finished = handle.result.then(
      async (pulled) => {
        inform(`Downloaded ${item.name}.`);
        return item.kind === 'llm' ? ((await client.call('models.list', {})).find((m) => m.path === pulled.path) ?? null) : null;
      },
      (error: unknown) => {
        if (toErrorPayload(error).code !== 'cancelled') report(error, `Downloading ${item.name}`);
        return null;
      },
    );
    (item.kind === 'llm' ? addModel(() => finished) : finished)
      .catch((error: unknown) => report(error, `Adding ${item.name}`))
      .finally(() => {
        handles.current.delete(handle);
        setPulls((all) => {
          const { [item.id]: _, ...rest } = all;
          return rest;
        });
        void load();
        void refreshModels();
      });
  };

  if (items === null) return <p className="muted">Loading…</p>;
  return (
    <div className="card">
      <p className="muted small">Downloads start only when you click Download. Each model's licence is shown; read it before use.</p>
      <ul className="item-list" data-testid="catalog-list">
        {items.map((item) => {
          const pull = pulls[item.id];
          const p = pull?.progress;
          const total = p?.totalBytes ?? item.sizeBytes;
          return (
            <li key={item.id} className="item" data-testid="catalog-item" data-catalog={item.id}>
              <div className="item-body">
                <strong>{item.name}</strong> <span className="badge">{item.kind === 'llm' ? 'language model' : 'embedding model'}</span>{' '}
                {item.installed ? <span className="badge badge-active">installed</span> : null}
                <p className="muted small">
                  {item.id} · {formatBytes(item.sizeBytes)} · licence: {item.licence}
                </p>
                {pull ? (
                  <div className="pull-progress" data-testid="catalog-progress" aria-live="polite">
                    <progress max={total || 1} value={p ? p.downloadedBytes : undefined} aria-label={`Downloading ${item.name}`} />
                    <span className="small">
                      {p ? `${formatBytes(p.downloadedBytes)} of ${formatBytes(total)}${total ? ` (${Math.floor((p.downloadedBytes / total) * 100)}%)` : ''}` : 'Starting…'}
                    </span>
                  </div>
                ) : null}
              </div>
              <div className="item-actions">
                {pull ? (
                  <button type="button" className="secondary small" data-testid="catalog-cancel" onClick={() => pull.handle.cancel()}>
                    Cancel
                  </button>
                ) : (
                  <button type="button" className="primary small" data-testid="catalog-download" disabled={item.installed} onClick={() => download(item)}>
                    {item.installed ? 'Installed' : `Download (${formatBytes(item.sizeBytes)})`}
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
