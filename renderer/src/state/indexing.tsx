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
  /** When the run started: a new run of the same library is a new panel (brought into view). */
  startedAt: number;
  running: boolean;
  retryFailed: boolean;
  progress: IndexProgress | null;
  /** Items per second in the current phase (files while indexing, passages while embedding). */
  rate: number | null;
  /** OCR pages per second, while pages wait for text recognition. */
  ocrRate: number | null;
  /** The longest of what is left: files at their rate, and pages waiting for OCR at theirs; null when unknown. */
  secondsLeft: number | null;
  /** The engine's process died during the run and was restarted: the run stopped (said calmly). */
  restarted: boolean;
  summary: IndexSummary | null;
  error: ErrorPayload | null;
}

interface IndexingApi {
  runs: Readonly<Record<string, IndexRun>>;
  start(library: string, options?: { retryFailed?: boolean }): void;
  cancel(library: string): void;
}

const IndexingContext = createContext<IndexingApi | null>(null);
const COUNTS_EVERY_MS = 2_000;

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
      setRuns((all) => ({
        ...all,
        [library]: { library, startedAt: Date.now(), running: true, retryFailed, progress: null, rate: null, ocrRate: null, secondsLeft: null, restarted: false, summary: null, error: null },
      }));
      const handle = client.stream('libraries.index', { library, ...(retryFailed ? { retryFailed: true } : {}) });
      handles.current.set(library, handle);
      const meter = new RateMeter();
      const ocrMeter = new RateMeter();
      let phase: IndexProgress['phase'] | null = null;
      // The library's counts (sidebar, library page) follow the run every few seconds, not only at its end.
      let countsReadAt = Date.now();
      handle.onEvent((progress) => {
        if (Date.now() - countsReadAt > COUNTS_EVERY_MS) {
          countsReadAt = Date.now();
          void refreshLibraries();
        }
        if (progress.phase !== phase) {
          phase = progress.phase;
          meter.reset();
        }
        meter.add(progress.done);
        if (progress.ocr) ocrMeter.add(progress.ocr.done);
        update(library, { progress, rate: meter.perSecond(), ocrRate: progress.ocr ? ocrMeter.perSecond() : null, secondsLeft: timeLeft(progress, meter, ocrMeter) });
      });
      handle.result
        .then(
          (summary) => update(library, { summary, running: false, secondsLeft: null }),
          (error: unknown) => {
            const payload = toErrorPayload(error);
            // The banner says the engine restarted; the panel says the run stopped, not that it failed.
            if (payload.code === 'engine-restarted') return update(library, { restarted: true, running: false, secondsLeft: null });
            update(library, { error: payload, running: false, secondsLeft: null });
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

/**
 * Time left for the files at their rate and, while scanned pages wait for OCR (which can take far
 * longer than reading the other files), for those pages at OCR's rate: the longer of the two, or
 * null (nothing said) while OCR has no rate yet.
 */
function timeLeft(progress: IndexProgress, files: RateMeter, ocr: RateMeter): number | null {
  // While files are still being found, how many there are is not known yet.
  if (progress.phase === 'walking') return null;
  const filesLeft = progress.done >= progress.total ? 0 : files.secondsLeft(progress.total);
  const pages = progress.ocr;
  if (progress.phase !== 'indexing' || !pages || pages.done >= pages.total) return filesLeft;
  // Files that wait for their pages make no progress of their own meanwhile: OCR's rate says it.
  const pagesLeft = ocr.secondsLeft(pages.total);
  return pagesLeft === null ? null : Math.max(filesLeft ?? 0, pagesLeft);
}

export function useIndexing(): IndexingApi {
  const api = useContext(IndexingContext);
  if (!api) throw new Error('useIndexing outside IndexingProvider');
  return api;
}
