import { useState } from 'react';
import { describeRetrieval } from '../../../../electron/shared/search.js';
import type { LibraryStatus } from '../../lib/types.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';

/**
 * How well search retrieves on this library, measured on questions made from the library itself,
 * and the query adapter Quire trained for it (kept only when it helped), which the user may switch off.
 */
export function RetrievalCard({ library, status, onChanged }: { library: string; status: LibraryStatus; onChanged: () => void }) {
  const client = useClient();
  const { report } = useBanner();
  const [busy, setBusy] = useState(false);
  const figures = status.retrieval ?? null;
  const adapter = figures?.adapter?.kept ? figures.adapter : null;

  const toggle = async (enabled: boolean) => {
    setBusy(true);
    try {
      await client.call('libraries.setQueryAdapter', { library, enabled });
      onChanged();
    } catch (error) {
      report(error, enabled ? 'Switching the tuned search on' : 'Switching the tuned search off');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="card">
      <h2>Search quality</h2>
      {figures ? (
        <>
          <p data-testid="library-retrieval">{describeRetrieval(figures)}</p>
          <p className="hint">
            Share of questions whose passage is in the top {figures.k}, on questions Quire made from this library and kept apart from the
            ones it tuned on. Search combines keywords and meaning with the weights that did best here
            {figures.stale ? '; the library has changed a lot since, so this is measured again after the next indexing' : ''}.
          </p>
          {adapter ? (
            <label className="checkbox">
              <input type="checkbox" data-testid="library-query-adapter" checked={adapter.enabled} disabled={busy} onChange={(e) => void toggle(e.target.checked)} />
              Search tuned to this library (meaning {adapter.vectorWithout.toFixed(2)} → {adapter.vectorWith.toFixed(2)}), trained here on your own documents
            </label>
          ) : null}
        </>
      ) : (
        <p className="muted" data-testid="library-retrieval">
          Not measured yet: Quire measures search on questions made from the library after indexing (libraries of 20 passages or more).
        </p>
      )}
    </div>
  );
}
