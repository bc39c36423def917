import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../host/private-files.js';
import { assertAdapter, assertModel, checkAdapterFits, inspectGguf, ModelValidationError, type GgufInspection } from './gguf.js';
import { QuireError } from '../errors.js';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const EntryId = z.string().regex(/^[\w][\w.-]*$/);

/** What every registered GGUF file records. */
const RegisteredFile = z.object({
  id: EntryId,
  /** Absolute; the file is used where it is, never copied. */
  path: z.string().refine(isAbsolute, 'path must be absolute'),
  architecture: z.string().min(1),
  name: z.string().nullable(),
  sizeBytes: z.number().int().nonnegative(),
  sha256: Sha256.optional(),
  addedAt: z.string(),
});

const RegisteredModel = RegisteredFile.extend({
  hasChatTemplate: z.boolean(),
  contextLength: z.number().int().positive().nullable(),
  parameterCount: z.number().nonnegative(),
  /** Set when the file came from `quire models pull`. */
  catalogId: z.string().optional(),
});
export type RegisteredModel = z.infer<typeof RegisteredModel>;

const RegisteredAdapter = RegisteredFile.extend({
  rank: z.number().int().positive().nullable(),
  alpha: z.number().nullable(),
  /** The registered model it was checked against (fits), if any. */
  base: z.string().optional(),
});
export type RegisteredAdapter = z.infer<typeof RegisteredAdapter>;

const RegistryFile = z.object({
  version: z.literal(1),
  models: z.array(RegisteredModel),
  adapters: z.array(RegisteredAdapter),
});
type RegistryFile = z.infer<typeof RegistryFile>;

export type ModelRegistryCode = 'registry-corrupt' | 'unknown-model' | 'unknown-adapter' | 'duplicate-id' | 'invalid-id';

export class ModelRegistryError extends QuireError {
  declare readonly code: ModelRegistryCode;
  constructor(code: ModelRegistryCode, message: string) {
    super(code, message);
  }
}

export interface ResolvedModel {
  /** The registry id, or null for a path that is not registered. */
  id: string | null;
  path: string;
  info: GgufInspection;
}

export interface ResolvedAdapter extends ResolvedModel {
  /** The registered model it was checked against, if any. */
  base: string | null;
}

export interface ImportOptions {
  /** Use this id instead of one made from the file name. */
  id?: string;
  /** Hash the file (reads all of it) and record the sha256. */
  hash?: boolean;
  /** A sha256 already verified by the caller (downloads). */
  sha256?: string;
  /** The catalog entry a download came from. */
  catalogId?: string;
}

/**
 * The models and LoRA adapters the user has added, in `<dataDir>/models/registry.json`. Files are referenced where
 * they are; only those under `<dataDir>/models/downloads/` belong to us. Every call re-reads the file, so two
 * processes (CLI and app) see each other's changes.
 */
export class ModelRegistry {
  readonly dir: string;
  readonly file: string;
  /** Where `quire models pull` puts LLM files (removing such a model deletes its file). */
  readonly downloadsDir: string;
  /** Where pulled embedders go: the engine's `loadEmbedder(id)` looks here. */
  readonly embeddersDir: string;

  constructor(dataDir: string) {
    this.dir = join(resolve(dataDir), 'models');
    this.file = join(this.dir, 'registry.json');
    this.downloadsDir = join(this.dir, 'downloads');
    this.embeddersDir = join(this.dir, 'embedders');
  }

  listModels(): RegisteredModel[] {
    return this.read().models;
  }

  listAdapters(): RegisteredAdapter[] {
    return this.read().adapters;
  }

