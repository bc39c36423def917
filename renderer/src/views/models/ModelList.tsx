import { formatBytes, formatParameters } from '../../lib/format.js';
import { modelLabel } from '../../lib/models.js';
import { useApp } from '../../state/app.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';
import { PathImportForm } from './PathImportForm.js';
import { useModelImport } from './useModelImport.js';

export function ModelList() {
  const client = useClient();
  const { report } = useBanner();
  const { models, refreshModels, modelChoice, setModelChoice } = useApp();
  const importModel = useModelImport();

  const use = async (id: string) => {
    try {
      await client.call('models.use', { id });
    } catch (error) {
      report(error, `Using ${id}`);
    }
    await refreshModels();
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
  const importPath = async (path: string) => {
    try {
      await importModel(path);
      return true;
    } catch (error) {
      report(error, `Importing ${path}`);
      return false;
    }
  };
  const choose = async (id: string) => {
    setModelChoice(null);
    await use(id);
  };

  return (
    <div className="card">
      {modelChoice ? (
        <div className="callout model-choice" role="alertdialog" aria-labelledby="model-choice-text" data-testid="model-import-choice">
          <p id="model-choice-text">
            Added <strong>{modelLabel(modelChoice.imported)}</strong>. Answers are still written with <strong>{modelLabel(modelChoice.previous)}</strong>; use the new
            model instead?
          </p>
          <div className="actions">
            <button type="button" className="primary small" data-testid="model-import-use" onClick={() => void choose(modelChoice.imported.id)}>
              Use {modelLabel(modelChoice.imported)}
            </button>
            <button type="button" className="secondary small" data-testid="model-import-keep" onClick={() => setModelChoice(null)}>
              Keep {modelLabel(modelChoice.previous)}
            </button>
          </div>
        </div>
      ) : null}
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
                <div className="item-title">
                  <strong data-testid="model-name">{modelLabel(m)}</strong>
                  {m.active ? (
                    <span className="badge badge-active" data-testid="model-active-badge">
                      Active: answers use this model
                    </span>
                  ) : null}
                  {!m.hasChatTemplate ? (
                    <span className="badge badge-warning" data-testid="model-not-for-chat">
                      Not for chat
                    </span>
                  ) : null}
                </div>
                <p className="muted small">
                  {m.id} · {m.architecture} · {formatParameters(m.parameterCount)} · {formatBytes(m.sizeBytes)}
                  {m.contextLength ? ` · ${m.contextLength.toLocaleString()} tokens of context` : ''}
                </p>
                {!m.hasChatTemplate ? (
                  <p className="small">This file has no chat template: it continues text rather than answering questions, so its answers will read poorly.</p>
                ) : null}
                <p className="muted small path">{m.path}</p>
              </div>
              <div className="item-actions">
                <button type="button" className="primary small" data-testid="model-use" disabled={m.active} onClick={() => void use(m.id)}>
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
      <PathImportForm label="Import a .gguf model file" placeholder="/home/you/models/model.Q4_K_M.gguf" testId="model-import" onImport={importPath} />
    </div>
  );
}
