import type { Handlers } from './types.js';
import type { EngineState } from './state.js';

/** Passages for a query: lexical, vector or hybrid. */
export function searchHandlers(state: EngineState): Handlers<'search'> {
  return {
    search: async (p) => {
      // Words only: the embedding model is not needed, so it is not loaded.
      const library = p.mode === 'lexical' ? state.libraries.get(p.library) : await state.libraries.withEmbedder(p.library);
      const searcher = library.searcher(p.vectorStrategy ? { vector: { strategy: p.vectorStrategy } } : {});
      const response = await searcher.search(p.query, { k: p.k, mode: p.mode, documents: p.documents });
      const recorded = library.meta.embedder();
      if (p.mode !== 'lexical' && recorded && !library.activeEmbedder) {
        const missing = `The library's embedding model (${recorded.path ?? recorded.model}) is not available.`;
        return { ...response, notice: [missing, response.notice].filter(Boolean).join(' ') };
      }
      return response;
    },
  };
}