  async importModel(path: string, options: ImportOptions = {}): Promise<{ model: RegisteredModel; added: boolean; info: GgufInspection }> {
    this.read(); // a corrupt registry stops us before any work
    const info = await inspectGguf(path);
    assertModel(info);
    const sha256 = options.sha256 ?? (options.hash ? await sha256File(info.path) : undefined);
    let result!: { model: RegisteredModel; added: boolean };
    this.update((state) => {
      const existing = state.models.find((m) => m.path === info.path);
      const model: RegisteredModel = {
        id: existing?.id ?? this.newId(state.models, info.path, options.id),
        path: info.path,
        architecture: info.architecture,
        name: info.name,
        sizeBytes: info.sizeBytes,
        sha256: sha256 ?? (existing?.sizeBytes === info.sizeBytes ? existing.sha256 : undefined),
        hasChatTemplate: info.hasChatTemplate,
        contextLength: info.contextLength,
        parameterCount: info.parameterCount,
        catalogId: options.catalogId ?? existing?.catalogId,
        addedAt: existing?.addedAt ?? new Date().toISOString(),
      };
      if (existing) state.models[state.models.indexOf(existing)] = model;
      else state.models.push(model);
      result = { model, added: !existing };
    });
    return { ...result, info };
  }

  /** Forgets a model. Its file is deleted only when it is one of our downloads. Adapters checked against it are kept. */
  removeModel(id: string): { model: RegisteredModel; deletedFile: boolean } {
    let removed: RegisteredModel | undefined;
    this.update((state) => {
      removed = state.models.find((m) => m.id === id);
      if (!removed) return;
      state.models = state.models.filter((m) => m !== removed);
      for (const adapter of state.adapters) if (adapter.base === id) delete adapter.base;
    });
    if (!removed) throw new ModelRegistryError('unknown-model', `No model with id "${id}" (see "quire models list")`);
    return { model: removed, deletedFile: this.deleteIfDownloaded(removed.path) };
  }

  /**
   * Adds a LoRA adapter. With `base` (an id or a path), or else when exactly one registered model has the adapter's
   * architecture, the adapter must fit that model (see checkAdapterFits) or it is refused.
   */
  async importAdapter(
    path: string,
    options: ImportOptions & { base?: string } = {},
  ): Promise<{ adapter: RegisteredAdapter; added: boolean; info: GgufInspection; checkedAgainst: ResolvedModel | null }> {
    const { models } = this.read();
    const info = await inspectGguf(path);
    assertAdapter(info);
    let base: ResolvedModel | null = null;
    if (options.base) base = await this.resolveModel(options.base);
    else {
      const candidates = models.filter((m) => m.architecture === info.architecture);
      if (candidates.length === 1) base = await this.resolveModel(candidates[0]!.id);
    }
    if (base) await checkAdapterFits(info.path, base.path);
    const sha256 = options.sha256 ?? (options.hash ? await sha256File(info.path) : undefined);
    let result!: { adapter: RegisteredAdapter; added: boolean };
    this.update((state) => {
      const existing = state.adapters.find((a) => a.path === info.path);
      const adapter: RegisteredAdapter = {
        id: existing?.id ?? this.newId(state.adapters, info.path, options.id),
        path: info.path,
        architecture: info.architecture,
        name: info.name,
        sizeBytes: info.sizeBytes,
        sha256: sha256 ?? (existing?.sizeBytes === info.sizeBytes ? existing.sha256 : undefined),
        rank: info.adapter?.rank ?? null,
        alpha: info.adapter?.alpha ?? null,
        base: base?.id ?? (existing?.sizeBytes === info.sizeBytes ? existing.base : undefined),
        addedAt: existing?.addedAt ?? new Date().toISOString(),
      };
      if (existing) state.adapters[state.adapters.indexOf(existing)] = adapter;
      else state.adapters.push(adapter);
      result = { adapter, added: !existing };
    });
    return { ...result, info, checkedAgainst: base };
  }

  removeAdapter(id: string): { adapter: RegisteredAdapter; deletedFile: boolean } {
    let removed: RegisteredAdapter | undefined;
    this.update((state) => {
      removed = state.adapters.find((a) => a.id === id);
      if (removed) state.adapters = state.adapters.filter((a) => a !== removed);
    });
    if (!removed) throw new ModelRegistryError('unknown-adapter', `No adapter with id "${id}" (see "quire adapters list")`);
    return { adapter: removed, deletedFile: this.deleteIfDownloaded(removed.path) };
  }

  /** A registered id, or a path to a .gguf file; either way the file is validated now (it may have changed). */
  async resolveModel(idOrPath: string): Promise<ResolvedModel> {
    const models = this.listModels();
    const entry = models.find((m) => m.id === idOrPath);
    const path = entry?.path ?? this.pathOrNull(idOrPath);
    if (!path) throw this.unknownModel(idOrPath);
    const info = await this.inspectRegistered(path, entry ? `Model "${entry.id}"` : null, 'models');
    assertModel(info);
    return { id: entry?.id ?? models.find((m) => m.path === info.path)?.id ?? null, path: info.path, info };
  }

