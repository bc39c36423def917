import { useCallback } from 'react';
import { modelLabel } from '../../lib/models.js';
import type { ModelInfo } from '../../lib/types.js';
import { useApp } from '../../state/app.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';

/**
 * Adds a model without changing which one answers. With no model chosen explicitly the engine
 * answers with the newest one, so the one that was active is pinned first (`models.use`), and the
 * Models view asks whether the new one should answer instead. `adding` imports or downloads the
 * model and gives it back (null: nothing was added, e.g. a cancelled download).
 */
export function useAddModel(): (adding: () => Promise<ModelInfo | null>) => Promise<ModelInfo | null> {
  const client = useClient();
  const { inform } = useBanner();
  const { models, settings, refreshModels, setModelChoice } = useApp();
  return useCallback(
    async (adding: () => Promise<ModelInfo | null>) => {
      const previous = models?.find((m) => m.active) ?? null;
      if (previous && settings?.activeModel !== previous.id) await client.call('models.use', { id: previous.id });
      const added = await adding();
      if (added && previous && previous.id !== added.id) setModelChoice({ imported: added, previous });
      else if (added) inform(`Added the model ${modelLabel(added)}${added.active || !previous ? '; answers are written with it' : ''}.`);
      await refreshModels();
      return added;
    },
    [client, models, settings, refreshModels, setModelChoice, inform],
  );
}

/** Imports a GGUF by path, asking before it takes over from the active model. */
export function useModelImport(): (path: string) => Promise<ModelInfo | null> {
  const client = useClient();
  const addModel = useAddModel();
  return useCallback((path: string) => addModel(() => client.call('models.import', { path })), [client, addModel]);
}
