import { formatBytes, formatParameters } from '../../lib/format.js';
import { useApp } from '../../state/app.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';
import { PathImportForm } from './PathImportForm.js';

export function ModelList() {
  const client = useClient();
  const { report, inform } = useBanner();
  const { models, refreshModels, updateSettings } = useApp();

  const use = async (id: string) => {
    if (await updateSettings({ activeModel: id })) await refreshModels();
  };
  const remove = async (id: string) => {
    if (!window.confirm(`Forget the model ${id}? Its file is left on disk.`)) return;
    try {
      await client.call('models.remove', { id });
    } catch (error) {
      report(error, `Removing ${id}`);
    }
    await refreshModels();
  };
  const importModel = async (path: string) => {
    try {
      const model = await client.call('models.import', { path });
      inform(`Added the model ${model.name ?? model.id}.`);
      await refreshModels();
      return true;
    } catch (error) {
      report(error, `Importing ${path}`);
      return false;
    }
  };

  return (
    <div className="card">
      {models === null ? (
        <p className="muted">Loading…</p>
      ) : models.length === 0 ? (
        <div className="empty-state" data-testid="models-empty">
          <p>
            <strong>No language model yet.</strong> Without one, Quire answers with the best passages from your documents. Add a
            GGUF model to have answers written (and cited): download one from the <em>Download</em> tab, or import a .gguf file you
            already have{client.pathForFile ? ' (or drop it on this window)' : ''}.
          </p>
        </div>
      ) : (
        <ul className="item-list" data-testid="model-list">
          {models.map((m) => (
            <li key={m.id} className={`item${m.active ? ' item-active' : ''}`} data-testid="model-item" data-model={m.id} data-active={m.active ? 'true' : 'false'}>
              <div className="item-body">
                <strong>{m.name ?? m.id}</strong> {m.active ? <span className="badge badge-active">active</span> : null}
                <p className="muted small">
                  {m.id} · {m.architecture} · {formatParameters(m.parameterCount)} · {formatBytes(m.sizeBytes)}
                  {m.contextLength ? ` · ${m.contextLength.toLocaleString()} tokens of context` : ''}
                </p>
                {!m.hasChatTemplate ? <p className="small field-error">This file has no chat template; answers may be poor.</p> : null}
                <p className="muted small path">{m.path}</p>
              </div>
              <div className="item-actions">
                <button type="button" className="primary small" data-testid="model-use" disabled={m.active} onClick={() => use(m.id)}>
                  {m.active ? 'In use' : 'Use'}
                </button>
                <button type="button" className="secondary small" data-testid="model-remove" onClick={() => remove(m.id)}>
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <PathImportForm label="Import a .gguf model file" placeholder="/home/you/models/model.Q4_K_M.gguf" testId="model-import" onImport={importModel} />
    </div>
  );
}
