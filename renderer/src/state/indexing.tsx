import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ErrorPayload, StreamHandle } from '../../../electron/shared/contract.js';
import { toErrorPayload } from '../client/errors.js';
import { RateMeter } from '../lib/rate.js';
import type { IndexProgress, IndexSummary } from '../lib/types.js';
import { useApp } from './app.js';
import { useBanner } from './banner.js';
import { useClient } from './client.js';

export interface IndexRun {
  library: string;
  running: boolean;
  retryFailed: boolean;
  progress: IndexProgress | null;
  /** Items per second in the current phase (files while indexing, passages while embedding). */
  rate: number | null;
  secondsLeft: number | null;
  summary: IndexSummary | null;
  error: ErrorPayload | null;
}

interface IndexingApi {
  runs: Readonly<Record<string, IndexRun>>;
  start(library: string, options?: { retryFailed?: boolean }): void;
  cancel(library: string): void;
}

const IndexingContext = createContext<IndexingApi | null>(null);

/** Indexing runs outlive the view that started them, so they live here, one per library. */
export function IndexingProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const { report } = useBanner();
  const { refreshLibraries, bumpLibraryVersion } = useApp();
  const [runs, setRuns] = useState<Record<string, IndexRun>>({});
  const handles = useRef(new Map<string, StreamHandle<'libraries.index'>>());

  const update = useCallback((library: string, patch: Partial<IndexRun>) => {
    setRuns((all) => {
      const run = all[library];
      return run ? { ...all, [library]: { ...run, ...patch } } : all;
    });
  }, []);

  const start = useCallback(
    (library: string, options: { retryFailed?: boolean } = {}) => {
      if (handles.current.has(library)) return;
      const retryFailed = options.retryFailed ?? false;
      setRuns((all) => ({ ...all, [library]: { library, running: true, retryFailed, progress: null, rate: null, secondsLeft: null, summary: null, error: null } }));
      const handle = client.stream('libraries.index', { library, ...(retryFailed ? { retryFailed: true } : {}) });
      handles.current.set(library, handle);
      const meter = new RateMeter();
      let phase: IndexProgress['phase'] | null = null;
      handle.onEvent((progress) => {
        if (progress.phase !== phase) {
          phase = progress.phase;
          meter.reset();
        }
        meter.add(progress.done);
        update(library, { progress, rate: meter.perSecond(), secondsLeft: meter.secondsLeft(progress.total) });
      });
      handle.result
        .then(
          (summary) => update(library, { summary, running: false, secondsLeft: null }),
          (error: unknown) => {
            update(library, { error: toErrorPayload(error), running: false, secondsLeft: null });
            report(error, `Indexing ${library}`);
          },
        )
        .finally(() => {
          handles.current.delete(library);
          void refreshLibraries();
          bumpLibraryVersion();
        });
    },
    [client, update, report, refreshLibraries, bumpLibraryVersion],
  );

  const cancel = useCallback((library: string) => handles.current.get(library)?.cancel(), []);

  const api = useMemo(() => ({ runs, start, cancel }), [runs, start, cancel]);
  return <IndexingContext.Provider value={api}>{children}</IndexingContext.Provider>;
}

export function useIndexing(): IndexingApi {
  const api = useContext(IndexingContext);
  if (!api) throw new Error('useIndexing outside IndexingProvider');
  return api;
}
