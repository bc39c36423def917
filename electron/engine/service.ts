import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { AnswerEvent } from '../shared/answer.js';
import { contract, type ErrorPayload, type MethodName } from '../shared/contract.js';
import { Answerer, AnswerError, type AskOptions } from './generate/answer.js';
import { LlmError, LlmHost, type GenerateOptions, type Generation } from './generate/llm.js';
import { TurnQueue } from './generate/turns.js';
import { renderReport } from './eval/report.js';
import { EvalStore } from './eval/store.js';
import { createEngine, type Engine, type Library } from './index.js';
import type { LibraryWatcher } from './ingest/watcher.js';
import { findCatalogEntry, loadCatalog } from './models/catalog.js';
import { defaultPullDir, pullFromCatalog } from './models/download.js';
import { checkAdapterFits } from './models/gguf.js';
import { ModelRegistry, type RegisteredModel } from './models/registry.js';
import { ProfileStore } from './route/profiles.js';
import { Router } from './route/router.js';
import { SettingsStore } from './settings.js';

export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export interface ServiceOptions {
  dataDir: string;
  /** Keep indexed libraries in sync with their folders while the service runs. */
  watch?: boolean;
  llm?: { contextSize?: number };
  /** The generation model, overriding settings.activeModel (`quire serve --model`); see resolveServedModel. */
  model?: ServedModel;
  /** Pushed messages: a library changed on disk. */
  onNotice?: (notice: { kind: 'library-changed'; message: string; library: string }) => void;
  /** A URL under which the shell serves a document's file (browser mode), or null. */
  fileUrl?: (library: string, documentId: number) => string | null;
  /** Opens a file in the system viewer; absent in browser mode (the UI opens `fileUrl` instead). */
  openFile?: (path: string) => Promise<boolean>;
}

export interface ServedModel {
  id: string;
  path: string;
}

/** `--model ID|PATH`: a registered id, or a GGUF path (named after its registry entry, else its file). Validated now. */
export async function resolveServedModel(dataDir: string, idOrPath: string): Promise<ServedModel> {
  const resolved = await new ModelRegistry(dataDir).resolveModel(idOrPath);
  return { id: resolved.id ?? basename(resolved.path).replace(/\.gguf$/i, ''), path: resolved.path };
}

export interface CallContext {
  signal: AbortSignal;
  emit: (event: unknown) => void;
}

/** Turns any thrown value into the `{code, message, details}` shape that crosses boundaries. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof ServiceError) return { code: error.code, message: error.message, ...(error.details !== undefined ? { details: error.details } : {}) };
  if (error instanceof AnswerError || error instanceof LlmError) return { code: error.code, message: error.message };
  const e = error as { code?: unknown; name?: string; message?: string };
  if (e?.name === 'UnknownLibraryError') return { code: 'no-library', message: e.message ?? '' };
  if (typeof e?.code === 'string' && /^[a-z-]+$/.test(e.code)) return { code: e.code, message: e.message ?? String(error) };
  return { code: 'internal', message: e?.message ?? String(error) };
}

/**
 * The engine behind every shell: each contract method, with its params validated on the way in
 * and its result validated on the way out. Shells only move messages to and from `handle`.
 */
export class QuireService {
  private readonly engine: Engine;
  private readonly registry: ModelRegistry;
  private readonly profiles: ProfileStore;
  private readonly settings: SettingsStore;
  private readonly libraries = new Map<string, Library>();
  private readonly watchers = new Map<string, LibraryWatcher>();
  private readonly indexing = new Set<string>();
  private llm: LlmHost | null = null;
  private readonly fittingAdapters = new Map<string, Promise<string>>();
  /** Generations (and the model switches before them) run one at a time, in arrival order. */
  private readonly turns = new TurnQueue();
  private readonly embedderLoads = new Map<string, Promise<Library>>();

  constructor(private readonly options: ServiceOptions) {
    this.engine = createEngine({ dataDir: options.dataDir });
    this.registry = new ModelRegistry(options.dataDir);
    this.profiles = new ProfileStore(join(options.dataDir, 'profiles.json'));
    this.settings = new SettingsStore(join(options.dataDir, 'settings.json'));
  }

