import type { Handlers } from './types.js';
import type { EngineState } from './state.js';

/** Passages for a query: lexical, vector or hybrid. */
export function searchHandlers(state: EngineState): Handlers<'search'> {
  return {
    search: async (p) => {
      const library = await state.libraries.withEmbedder(p.library);
      return library.searcher().search(p.query, { k: p.k, mode: p.mode, documents: p.documents });
    },
  };
}
