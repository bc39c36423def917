import { useCallback, useEffect, useState } from 'react';
import type { LibraryStatus } from '../../lib/types.js';
import { countsText } from '../../lib/counts.js';
import { useApp } from '../../state/app.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';
import { useIndexing } from '../../state/indexing.js';
import { EmbedderCard } from './EmbedderCard.js';
import { RetrievalCard } from './RetrievalCard.js';
import { FailureList } from './FailureList.js';
import { FolderList } from './FolderList.js';
import { IndexProgressPanel } from './IndexProgressPanel.js';

export function LibraryView({ library }: { library: string }) {
  const client = useClient();
  const { report } = useBanner();
  const { libraryVersion, refreshLibraries, libraries } = useApp();
  const summary = libraries?.find((l) => l.name === library);
  const { runs, start, cancel } = useIndexing();
  const [status, setStatus] = useState<LibraryStatus | null>(null);
  const run = runs[library];

  const load = useCallback(async () => {
    try {
      setStatus(await client.call('libraries.status', { library }));
    } catch (error) {
      report(error, `Reading the status of ${library}`);
    }
  }, [client, library, report]);

  useEffect(() => {
    void load();
  }, [load, libraryVersion]);

  const remove = async () => {
    if (!window.confirm(`Remove the library "${library}"? Its index and conversations are deleted; your files are not touched.`)) return;
    try {
      await client.call('libraries.remove', { library });
      await refreshLibraries();
    } catch (error) {
      report(error, `Removing ${library}`);
    }
  };

  return (
    <section className="page" aria-labelledby="library-heading" data-testid="library-view">
      <h1 id="library-heading">{library}</h1>
      {summary ? (
        <p className="muted library-counts-line" data-testid="library-counts">
          {countsText(summary, true)}
        </p>
      ) : null}

      <div className="card">
        <div className="card-header">
          <h2>Index</h2>
          {run?.running ? (
            <button type="button" className="secondary" data-testid="index-cancel" onClick={() => cancel(library)}>
              Stop indexing
            </button>
          ) : (
            <button type="button" className="primary" data-testid="index-button" disabled={summary?.indexing === true} onClick={() => start(library)}>
              {status && status.chunks > 0 ? 'Update index' : 'Index now'}
            </button>
          )}
        </div>
        {run ? (
          <IndexProgressPanel run={run} />
        ) : summary?.indexing ? (
          <p className="muted" data-testid="indexing-elsewhere">
            Being indexed (started in another window or by a change in its folders); the counts update when it is done.
          </p>
        ) : (
          <p className="muted">Quire reads new and changed files when you index; unchanged files are skipped.</p>
        )}
      </div>

      {status ? (
        <FailureList documents={status.documents} running={run?.running ?? false} onRetry={() => start(library, { retryFailed: true })} />
      ) : null}

      {status ? <FolderList library={library} status={status} onChanged={setStatus} /> : null}

      {status ? <EmbedderCard library={library} status={status} running={run?.running ?? false} onChanged={setStatus} /> : null}
      {status ? <RetrievalCard library={library} status={status} onChanged={() => void load()} /> : null}

      <div className="card danger-zone">
        <h2>Remove</h2>
        <p className="muted">Deletes this library's index and conversations. Your documents stay where they are.</p>
        <button type="button" className="danger" data-testid="library-remove" onClick={remove}>
          Remove library
        </button>
      </div>
    </section>
  );
}
