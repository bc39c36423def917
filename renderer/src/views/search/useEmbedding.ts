import { useEffect, useState } from 'react';
import { useApp } from '../../state/app.js';
import { useClient } from '../../state/client.js';
import { useIndexing } from '../../state/indexing.js';

export interface EmbeddingState {
  done: number;
  total: number;
}

const POLL_MS = 2_000;

/**
 * Passages embedded so far while a library's embedding runs, or null when none runs. A run this
 * window started reports its own progress; one started elsewhere (another window, the watcher)
 * is followed through the library's status, read every two seconds while the engine says the
 * library is being indexed and its vectors lag behind its passages.
 */
export function useEmbedding(library: string, enabled: boolean): EmbeddingState | null {
  const client = useClient();
  const { libraries } = useApp();
  const { runs } = useIndexing();
  const run = runs[library];
  const local = run?.running && run.progress?.phase === 'embedding' ? { done: run.progress.done, total: run.progress.total } : null;
  const elsewhere = !run?.running && libraries?.find((l) => l.name === library)?.indexing === true;
  const [polled, setPolled] = useState<EmbeddingState | null>(null);

  useEffect(() => {
    if (!enabled || !elsewhere) {
      setPolled(null);
      return;
    }
    let live = true;
    const read = () =>
      client.call('libraries.status', { library }).then(
        (status) => {
          if (live) setPolled(status.embedder && status.vectors < status.chunks ? { done: status.vectors, total: status.chunks } : null);
        },
        () => undefined,
      );
    void read();
    const timer = setInterval(() => void read(), POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, library, enabled, elsewhere]);

  if (!enabled) return null;
  return local ?? polled;
}
