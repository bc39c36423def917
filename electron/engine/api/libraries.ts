import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { QuireError } from '../errors.js';
import { CalibrationCancelled } from '../search/calibration.js';
import type { Library } from '../library.js';
import type { Handlers, ParamsOf, ResultOf } from './types.js';
import type { EngineState } from './state.js';

type LibraryMethods =
  | 'libraries.list' | 'libraries.create' | 'libraries.remove' | 'libraries.status' | 'libraries.addFolder' | 'libraries.removeFolder'
  | 'libraries.setEmbedder' | 'libraries.index' | 'libraries.options' | 'libraries.setOptions' | 'libraries.watch' | 'libraries.retrieval' | 'libraries.setQueryAdapter' | 'passages.get' | 'documents.open' | 'documents.file'
  | 'conversations.list' | 'conversations.get' | 'conversations.remove';

/** Libraries, their folders and documents, indexing, passages and conversations. */
export function libraryHandlers(state: EngineState): Handlers<LibraryMethods> {
  const { engine, libraries } = state;

  const loadEmbedder = async (idOrPath: string) => {
    try {
      return await engine.loadEmbedder(idOrPath);
    } catch (error) {
      throw new QuireError('bad-request', (error as Error).message);
    }
  };

  /** Keeps the indexing options given with the library, for every later run. */
  const keepOptions = (library: Library, p: ParamsOf<'libraries.setOptions'>): void => {
    if (p.chunkTokens !== undefined || p.overlapTokens !== undefined || p.maxFileSize !== undefined) {
      library.setIndexingSettings({ chunkTokens: p.chunkTokens, overlapTokens: p.overlapTokens, maxFileBytes: p.maxFileSize });
    }
    if (p.followLinksOutside !== undefined) library.meta.setFollowLinksOutside(p.followLinksOutside);
    if (p.ocr !== undefined || p.ocrLanguages !== undefined) {
      try {
        library.setOcrSettings({ ...(p.ocr !== undefined ? { enabled: p.ocr } : {}), ...(p.ocrLanguages ? { languages: p.ocrLanguages } : {}) });
      } catch (error) {
        if (error instanceof QuireError) throw error;
        throw new QuireError('bad-request', (error as Error).message);
      }
    }
  };
  const optionsOf = (library: Library): ResultOf<'libraries.options'> => {
    const recorded = library.meta.embedder();
    return {
      ...library.indexingSettings(),
      ocr: library.ocrSettings(),
      embedder: recorded ? (recorded.path ?? recorded.model) : null,
      embedderAvailable: libraries.embedderAvailable(library),
      folders: library.folders.list().map((f) => ({ path: f.path, include: f.include, exclude: f.exclude })),
    };
  };

  return {
    'libraries.list': () => engine.listLibraries().map((l) => ({ ...l, indexing: libraries.isIndexing(l.name) })),

    'libraries.create': async (p) => {
      if (existsSync(engine.libraryFile(p.library))) throw new QuireError('exists', `A library named "${p.library}" already exists`);
      for (const folder of p.folders) {
        if (!existsSync(resolve(folder))) throw new QuireError('bad-request', `No such folder: ${folder}`);
      }
      const embedderRef = p.embedder === undefined ? state.settings.get().defaultEmbedder : p.embedder;
      const embedder = embedderRef ? await engine.loadEmbedder(embedderRef) : null;
      const library = engine.openLibrary(p.library, { create: true });
      libraries.adopt(library);
      for (const folder of p.folders) library.addFolder(resolve(folder), { include: p.include, exclude: p.exclude });
      if (embedder) library.useEmbedder(embedder);
      const created = engine.listLibraries().find((l) => l.name === p.library);
      if (!created) throw new QuireError('internal', `The library "${p.library}" was created but cannot be listed`);
      return created;
    },

    'libraries.remove': async (p) => {
      await libraries.close(p.library);
      return { removed: engine.removeLibrary(p.library) };
    },

    'libraries.status': (p) => libraries.get(p.library).status(),

    'libraries.addFolder': (p) => {
      const library = libraries.get(p.library);
      library.addFolder(resolve(p.folder), { include: p.include, exclude: p.exclude });
      return library.status();
    },

    'libraries.removeFolder': (p) => {
      const library = libraries.get(p.library);
      if (!library.folders.remove(resolve(p.folder))) throw new QuireError('bad-request', `"${p.folder}" is not a folder of ${p.library}`);
      return library.status();
    },

    'libraries.setEmbedder': async (p) => {
      if (libraries.isIndexing(p.library)) throw new QuireError('busy', `${p.library} is being indexed; change its embedding model when that is done`);
      const library = libraries.get(p.library);
      if (p.embedder === null) {
        library.dropEmbedder();
        return library.status();
      }
      library.useEmbedder(await loadEmbedder(p.embedder));
      return library.status();
    },

    'libraries.index': async (p, context) => {
      const folders = (p.folders ?? []).map((folder) => resolve(folder));
      for (const folder of folders) {
        if (!existsSync(folder)) throw new QuireError('bad-request', `No such folder: ${folder}`);
      }
      // Folders given: the library is created when it is new.
      const library = libraries.get(p.library, { create: folders.length > 0 });
      return libraries.whileIndexing(p.library, async () => {
        const patterns = p.include || p.exclude ? { include: p.include, exclude: p.exclude } : {};
        const added = folders.map((folder) => library.addFolder(folder, patterns));
        const notice = (text: string) => context.emit({ phase: 'walking', done: 0, total: 0, currentFile: null, chunks: 0, notice: text });
        if (p.embed !== false && p.embedder) {
          const embedder = await loadEmbedder(p.embedder);
          if (library.useEmbedder(embedder).reembed) notice(`Embedding model is now ${embedder.model} (${embedder.dimension} dims): every passage will be embedded again.`);
        } else if (p.embed !== false) {
          await libraries.withEmbedder(p.library);
          const recorded = library.meta.embedder();
          if (recorded && !library.activeEmbedder) notice(`The library's embedding model (${recorded.path ?? recorded.model}) is not available; indexing without embeddings.`);
        }
        keepOptions(library, p);
        if (library.folders.list().length === 0) throw new QuireError('bad-request', `Library "${p.library}" has no folders; give one: quire index FOLDER --library ${p.library}`);
        const { summary } = await library.index({
          retryFailed: p.retryFailed ?? false,
          folders: added.length > 0 ? added : undefined,
          signal: context.signal,
          onProgress: (progress) => context.emit(progress),
        });
        if (!summary.cancelled) {
          libraries.watch(library);
          if (p.calibrate === 'wait') await library.calibrateIfDue({ signal: context.signal }).catch(ignoreCancelled);
          else if (p.calibrate !== 'off') libraries.calibrateInBackground(library);
        }
        return summary;
      });
    },

    'libraries.options': (p) => optionsOf(libraries.get(p.library)),

    'libraries.retrieval': (p) => libraries.get(p.library).retrieval(),

    'libraries.setQueryAdapter': (p) => {
      const library = libraries.get(p.library);
      library.setQueryAdapterEnabled(p.enabled);
      state.notify({ kind: 'libraries-changed', library: p.library, message: `${p.library}: query adapter ${p.enabled ? 'on' : 'off'}` });
      return library.retrieval();
    },

    'libraries.setOptions': (p) => {
      const library = libraries.get(p.library);
      keepOptions(library, p);
      return optionsOf(library);
    },

    'libraries.watch': async (p, context) => {
      const library = await libraries.withEmbedder(p.library);
      const watcher = library.watch({
        onSync: (summary) => {
          context.emit({ summary });
          libraries.calibrateInBackground(library);
        },
        onError: (error) => context.emit({ error: error.message }),
      });
      try {
        await new Promise<void>((done) => {
          if (context.signal.aborted) return done();
          context.signal.addEventListener('abort', () => done(), { once: true });
        });
      } finally {
        await watcher.close();
      }
      return { folders: library.folders.list().map((f) => f.path) };
    },

    'passages.get': (p) => {
      const library = libraries.get(p.library);
      const [chunk] = library.chunks.byIds([p.chunkId]);
      if (!chunk) throw new QuireError('not-found', `Passage ${p.chunkId} is no longer in ${p.library}; the file was changed or removed since it was cited`);
      const document = library.documents.byId(chunk.documentId)!;
      const siblings = library.chunks.forDocument(chunk.documentId);
      const neighbour = (offset: number) => siblings.find((c) => c.ordinal === chunk.ordinal + offset)?.text ?? '';
      return {
        chunkId: p.chunkId, library: p.library, path: document.path, relativePath: document.relativePath, kind: document.kind, text: chunk.text,
        page: chunk.page, lines: chunk.lineStart !== null && chunk.lineEnd !== null ? [chunk.lineStart, chunk.lineEnd] : null, headingPath: chunk.headingPath,
        before: neighbour(-1), after: neighbour(1), fileUrl: state.fileUrl(p.library, document.id),
      };
    },

    'documents.open': async (p) => {
      const documents = libraries.get(p.library).documents;
      const document = documents.byPath(p.path);
      if (!document) throw new QuireError('not-found', `${p.path} is not a document of ${p.library}`);
      // A part (an attachment, a message of an mbox) opens as the file that holds it.
      const file = documents.fileOf(document.id)!;
      if (!libraries.get(p.library).mayRead(file.path)) throw new QuireError('not-found', `${p.path} now leads out of the library's folders; it is not opened`);
      if (state.openFile) return { opened: await state.openFile(file.path), url: null };
      return { opened: false, url: state.fileUrl(p.library, file.id), file: file.path };
    },

    'documents.file': (p) => {
      const library = libraries.get(p.library);
      const path = library.documents.fileOf(p.documentId)?.path;
      // A source replaced by a link out of the library's folders after it was indexed is not served through that link.
      if (!path || !library.mayRead(path)) throw new QuireError('not-found', `No document ${p.documentId} in ${p.library}`);
      return { path };
    },

    'conversations.list': (p) => libraries.get(p.library).conversations.list(),

    'conversations.get': (p) => {
      const library = libraries.get(p.library);
      if (!library.conversations.get(p.id)) throw new QuireError('not-found', `No conversation ${p.id}`);
      return library.conversations.messages(p.id).map(({ conversationId: _, ...m }) => m);
    },

    'conversations.remove': (p) => ({ removed: libraries.get(p.library).conversations.remove(p.id) }),
  };
}

/** A calibration stopped by its caller (or the library closing) is not an error. */
function ignoreCancelled(error: unknown): null {
  if (error instanceof CalibrationCancelled) return null;
  throw error;
}
