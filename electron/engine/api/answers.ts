import type { Handlers } from './types.js';
import type { EngineState } from './state.js';

/** Questions answered from a library, and the profiles that shape the answers. */
export function answerHandlers(state: EngineState): Handlers<'ask' | 'profiles.list' | 'profiles.save' | 'profiles.remove'> {
  const { profiles } = state;
  return {
    ask: async (p, context) => {
      const library = await state.libraries.withEmbedder(p.library);
      const model = await state.models.modelFor(p.model);
      const done = await state.models.answer(
        library,
        {
          question: p.question, conversationId: p.conversationId, profile: p.profile, maxTokens: p.maxTokens, temperature: p.temperature,
          remember: p.remember, model, adapters: p.adapters, signal: context.signal,
        },
        (event) => context.emit(event),
      );
      return { conversationId: done.conversationId };
    },

    'profiles.list': () => profiles.list(),

    'profiles.save': (p) => {
      const existing = profiles.list().find((x) => x.name === p.name);
      const saved = profiles.save({ ...(existing ?? {}), ...p });
      state.notify({ kind: 'profiles-changed', message: `Profile ${saved.name} saved` });
      return saved;
    },

    'profiles.remove': (p) => {
      const removed = profiles.remove(p.name);
      if (removed) state.notify({ kind: 'profiles-changed', message: `Profile ${p.name} removed` });
      return { removed };
    },
  };
}
