import { useCallback } from 'react';
import { modelLabel } from '../../lib/models.js';
import type { ModelInfo } from '../../lib/types.js';
import { useApp } from '../../state/app.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';

/**
 * Imports a model without changing which one answers. With no model chosen explicitly the engine
 * answers with the newest import, so the one that was active is pinned first (`models.use`), and
 * the Models view asks whether the new one should answer instead.
 */
export function useModelImport(): (path: string) => Promise<ModelInfo> {
  const client = useClient();
  const { inform } = useBanner();
  const { models, settings, refreshModels, setModelChoice } = useApp();
  return useCallback(
    async (path: string) => {
      const previous = models?.find((m) => m.active) ?? null;
      if (previous && settings?.activeModel !== previous.id) await client.call('models.use', { id: previous.id });
      const imported = await client.call('models.import', { path });
      if (previous && previous.id !== imported.id) setModelChoice({ imported, previous });
      else inform(`Added the model ${modelLabel(imported)}${imported.active || !previous ? '; answers are written with it' : ''}.`);
      await refreshModels();
      return imported;
    },
    [client, models, settings, refreshModels, setModelChoice, inform],
  );
}
