import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LibraryName, type LibrarySummary } from '../shared/library.js';
import { Library } from './library.js';
import { makePrivateDir, restrictDataDir } from './host/private-files.js';
import type { ParsePoolOptions } from './ingest/parse-pool.js';
import type { OcrPoolOptions } from './ocr/ocr-pool.js';
import { defaultWorkerIsolation, type WorkerIsolation } from './host/worker-handle.js';
import { EmbedderLoadError } from './embed/embedder.js';
import { WorkerEmbedder } from './embed/worker-embedder.js';
import { QuireError } from './errors.js';

export interface EngineOptions {
  /** Where libraries (and later models) live. */
  dataDir: string;
  parser?: ParsePoolOptions;
  /** OCR worker pool (size, time and memory budgets). */
  ocr?: OcrPoolOptions;
  /**
   * How parser and OCR workers run, chosen by the host: `thread` under Electron (no `fork` there),
   * `process` elsewhere. Default: `defaultWorkerIsolation()` (`QUIRE_WORKERS`, else `thread` inside
   * Electron, else `process`). A pool's own `isolation` option wins over this.
   */
  workers?: WorkerIsolation;
  /**
   * The engine process before this one died unexpectedly: a library's first indexing run then takes
   * the files it was reading for suspects (see `ReadingFiles`); otherwise they are simply read again.
   */
  afterEngineCrash?: boolean;
}

export class UnknownLibraryError extends QuireError {
  constructor(name: string) {
    super('no-library', `No library named "${name}". Create one with: quire index FOLDER --library ${name}`);
  }
}

/** The one entry point every shell (CLI, Electron engine host, browser mode) uses. */
export interface Engine {
  readonly dataDir: string;
  libraryFile(name: string): string;
  /** Opens a library, creating its file when `create` is set. */
  openLibrary(name: string, options?: { create?: boolean }): Library;
  listLibraries(): LibrarySummary[];
  removeLibrary(name: string): boolean;
  /** An embedding model by folder path, or by id under `<dataDir>/models/embedders/`. */
  loadEmbedder(idOrPath: string): Promise<WorkerEmbedder>;
  /** The model a library was embedded with, if its folder is still there. */
  loadRecordedEmbedder(library: Library): Promise<WorkerEmbedder | null>;
}

export function createEngine(options: EngineOptions): Engine {
  // An install from before Quire kept its data private is fixed on start.
  restrictDataDir(options.dataDir);
  const librariesDir = join(options.dataDir, 'libraries');
  const libraryFile = (name: string): string => join(librariesDir, `${LibraryName.parse(name)}.sqlite`);
  const isolation = options.workers ?? defaultWorkerIsolation();
  const parser: ParsePoolOptions = { isolation, ...options.parser };
  const ocr: OcrPoolOptions = { isolation, ...options.ocr };

  return {
    dataDir: options.dataDir,
    libraryFile,
    openLibrary(name, { create = false } = {}) {
      const file = libraryFile(name);
      if (!existsSync(file)) {
        if (!create) throw new UnknownLibraryError(name);
        makePrivateDir(options.dataDir);
        makePrivateDir(librariesDir);
      }
      return new Library(name, file, parser, ocr, { afterEngineCrash: options.afterEngineCrash ?? false });
    },
    listLibraries() {
      if (!existsSync(librariesDir)) return [];
      return readdirSync(librariesDir)
        .filter((f) => f.endsWith('.sqlite'))
        .map((f): LibrarySummary => {
          const name = f.slice(0, -'.sqlite'.length);
          const file = join(librariesDir, f);
          const sizeBytes = ['', '-wal', '-shm'].reduce((sum, s) => sum + (statSync(file + s, { throwIfNoEntry: false })?.size ?? 0), 0);
          let library: Library | null = null;
          try {
            library = new Library(name, file);
            const counts = library.documents.countsByStatus();
            return {
              name, file, folders: library.folders.list().map((x) => x.path),
              documents: counts.pending + counts.indexed + counts.skipped + counts.failed,
              chunks: library.chunks.count(), sizeBytes, counts,
            };
          } catch (error) {
            // One damaged file must not hide the other libraries: it is listed as damaged, with why.
            return { name, file, folders: [], documents: 0, chunks: 0, sizeBytes, damaged: true, reason: damageReason(error) };
          } finally {
            void library?.close();
          }
        });
    },
    async loadEmbedder(idOrPath) {
      const installed = join(options.dataDir, 'models', 'embedders', idOrPath);
      const path = existsSync(idOrPath) ? idOrPath : existsSync(installed) ? installed : null;
      if (!path) throw new EmbedderLoadError(`No embedding model "${idOrPath}": give a folder in transformers.js layout, or an id installed under ${join(options.dataDir, 'models', 'embedders')}`);
      return WorkerEmbedder.load(path);
    },
    async loadRecordedEmbedder(library) {
      const recorded = library.meta.embedder();
      if (!recorded?.path || !existsSync(recorded.path)) return null;
      return WorkerEmbedder.load(recorded.path);
    },
    removeLibrary(name) {
      const file = libraryFile(name);
      if (!existsSync(file)) return false;
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      return true;
    },
  };
}

export { Library };
export type { WorkerIsolation };

function damageReason(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return typeof e?.code === 'string' && !message.includes(e.code) ? `${message} (${e.code})` : message;
}
