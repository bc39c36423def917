import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { QuireError } from '../errors.js';
import type { Handlers } from './types.js';
import type { EngineState } from './state.js';

type LibraryMethods =
  | 'libraries.list' | 'libraries.create' | 'libraries.remove' | 'libraries.status' | 'libraries.addFolder' | 'libraries.removeFolder'
  | 'libraries.setEmbedder' | 'libraries.index' | 'passages.get' | 'documents.open' | 'documents.file'
  | 'conversations.list' | 'conversations.get' | 'conversations.remove';

/** Libraries, their folders and documents, indexing, passages and conversations. */
export function libraryHandlers(state: EngineState): Handlers<LibraryMethods> {
  const { engine, libraries } = state;
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
      let embedder: Awaited<ReturnType<typeof engine.loadEmbedder>>;
      try {
        embedder = await engine.loadEmbedder(p.embedder);
      } catch (error) {
        throw new QuireError('bad-request', (error as Error).message);
      }
      library.useEmbedder(embedder);
      return library.status();
    },

    'libraries.index': async (p, context) => {
      const library = await libraries.withEmbedder(p.library);
      return libraries.whileIndexing(p.library, async () => {
        const { summary } = await library.index({ retryFailed: p.retryFailed ?? false, signal: context.signal, onProgress: (progress) => context.emit(progress) });
        if (!summary.cancelled) libraries.watch(library);
        return summary;
      });
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
      if (state.openFile) return { opened: await state.openFile(file.path), url: null };
      return { opened: false, url: state.fileUrl(p.library, file.id), file: file.path };
    },

    'documents.file': (p) => {
      const path = libraries.get(p.library).documents.fileOf(p.documentId)?.path;
      if (!path) throw new QuireError('not-found', `No document ${p.documentId} in ${p.library}`);
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
