import { join } from 'node:path';
import { contract, EngineError, type CallOptions, type EngineCalls, type MethodName, type Notice, type Params, type Result } from '../../shared/contract.js';
import { QuireError, toErrorPayload } from '../errors.js';
import { createEngine, type WorkerIsolation } from '../engine.js';
import { openWithSystemViewer } from '../host/open-file.js';
import { ModelRegistry } from '../models/registry.js';
import { ProfileStore } from '../route/profiles.js';
import { SettingsStore } from '../settings.js';
import { answerHandlers } from './answers.js';
import { evaluationHandlers } from './evaluation.js';
import { libraryHandlers } from './libraries.js';
import { ModelHost, resolveServedModel } from './model-host.js';
import { modelHandlers } from './models.js';
import { OpenLibraries } from './open-libraries.js';
import { openAiHandlers } from './openai.js';
import { searchHandlers } from './search.js';
import { settingsHandlers } from './settings.js';
import type { EngineState } from './state.js';
import type { CallContext, Handlers } from './types.js';

/** Everything an engine needs from the shell that runs it; plain data, so it can cross to an engine process. */
export interface EngineApiOptions {
  dataDir: string;
  /** Keep indexed libraries in sync with their folders while the engine runs. */
  watch?: boolean;
  llm?: { contextSize?: number };
  /** The generation model to keep loaded (`quire serve --model`): a registered id or a GGUF path, overriding the active model. */
  model?: string;
  /** Where the shell serves a document's file: `{library}` and `{document}` are filled in (`/files/...` in browser mode, `app://quire/files/...` in the desktop app). */
  fileUrlTemplate?: string;
  /** Open documents with the system viewer (the CLI); otherwise the UI opens `fileUrl`, or the desktop app's main opens `file`. */
  openFiles?: boolean;
  /**
   * How parser and OCR workers run: child processes (a fatal out-of-memory kills only the worker),
   * or worker threads where the host cannot start Node processes (the packaged desktop app).
   * Default: see `defaultWorkerIsolation`.
   */
  workers?: WorkerIsolation;
  /** The engine process before this one died unexpectedly (set by the engine host). */
  afterEngineCrash?: boolean;
}

export interface EngineApi extends EngineCalls {
  /** One call as it arrives off a wire: the method name and params are checked against the contract here. */
  handle(method: string, params: unknown, context: { signal: AbortSignal; emit: (event: unknown) => void }): Promise<unknown>;
  /** Pushed notices (a library changed, models changed...): every listener gets each. */
  onNotice(listener: (notice: Notice) => void): () => void;
  close(): Promise<void>;
}

/**
 * The engine behind every shell: one handler per contract method, grouped by area, with params
 * validated on the way in and results on the way out. Shells only carry calls to `handle`/`call`.
 */
export async function createEngineApi(options: EngineApiOptions): Promise<EngineApi> {
  const listeners = new Set<(notice: Notice) => void>();
  const notify = (notice: Notice): void => {
    for (const listener of listeners) listener(notice);
  };
  const engine = createEngine({ dataDir: options.dataDir, workers: options.workers, afterEngineCrash: options.afterEngineCrash });
  const registry = new ModelRegistry(options.dataDir);
  const settings = new SettingsStore(join(options.dataDir, 'settings.json'));
  const profiles = new ProfileStore(join(options.dataDir, 'profiles.json'));
  const served = options.model ? await resolveServedModel(registry, options.model) : undefined;
  const template = options.fileUrlTemplate;
  const state: EngineState = {
    dataDir: options.dataDir,
    engine,
    libraries: new OpenLibraries(engine, { watch: options.watch ?? false, notify }),
    models: new ModelHost({ registry, settings, profiles, contextSize: options.llm?.contextSize, served }),
    registry,
    profiles,
    settings,
    fileUrl: (library, documentId) => (template ? template.replace('{library}', encodeURIComponent(library)).replace('{document}', String(documentId)) : null),
    openFile: options.openFiles ? openWithSystemViewer : null,
    notify,
  };
  const handlers: Handlers<MethodName> = {
    ...libraryHandlers(state),
    ...searchHandlers(state),
    ...answerHandlers(state),
    ...modelHandlers(state),
    ...evaluationHandlers(state),
    ...settingsHandlers(state),
    ...openAiHandlers(state),
  };
  // Library-level changes every window lists (created, removed, folders, embedder, an index run).
  const changesLibraries = new Set<MethodName>(['libraries.create', 'libraries.remove', 'libraries.addFolder', 'libraries.removeFolder', 'libraries.setEmbedder', 'libraries.index', 'libraries.setOptions']);

  const handle = async (method: string, rawParams: unknown, context: CallContext): Promise<unknown> => {
    if (!Object.hasOwn(contract, method)) throw new QuireError('unknown-method', `Unknown method "${method}"`);
    const name = method as MethodName;
    const spec = contract[name];
    const parsed = spec.params.safeParse(rawParams ?? {});
    if (!parsed.success) {
      throw new QuireError('bad-request', `Invalid parameters for ${method}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ')}`, parsed.error.issues);
    }
    const handler = handlers[name] as (params: unknown, context: CallContext) => unknown;
    const result = await handler(parsed.data, context);
    const checked = spec.result.safeParse(result);
    if (!checked.success) throw new QuireError('internal', `The engine produced an invalid ${method} result: ${checked.error.issues[0]?.message}`);
    if (changesLibraries.has(name)) {
      const library = (parsed.data as { library?: string }).library;
      notify({ kind: 'libraries-changed', message: `${library ?? 'A library'} changed`, ...(library ? { library } : {}) });
    }
    return checked.data;
  };

  return {
    handle: (method, params, context) => handle(method, params, context as CallContext),
    async call<M extends MethodName>(method: M, params: Params<M>, callOptions: CallOptions = {}): Promise<Result<M>> {
      const signal = callOptions.signal ?? new AbortController().signal;
      try {
        return (await handle(method, params, { signal, emit: (event) => callOptions.onEvent?.(event) })) as Result<M>;
      } catch (error) {
        throw EngineError.from(signal.aborted ? { code: 'cancelled', message: 'Cancelled' } : toErrorPayload(error));
      }
    },
    onNotice(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await state.libraries.closeAll();
      await state.models.close();
    },
  };
}
