import { useId, useState, type FormEvent } from 'react';
import type { LibraryStatus } from '../../lib/types.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';
import { useIndexing } from '../../state/indexing.js';

/**
 * The library's embedding model, changeable: the engine drops the old vectors, and indexing
 * starts at once so that every passage is embedded with the new model.
 */
export function EmbedderCard({ library, status, running, onChanged }: { library: string; status: LibraryStatus; running: boolean; onChanged: (status: LibraryStatus) => void }) {
  const client = useClient();
  const { report } = useBanner();
  const { start } = useIndexing();
  const id = useId();
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);

  const change = async (embedder: string | null) => {
    setBusy(true);
    try {
      const next = await client.call('libraries.setEmbedder', { library, embedder });
      onChanged(next);
      setChoice('');
      if (embedder !== null && next.chunks > 0) start(library);
    } catch (error) {
      report(error, embedder === null ? 'Switching to keyword search only' : `Using the embedding model ${embedder}`);
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (choice.trim()) void change(choice.trim());
  };

  return (
    <div className="card">
      <h2>Embedding model</h2>
      {status.embedder ? (
        <p data-testid="library-embedder">
          <code>{status.embedder.model}</code> · {status.embedder.dimension} dimensions · {status.vectors.toLocaleString()} passages embedded
        </p>
      ) : (
        <p data-testid="library-embedder">None: this library is searched by keywords only.</p>
      )}
      <form className="form" onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-embedder`}>{status.embedder ? 'Change to' : 'Use an embedding model'}</label>
          <input
            id={`${id}-embedder`}
            data-testid="library-embedder-input"
            value={choice}
            onChange={(e) => setChoice(e.target.value)}
            placeholder="an installed embedder id, or a folder path"
            spellCheck={false}
            disabled={busy || running}
          />
          <p className="hint">Every passage is embedded again with the new model; keyword search works meanwhile.</p>
        </div>
        <div className="actions">
          <button type="submit" className="secondary" data-testid="library-embedder-set" disabled={busy || running || choice.trim() === ''}>
            Use this model
          </button>
          {status.embedder ? (
            <button type="button" className="secondary" data-testid="library-embedder-clear" disabled={busy || running} onClick={() => void change(null)}>
              Keyword search only
            </button>
          ) : null}
        </div>
      </form>
    </div>
  );
}
