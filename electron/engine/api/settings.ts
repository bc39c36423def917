import type { Handlers } from './types.js';
import type { EngineState } from './state.js';

/** The user's choices that apply in every shell: theme, active model and adapters, default embedder. */
export function settingsHandlers(state: EngineState): Handlers<'settings.get' | 'settings.set'> {
  return {
    'settings.get': () => state.settings.get(),
    'settings.set': async (p) => {
      if (p.activeModel) await state.registry.resolveModel(p.activeModel);
      const saved = state.settings.set(p);
      state.notify({ kind: 'settings-changed', message: 'Settings changed' });
      if (p.activeModel !== undefined) state.notify({ kind: 'models-changed', message: 'The active model changed' });
      return saved;
    },
  };
}