  async handle(method: string, rawParams: unknown, context: CallContext): Promise<unknown> {
    if (!Object.hasOwn(contract, method)) throw new ServiceError('unknown-method', `Unknown method "${method}"`);
    const spec = contract[method as MethodName];
    const parsed = spec.params.safeParse(rawParams ?? {});
    if (!parsed.success) {
      throw new ServiceError('bad-request', `Invalid parameters for ${method}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ')}`, parsed.error.issues);
    }
    const result = await this.dispatch(method as MethodName, parsed.data, context);
    const checked = spec.result.safeParse(result);
    if (!checked.success) throw new ServiceError('internal', `The engine produced an invalid ${method} result: ${checked.error.issues[0]?.message}`);
    return checked.data;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- params were validated against the method's schema just above
  private async dispatch(method: MethodName, p: any, context: CallContext): Promise<unknown> {
    switch (method) {
      case 'libraries.list':
        return this.engine.listLibraries();
      case 'libraries.create':
        return this.createLibrary(p);
      case 'libraries.remove':
        return this.removeLibrary(p.library);
      case 'libraries.status':
        return this.library(p.library).status();
      case 'libraries.addFolder': {
        const library = this.library(p.library);
        library.addFolder(resolve(p.folder), { include: p.include, exclude: p.exclude });
        return library.status();
      }
      case 'libraries.removeFolder': {
        const library = this.library(p.library);
        if (!library.folders.remove(resolve(p.folder))) throw new ServiceError('bad-request', `"${p.folder}" is not a folder of ${p.library}`);
        return library.status();
      }
      case 'libraries.setEmbedder':
        return this.setEmbedder(p.library, p.embedder);
      case 'libraries.index':
        return this.index(p.library, p.retryFailed ?? false, context);
      case 'search': {
        const library = await this.libraryWithEmbedder(p.library);
        return library.searcher().search(p.query, { k: p.k, mode: p.mode, documents: p.documents });
      }
      case 'ask':
        return this.ask(p, context);
      case 'passages.get':
        return this.passage(p.library, p.chunkId);
      case 'documents.open':
        return this.openDocument(p.library, p.path);
      case 'conversations.list':
        return this.library(p.library).conversations.list();
      case 'conversations.get': {
        const library = this.library(p.library);
        if (!library.conversations.get(p.id)) throw new ServiceError('not-found', `No conversation ${p.id}`);
        return library.conversations.messages(p.id).map(({ conversationId: _, ...m }) => m);
      }
      case 'conversations.remove':
        return { removed: this.library(p.library).conversations.remove(p.id) };
      case 'models.list':
        return this.listModels();
      case 'models.import': {
        const { model } = await this.registry.importModel(p.path);
        return this.modelInfo(model);
      }
      case 'models.remove': {
        this.registry.removeModel(p.id);
        if (this.settings.get().activeModel === p.id) this.settings.set({ activeModel: null });
        return { removed: true };
      }
      case 'models.catalog': {
        const installed = new Set(this.registry.listModels().flatMap((m) => (m.catalogId ? [m.catalogId] : [])));
        return loadCatalog().entries.map((e) => ({
          id: e.id, kind: e.kind, name: e.name, licence: e.licence,
          sizeBytes: e.kind === 'llm' ? e.sizeBytes : e.files.reduce((sum, f) => sum + (f.sizeBytes ?? f.approxSizeBytes ?? 0), 0),
          installed: installed.has(e.id) || (e.kind === 'embedder' && existsSync(join(this.options.dataDir, 'models', 'embedders', e.id))),
        }));
      }
      case 'models.pull': {
        const entry = findCatalogEntry(loadCatalog(), p.id);
        const pulled = await pullFromCatalog(entry, defaultPullDir(this.registry, entry), {
          registry: this.registry,
          signal: context.signal,
          onProgress: (progress) => context.emit({ file: progress.file, downloadedBytes: progress.downloadedBytes, totalBytes: progress.totalBytes ?? null }),
        });
        return { id: entry.id, path: pulled.path };
      }
      case 'adapters.list':
        return this.registry.listAdapters().map((a) => this.adapterInfo(a));
      case 'adapters.import': {
        const { adapter } = await this.registry.importAdapter(p.path, { base: p.base });
        return this.adapterInfo(adapter);
      }
      case 'adapters.remove':
        this.registry.removeAdapter(p.id);
        this.settings.set({ activeAdapters: this.settings.get().activeAdapters.filter((a) => a.adapter !== p.id) });
        return { removed: true };
      case 'profiles.list':
        return this.profiles.list();
      case 'profiles.save': {
        const existing = this.profiles.list().find((x) => x.name === p.name);
        return this.profiles.save({ ...(existing ?? {}), ...p });
      }
      case 'profiles.remove':
        return { removed: this.profiles.remove(p.name) };
      case 'settings.get':
        return this.settings.get();
      case 'settings.set': {
        if (p.activeModel) await this.registry.resolveModel(p.activeModel);
        return this.settings.set(p);
      }
      case 'eval.runs':
        return new EvalStore(this.library(p.library).db)
          .runs()
          .reverse()
          .map((r) => ({ id: r.id, createdAt: r.createdAt, questionSet: r.questionSet, model: r.model, k: r.k, questionCount: r.questionCount, modes: r.modes.filter((m) => m.skipped === null).map((m) => m.mode), winner: r.winner }));
      case 'eval.report': {
        const report = new EvalStore(this.library(p.library).db).run(p.runId);
        if (!report) throw new ServiceError('not-found', `No evaluation run ${p.runId} in library "${p.library}"`);
        return { html: renderReport(report) };
      }
    }
  }

  private library(name: string): Library {
    let library = this.libraries.get(name);
    if (!library) {
      library = this.engine.openLibrary(name);
      this.libraries.set(name, library);
    }
    return library;
  }

  /** A library with its recorded embedder loaded (once, however many callers ask at the same time). */
  async libraryWithEmbedder(name: string): Promise<Library> {
    const library = this.library(name);
    if (library.activeEmbedder || !library.meta.embedder()) return library;
    let loading = this.embedderLoads.get(name);
    if (!loading) {
      loading = (async () => {
        const embedder = await this.engine.loadRecordedEmbedder(library);
        if (embedder && !library.activeEmbedder) library.useEmbedder(embedder);
        return library;
      })().finally(() => this.embedderLoads.delete(name));
      this.embedderLoads.set(name, loading);
    }
    return loading;
  }

  private async createLibrary(p: { library: string; folders: string[]; embedder?: string | null; include?: string[]; exclude?: string[] }) {
    if (existsSync(this.engine.libraryFile(p.library))) throw new ServiceError('exists', `A library named "${p.library}" already exists`);
    for (const folder of p.folders) {
      if (!existsSync(resolve(folder))) throw new ServiceError('bad-request', `No such folder: ${folder}`);
    }
    const embedderRef = p.embedder === undefined ? this.settings.get().defaultEmbedder : p.embedder;
    const embedder = embedderRef ? await this.engine.loadEmbedder(embedderRef) : null;
    const library = this.engine.openLibrary(p.library, { create: true });
    this.libraries.set(p.library, library);
    for (const folder of p.folders) library.addFolder(resolve(folder), { include: p.include, exclude: p.exclude });
    if (embedder) library.useEmbedder(embedder);
    return this.engine.listLibraries().find((l) => l.name === p.library);
  }

  private async removeLibrary(name: string) {
    await this.watchers.get(name)?.close();
    this.watchers.delete(name);
    await this.libraries.get(name)?.close();
    this.libraries.delete(name);
    return { removed: this.engine.removeLibrary(name) };
  }

  private async setEmbedder(name: string, embedderRef: string | null) {
    if (this.indexing.has(name)) throw new ServiceError('busy', `${name} is being indexed; change its embedding model when that is done`);
    const library = this.library(name);
    if (embedderRef === null) {
      library.dropEmbedder();
      return library.status();
    }
    let embedder: Awaited<ReturnType<Engine['loadEmbedder']>>;
    try {
      embedder = await this.engine.loadEmbedder(embedderRef);
    } catch (error) {
      throw new ServiceError('bad-request', (error as Error).message);
    }
    library.useEmbedder(embedder);
    return library.status();
  }

  private async index(name: string, retryFailed: boolean, context: CallContext) {
    if (this.indexing.has(name)) throw new ServiceError('busy', `${name} is already being indexed`);
    const library = await this.libraryWithEmbedder(name);
    this.indexing.add(name);
    try {
      const { summary } = await library.index({ retryFailed, signal: context.signal, onProgress: (progress) => context.emit(progress) });
      if (this.options.watch && !summary.cancelled && !this.watchers.has(name)) {
        this.watchers.set(name, library.watch({ onSync: (s) => this.options.onNotice?.({ kind: 'library-changed', library: name, message: `${name}: ${s.indexed} updated, ${s.removed} removed` }) }));
      }
      return summary;
    } finally {
      this.indexing.delete(name);
    }
  }

  /** The generation model: the serve override, else settings.activeModel, else the newest import. */
  activeModel(): ServedModel | null {
    if (this.options.model) return this.options.model;
    const models = this.registry.listModels();
    const chosen = this.settings.get().activeModel;
    return (chosen ? models.find((m) => m.id === chosen) : models.at(-1)) ?? null;
  }

  private async ask(p: { library: string; question: string; conversationId?: number; profile?: string }, context: CallContext) {
    const done = await this.answer(
      p.library,
      { question: p.question, conversationId: p.conversationId, profile: p.profile, signal: context.signal },
      (event: AnswerEvent) => context.emit(event),
    );
    return { conversationId: done.conversationId };
  }

  /**
   * An adapter's path, checked against the model once per (adapter, model, file versions): reading
   * both GGUF headers costs ~150 ms, which would otherwise be paid before every answer.
   */
  private async resolveFittingAdapter(idOrPath: string, modelPath: string | null): Promise<string> {
    const registered = this.registry.listAdapters().find((a) => a.id === idOrPath);
    const path = registered?.path ?? resolve(idOrPath);
    const version = (file: string) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    const key = `${path}|${modelPath}|${version(path)}|${modelPath ? version(modelPath) : 0}`;
    let checked = this.fittingAdapters.get(key);
    if (!checked) {
      checked = (async () => {
        const adapter = await this.registry.resolveAdapter(idOrPath);
        if (modelPath) await checkAdapterFits(adapter.path, modelPath);
        return adapter.path;
      })();
      this.fittingAdapters.set(key, checked);
      checked.catch(() => this.fittingAdapters.delete(key));
    }
    return checked;
  }

  /** The grounded pipeline (routing, retrieval, adapters) with the active model and adapters, in turn with other generations. */
  async answer(libraryName: string, options: Omit<AskOptions, 'extraAdapters'>, emit: (event: AnswerEvent) => void) {
    const library = await this.libraryWithEmbedder(libraryName);
    const model = this.activeModel();
    return this.withModel(model, options.signal, (llm) => {
      const answerer = new Answerer({
        library, llm,
        router: new Router(this.profiles.list(), library.activeEmbedder),
        resolveAdapter: (idOrPath) => this.resolveFittingAdapter(idOrPath, model?.path ?? null),
      });
      const extraAdapters = this.settings.get().activeAdapters.map((a) => ({ path: a.adapter, scale: a.scale }));
      return answerer.ask({ ...options, extraAdapters }, emit);
    });
  }

  /** Plain chat with the active model or a registered one, without retrieval or adapters, in turn with other generations. */
  async chat(modelId: string, options: GenerateOptions): Promise<Generation> {
    const active = this.activeModel();
    const model = active?.id === modelId ? active : this.registry.listModels().find((m) => m.id === modelId);
    if (!model) throw new ServiceError('no-model', `No model "${modelId}" (see "quire models list")`);
    return this.withModel(model, options.signal, async (llm) => {
      await llm!.useAdapters([]);
      return llm!.generate(options);
    });
  }

  /** Switching models under a running generation would pull it out from under it: switches wait their turn too. */
  private withModel<T>(model: ServedModel | null, signal: AbortSignal | undefined, work: (llm: LlmHost | null) => Promise<T>): Promise<T> {
    return this.turns.run(signal, async () => {
      if (!model) return work(null);
      this.llm ??= await LlmHost.create({ contextSize: this.options.llm?.contextSize });
      await this.llm.loadModel(model.path);
      return work(this.llm);
    });
  }

  private passage(libraryName: string, chunkId: number) {
    const library = this.library(libraryName);
    const [chunk] = library.chunks.byIds([chunkId]);
    if (!chunk) throw new ServiceError('not-found', `Passage ${chunkId} is no longer in ${libraryName}; the file was changed or removed since it was cited`);
    const document = library.documents.byId(chunk.documentId)!;
    const siblings = library.chunks.forDocument(chunk.documentId);
    const neighbour = (offset: number) => siblings.find((c) => c.ordinal === chunk.ordinal + offset)?.text ?? '';
    return {
      chunkId, library: libraryName, path: document.path, relativePath: document.relativePath, kind: document.kind, text: chunk.text,
      page: chunk.page, lines: chunk.lineStart !== null && chunk.lineEnd !== null ? [chunk.lineStart, chunk.lineEnd] : null, headingPath: chunk.headingPath,
      before: neighbour(-1), after: neighbour(1), fileUrl: this.options.fileUrl?.(libraryName, document.id) ?? null,
    };
  }

  private async openDocument(libraryName: string, path: string) {
    const documents = this.library(libraryName).documents;
    const document = documents.byPath(path);
    if (!document) throw new ServiceError('not-found', `${path} is not a document of ${libraryName}`);
    // A part (an attachment, a message of an mbox) opens as the file that holds it.
    const file = documents.fileOf(document.id)!;
    if (!this.library(libraryName).mayRead(file.path)) throw new ServiceError('not-found', `${path} now leads out of the library's folders; it is not opened`);
    if (this.options.openFile) return { opened: await this.options.openFile(file.path), url: null };
    return { opened: false, url: this.options.fileUrl?.(libraryName, file.id) ?? null };
  }

  /** For the browser mode's file endpoint: a document's path, only if it belongs to the library. */
  documentPath(libraryName: string, documentId: number): string | null {
    try {
      const library = this.library(libraryName);
      const path = library.documents.fileOf(documentId)?.path ?? null;
      return path && library.mayRead(path) ? path : null;
    } catch {
      return null;
    }
  }

  private listModels() {
    const active = this.activeModel()?.id;
    return this.registry.listModels().map((m) => ({ ...this.modelInfo(m), active: m.id === active }));
  }

  private modelInfo(m: RegisteredModel) {
    return {
      id: m.id, path: m.path, architecture: m.architecture, name: m.name, sizeBytes: m.sizeBytes, hasChatTemplate: m.hasChatTemplate,
      contextLength: m.contextLength, parameterCount: m.parameterCount, active: m.id === this.activeModel()?.id,
    };
  }

  private adapterInfo(a: { id: string; path: string; architecture: string; name: string | null; sizeBytes: number; base?: string }) {
    return { id: a.id, path: a.path, architecture: a.architecture, name: a.name, sizeBytes: a.sizeBytes, base: a.base ?? null };
  }

  async close(): Promise<void> {
    for (const watcher of this.watchers.values()) await watcher.close();
    for (const library of this.libraries.values()) await library.close();
    await this.llm?.dispose();
  }
}

/** Opens a file with the platform's viewer (Electron's engine host and the CLI use this). */
export function openWithSystemViewer(path: string): Promise<boolean> {
  const [command, args] = process.platform === 'darwin' ? ['open', [path]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', path]] : ['xdg-open', [path]];
  return new Promise((done) => {
    const child = spawn(command as string, args as string[], { detached: true, stdio: 'ignore' });
    child.once('error', () => done(false));
    child.once('spawn', () => {
      child.unref();
      done(true);
    });
  });
}

