import { watch, type FSWatcher } from 'chokidar';
import { basename } from 'node:path';
import type { IndexSummary } from '../../shared/library.js';
import type { IndexOptions } from './pipeline.js';

/** What the watcher needs of a library (a Library; declared here so ingest does not import it). */
export interface WatchedLibrary {
  readonly folders: { list(): { path: string }[] };
  index(options: IndexOptions): Promise<{ summary: IndexSummary }>;
}

export interface WatchOptions extends Omit<IndexOptions, 'signal'> {
  /** Quiet time after the last change before the library is brought up to date. */
  debounceMs?: number;
  onSync?: (summary: IndexSummary) => void;
  onError?: (error: Error) => void;
}

const SKIPPED_NAMES = new Set(['node_modules', '__pycache__']);

/**
 * Keeps a library in step with its folders: file events (from chokidar) are debounced, then an
 * incremental run reconciles everything, so a burst of saves costs one pass and a missed event
 * is caught by the next one. Runs never overlap.
 */
export class LibraryWatcher {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly library: WatchedLibrary,
    private readonly options: WatchOptions,
  ) {}

  start(): void {
    const paths = this.library.folders.list().map((f) => f.path);
    this.watcher = watch(paths, {
      ignoreInitial: true,
      ignored: (path) => {
        const name = basename(path);
        return (name.startsWith('.') && !paths.includes(path)) || SKIPPED_NAMES.has(name);
      },
      awaitWriteFinish: { stabilityThreshold: 250, pollInterval: 50 },
    });
    const schedule = (): void => this.schedule();
    this.watcher.on('add', schedule).on('change', schedule).on('unlink', schedule).on('addDir', schedule).on('unlinkDir', schedule);
    this.watcher.on('error', (error) => this.options.onError?.(error as Error));
  }

  /** Resolves once chokidar has finished its initial scan and events will be seen. */
  ready(): Promise<void> {
    return new Promise((resolve) => (this.watcher ? this.watcher.once('ready', () => resolve()) : resolve()));
  }

  /** Runs a sync now (also used for the initial pass). */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          const { summary } = await this.library.index({ ...this.options, signal: this.abort.signal });
          if (!this.abort.signal.aborted) this.options.onSync?.(summary);
        } catch (error) {
          this.options.onError?.(error as Error);
        }
      } while (this.again && !this.abort.signal.aborted);
    })().finally(() => (this.running = null));
    return this.running;
  }

  async close(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    await this.watcher?.close();
    await this.running;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sync();
    }, this.options.debounceMs ?? 400);
  }
}
