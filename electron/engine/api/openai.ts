import { OpenAiApi } from '../openai/api.js';
import { openAiErrorAsQuireError } from '../openai/errors.js';
import type { Handlers } from './types.js';
import type { EngineState } from './state.js';

/** The OpenAI-compatible API (`/v1`), run in the engine; the shell only moves HTTP bodies. */
export function openAiHandlers(state: EngineState): Handlers<'openai.models' | 'openai.model' | 'openai.chat' | 'openai.embeddings' | 'openai.stats'> {
  const api = new OpenAiApi(state);
  /** Errors leave as `openai-error` with OpenAI's status, type, param and code in `details`. */
  const inOpenAiShape = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw openAiErrorAsQuireError(error);
    }
  };
  return {
    'openai.models': () => inOpenAiShape(() => api.models()),
    'openai.model': (p) => inOpenAiShape(() => api.model(p.id)),
    'openai.chat': (p, context) => inOpenAiShape(() => api.chatCompletion(p.body, { signal: context.signal, onChunk: (chunk) => context.emit(chunk) })),
    'openai.embeddings': (p) => inOpenAiShape(() => api.embeddings(p.body)),
    'openai.stats': () => ({ ...api.stats }),
  };
}
