import { useEffect, useRef, useState } from 'react';
import { useApp } from '../state/app.js';
import { useBanner } from '../state/banner.js';
import { useClient } from '../state/client.js';
import { toErrorPayload } from '../client/errors.js';
import { modelLabel } from '../lib/models.js';
import { useModelImport } from '../views/models/useModelImport.js';

const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;

/**
 * Files dropped anywhere on the window: a folder starts a new library, a .gguf is imported as a
 * model (or as an adapter when it is a LoRA). Only Electron can tell where a dropped item is on
 * disk; in a browser the new-library form explains that and asks for the path.
 */
export function useWindowDrop(): boolean {
  const client = useClient();
  const { setView, setDrop, refreshModels } = useApp();
  const importModel = useModelImport();
  const { report, inform } = useBanner();
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);

  useEffect(() => {
    const importGguf = async (path: string) => {
      try {
        await importModel(path);
        setView('models');
      } catch (error) {
        const payload = toErrorPayload(error);
        if (payload.code === 'not-a-model' && /LoRA adapter/i.test(payload.message)) {
          try {
            const adapter = await client.call('adapters.import', { path });
            inform(`Added the adapter ${modelLabel(adapter)}.`);
          } catch (adapterError) {
            report(adapterError, `Importing ${path}`);
          }
        } else {
          report(error, `Importing ${path}`);
        }
      }
      await refreshModels();
    };

    const onEnter = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth.current++;
      setDragging(true);
    };
    const onOver = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    };
    const onLeave = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    };
    const onDrop = (event: DragEvent) => {
      depth.current = 0;
      setDragging(false);
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length === 0) return;
      event.preventDefault();
      const pathForFile = client.pathForFile?.bind(client);
      if (!pathForFile) {
        setDrop({ path: null, browserDrop: true });
        setView('new-library');
        return;
      }
      const paths = files.map((file) => {
        try {
          return pathForFile(file);
        } catch {
          return '';
        }
      }).filter(Boolean);
      const models = paths.filter((p) => /\.gguf$/i.test(p));
      const folders = paths.filter((p) => !/\.gguf$/i.test(p));
      if (models.length) {
        setView('models');
        for (const path of models) void importGguf(path);
      }
      if (folders[0]) {
        setDrop({ path: folders[0], browserDrop: false });
        setView('new-library');
      }
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, [client, setView, setDrop, refreshModels, report, inform, importModel]);

  return dragging;
}