  async resolveAdapter(idOrPath: string): Promise<ResolvedAdapter> {
    const adapters = this.listAdapters();
    const entry = adapters.find((a) => a.id === idOrPath);
    const path = entry?.path ?? this.pathOrNull(idOrPath);
    if (!path) throw new ModelRegistryError('unknown-adapter', `No adapter "${idOrPath}": it is not a registered id (see "quire adapters list") and no such file exists`);
    const info = await this.inspectRegistered(path, entry ? `Adapter "${entry.id}"` : null, 'adapters');
    assertAdapter(info);
    const registered = entry ?? adapters.find((a) => a.path === info.path);
    return { id: registered?.id ?? null, path: info.path, info, base: registered?.base ?? null };
  }

  private async inspectRegistered(path: string, label: string | null, list: 'models' | 'adapters'): Promise<GgufInspection> {
    try {
      return await inspectGguf(path);
    } catch (error) {
      if (label && error instanceof ModelValidationError && error.code === 'not-found') {
        const id = label.split('"')[1];
        throw new ModelValidationError('not-found', `${label} is registered at ${path}, but that file is gone. Put it back, or forget it with: quire ${list} remove ${id}`);
      }
      throw error;
    }
  }

  private pathOrNull(idOrPath: string): string | null {
    return existsSync(idOrPath) || /[\\/]/.test(idOrPath) || idOrPath.toLowerCase().endsWith('.gguf') ? resolve(idOrPath) : null;
  }

  private unknownModel(id: string): ModelRegistryError {
    return new ModelRegistryError('unknown-model', `No model "${id}": it is not a registered id (see "quire models list") and no such file exists`);
  }

  private newId(taken: readonly { id: string }[], path: string, explicit: string | undefined): string {
    const ids = new Set(taken.map((t) => t.id));
    if (explicit !== undefined) {
      if (!EntryId.safeParse(explicit).success) throw new ModelRegistryError('invalid-id', `"${explicit}" cannot be an id: use letters, digits, "_", "." and "-"`);
      if (ids.has(explicit)) throw new ModelRegistryError('duplicate-id', `The id "${explicit}" is already taken; pick another`);
      return explicit;
    }
    const base = basename(path).replace(/\.gguf$/i, '').replace(/[^\w.-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'model';
    if (!ids.has(base)) return base;
    for (let n = 2; ; n++) if (!ids.has(`${base}-${n}`)) return `${base}-${n}`;
  }

  private deleteIfDownloaded(path: string): boolean {
    const inside = relative(this.downloadsDir, path);
    if (inside.startsWith('..') || isAbsolute(inside) || !existsSync(path)) return false;
    rmSync(path, { force: true });
    return true;
  }

  private read(): RegistryFile {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, models: [], adapters: [] };
      throw new ModelRegistryError('registry-corrupt', `Cannot read the model registry ${this.file}: ${(error as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw this.corrupt(`it is not valid JSON (${(error as Error).message})`);
    }
    const parsed = RegistryFile.safeParse(json);
    if (!parsed.success) throw this.corrupt(z.prettifyError(parsed.error).replace(/\n/g, ' '));
    return parsed.data;
  }

  private corrupt(reason: string): ModelRegistryError {
    return new ModelRegistryError(
      'registry-corrupt',
      `The model registry ${this.file} is damaged: ${reason}. It was left untouched; fix it, or move it away to start an empty registry (your model files are not affected).`,
    );
  }

  private update(change: (state: RegistryFile) => void): void {
    const state = this.read();
    change(state);
    makePrivateDir(dirname(this.file));
    // A crash mid-write must never leave half a registry: write a sibling, then rename over.
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { flush: true, mode: PRIVATE_FILE_MODE });
      renameSync(temp, this.file);
    } finally {
      rmSync(temp, { force: true });
    }
  }
}

/** Streams the file through sha256 (large models do not fit in memory). */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { signal, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
