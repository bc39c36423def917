import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Result } from '../../shared/contract.js';
import { catalogEntryBytes, findCatalogEntry, hasChecksums, loadCatalog } from '../models/catalog.js';
import { defaultPullDir, pullFromCatalog } from '../models/download.js';
import type { RegisteredAdapter, RegisteredModel } from '../models/registry.js';
import type { Handlers } from './types.js';
import type { EngineState } from './state.js';

type ModelMethods =
  | 'models.list' | 'models.import' | 'models.remove' | 'models.use' | 'models.catalog' | 'models.pull'
  | 'adapters.list' | 'adapters.import' | 'adapters.remove';

/** Generation models, the catalog of downloadable ones, and LoRA adapters. */
export function modelHandlers(state: EngineState): Handlers<ModelMethods> {
  const { registry, settings } = state;
  const modelInfo = (m: RegisteredModel): Result<'models.list'>[number] => ({
    id: m.id, path: m.path, architecture: m.architecture, name: m.name, sizeBytes: m.sizeBytes, hasChatTemplate: m.hasChatTemplate,
    contextLength: m.contextLength, parameterCount: m.parameterCount, active: m.id === state.models.activeModel()?.id,
    sha256: m.sha256, catalogId: m.catalogId, addedAt: m.addedAt,
  });
  const adapterInfo = (a: RegisteredAdapter): Result<'adapters.list'>[number] => ({
    id: a.id, path: a.path, architecture: a.architecture, name: a.name, sizeBytes: a.sizeBytes, base: a.base ?? null,
    rank: a.rank, alpha: a.alpha, sha256: a.sha256, addedAt: a.addedAt,
  });
  const modelsChanged = (message: string) => state.notify({ kind: 'models-changed', message });
  const adaptersChanged = (message: string) => state.notify({ kind: 'adapters-changed', message });

  return {
    'models.list': () => registry.listModels().map(modelInfo),

    'models.import': async (p) => {
      const { model, added, info } = await registry.importModel(p.path, { id: p.id, hash: p.sha256 });
      modelsChanged(`Model ${model.id} imported`);
      return { ...modelInfo(model), added, info: { ...info } };
    },

    'models.remove': (p) => {
      const { model, deletedFile } = registry.removeModel(p.id);
      if (settings.get().activeModel === p.id) settings.set({ activeModel: null });
      modelsChanged(`Model ${p.id} removed`);
      return { removed: true, path: model.path, deletedFile };
    },

    'models.use': async (p) => {
      // A GGUF path that is not registered yet is imported first, so the choice survives a restart.
      const resolved = await registry.resolveModel(p.id);
      const model = registry.listModels().find((m) => m.id === resolved.id) ?? (await registry.importModel(resolved.path)).model;
      settings.set({ activeModel: model.id });
      modelsChanged(`${model.id} is now the active model`);
      state.notify({ kind: 'settings-changed', message: `${model.id} is now the active model` });
      return modelInfo(model);
    },

    'models.catalog': () => {
      const installed = new Set(registry.listModels().flatMap((m) => (m.catalogId ? [m.catalogId] : [])));
      const entries = loadCatalog().entries;
      // Embedders installed by hand under <data-dir>/models/embedders/<id> are listed too, as installed.
      const embeddersDir = join(state.dataDir, 'models', 'embedders');
      let local: string[] = [];
      try {
        local = readdirSync(embeddersDir, { withFileTypes: true }).filter((d) => d.isDirectory() && !entries.some((e) => e.id === d.name)).map((d) => d.name).sort();
      } catch {
        local = [];
      }
      const folderBytes = (dir: string): number =>
        readdirSync(dir, { withFileTypes: true }).reduce((sum, d) => sum + (d.isDirectory() ? folderBytes(join(dir, d.name)) : d.isFile() ? statSync(join(dir, d.name)).size : 0), 0);
      const localItems = local.map((id) => ({
        id, kind: 'embedder' as const, name: id, licence: 'not recorded (installed by hand)', sizeBytes: folderBytes(join(embeddersDir, id)), installed: true,
        description: `Installed in ${join(embeddersDir, id)}`,
      }));
      const listed: Result<'models.catalog'> = entries.map((e) => ({
        id: e.id, kind: e.kind, name: e.name, licence: e.licence,
        sizeBytes: e.kind === 'llm' ? e.sizeBytes : e.files.reduce((sum, f) => sum + (f.sizeBytes ?? f.approxSizeBytes ?? 0), 0),
        installed: installed.has(e.id) || (e.kind === 'embedder' && existsSync(join(state.dataDir, 'models', 'embedders', e.id))),
        description: e.description, sizeExact: catalogEntryBytes(e).exact, checksums: hasChecksums(e), entry: e,
      }));
      return [...listed, ...localItems];
    },

    'models.pull': async (p, context) => {
      const entry = findCatalogEntry(loadCatalog(), p.id);
      const destDir = defaultPullDir(registry, entry);
      context.emit({ file: '', downloadedBytes: 0, totalBytes: null, destDir });
      const pulled = await pullFromCatalog(entry, destDir, {
        registry,
        signal: context.signal,
        onProgress: (progress) =>
          context.emit({ file: progress.file, fileIndex: progress.fileIndex, files: progress.files, downloadedBytes: progress.downloadedBytes, totalBytes: progress.totalBytes ?? null }),
        onWarning: (warning) => context.emit({ file: '', downloadedBytes: 0, totalBytes: null, warning }),
      });
      modelsChanged(`${entry.name} downloaded`);
      return { id: entry.id, path: pulled.path, kind: entry.kind, verifiedBy: pulled.verifiedBy, model: pulled.model ? modelInfo(pulled.model) : null };
    },

    'adapters.list': () => registry.listAdapters().map(adapterInfo),

    'adapters.import': async (p) => {
      const { adapter, added, info, checkedAgainst } = await registry.importAdapter(p.path, { base: p.base, id: p.id, hash: p.sha256 });
      adaptersChanged(`Adapter ${adapter.id} imported`);
      return { ...adapterInfo(adapter), added, info: { ...info }, checkedAgainst: checkedAgainst && { id: checkedAgainst.id, path: checkedAgainst.path } };
    },

    'adapters.remove': (p) => {
      const { adapter, deletedFile } = registry.removeAdapter(p.id);
      settings.set({ activeAdapters: settings.get().activeAdapters.filter((a) => a.adapter !== p.id) });
      adaptersChanged(`Adapter ${p.id} removed`);
      return { removed: true, path: adapter.path, deletedFile };
    },
  };
}
