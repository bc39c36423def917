import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { AnswerEvent } from '../../shared/answer.js';
import { QuireError } from '../errors.js';
import { Answerer, type AskOptions } from '../generate/answer.js';
import { LlmHost, type GenerateOptions, type Generation } from '../generate/llm.js';
import { TurnQueue } from '../generate/turns.js';
import type { Library } from '../library.js';
import { checkAdapterFits } from '../models/gguf.js';
import type { ModelRegistry } from '../models/registry.js';
import type { ProfileStore } from '../route/profiles.js';
import { Router } from '../route/router.js';
import type { SettingsStore } from '../settings.js';

export interface ServedModel {
  id: string;
  path: string;
}

/** `--model ID|PATH`: a registered id, or a GGUF path (named after its registry entry, else its file). Validated now. */
export async function resolveServedModel(registry: ModelRegistry, idOrPath: string): Promise<ServedModel> {
  const resolved = await registry.resolveModel(idOrPath);
  return { id: resolved.id ?? basename(resolved.path).replace(/\.gguf$/i, ''), path: resolved.path };
}

/**
 * The one loaded generation model and everything that uses it: which model is active (one truth
 * for every shell: a served override, else the settings' choice, else the newest import),
 * generations one at a time in arrival order, and adapters checked against the model once.
 */
export class ModelHost {
  private llm: LlmHost | null = null;
  private readonly turns = new TurnQueue();
  private readonly fittingAdapters = new Map<string, Promise<string>>();

  constructor(
    private readonly deps: {
      registry: ModelRegistry;
      settings: SettingsStore;
      profiles: ProfileStore;
      contextSize?: number;
      /** `quire serve --model`: kept loaded instead of the settings' choice. */
      served?: ServedModel;
    },
  ) {}

  /** The generation model: the serve override, else settings.activeModel, else the newest import. */
  activeModel(): ServedModel | null {
    if (this.deps.served) return this.deps.served;
    const models = this.deps.registry.listModels();
    const chosen = this.deps.settings.get().activeModel;
    return (chosen ? models.find((m) => m.id === chosen) : models.at(-1)) ?? null;
  }

  /** A model for one request: an explicit id or path (the CLI's `--model`), else the active one. */
  async modelFor(idOrPath: string | undefined): Promise<ServedModel | null> {
    if (idOrPath === undefined) return this.activeModel();
    return resolveServedModel(this.deps.registry, idOrPath);
  }

  /**
   * An adapter's path, checked against the model once per (adapter, model, file versions): reading
   * both GGUF headers costs ~150 ms, which would otherwise be paid before every answer.
   */
  resolveFittingAdapter(idOrPath: string, modelPath: string | null): Promise<string> {
    const registered = this.deps.registry.listAdapters().find((a) => a.id === idOrPath);
    const path = registered?.path ?? resolve(idOrPath);
    const version = (file: string) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    const key = `${path}|${modelPath}|${version(path)}|${modelPath ? version(modelPath) : 0}`;
    let checked = this.fittingAdapters.get(key);
    if (!checked) {
      checked = (async () => {
        const adapter = await this.deps.registry.resolveAdapter(idOrPath);
        if (modelPath) await checkAdapterFits(adapter.path, modelPath);
        return adapter.path;
      })();
      this.fittingAdapters.set(key, checked);
      checked.catch(() => this.fittingAdapters.delete(key));
    }
    return checked;
  }

  /**
   * The grounded pipeline (routing, retrieval, adapters), in turn with other generations. The
   * adapters toggled on in the settings apply unless the request names its own.
   */
  answer(
    library: Library,
    options: Omit<AskOptions, 'extraAdapters'> & { model?: ServedModel | null; adapters?: { adapter: string; scale: number }[] },
    emit: (event: AnswerEvent) => void,
  ) {
    const model = options.model === undefined ? this.activeModel() : options.model;
    return this.withModel(model, options.signal, async (llm) => {
      const answerer = new Answerer({
        library, llm,
        router: new Router(this.deps.profiles.list(), library.activeEmbedder),
        resolveAdapter: (idOrPath) => this.resolveFittingAdapter(idOrPath, model?.path ?? null),
      });
      const adapters = options.adapters ?? this.deps.settings.get().activeAdapters;
      // The done event names the model that answered, so every shell can show (and a test can check) which one it was.
      const named = <E extends AnswerEvent>(event: E): E => (event.type === 'done' ? { ...event, model: model?.id ?? null } : event);
      const done = await answerer.ask({ ...options, extraAdapters: adapters.map((a) => ({ path: a.adapter, scale: a.scale })) }, (event) => emit(named(event)));
      return named(done);
    });
  }

  /** Plain chat with the active model or a registered one, without retrieval or adapters, in turn with other generations. */
  chat(modelId: string, options: GenerateOptions): Promise<Generation> {
    const active = this.activeModel();
    const model = active?.id === modelId ? active : this.deps.registry.listModels().find((m) => m.id === modelId);
    if (!model) throw new QuireError('no-model', `No model "${modelId}" (see "quire models list")`);
    return this.withModel(model, options.signal, async (llm) => {
      await llm!.useAdapters([]);
      return llm!.generate(options);
    });
  }

  /**
   * Work with a model loaded (or none), in turn with every other generation: switching models under a
   * running generation would pull it out from under it, so switches wait their turn too.
   */
  withModel<T>(model: ServedModel | null, signal: AbortSignal | undefined, work: (llm: LlmHost | null) => Promise<T>): Promise<T> {
    return this.turns.run(signal, async () => {
      if (!model) return work(null);
      this.llm ??= await LlmHost.create({ contextSize: this.deps.contextSize });
      await this.llm.loadModel(model.path);
      return work(this.llm);
    });
  }

  async close(): Promise<void> {
    await this.llm?.dispose();
    this.llm = null;
  }
}
