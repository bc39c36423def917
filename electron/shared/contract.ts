import { z } from 'zod';
import { AnswerEvent } from './answer.js';
import { EvalEvent, EvalModes, EvalReport, QuestionSetInfo } from './evaluation.js';
import { IndexProgress, IndexSummary, LibraryName, LibraryOptions, LibraryStatus, LibrarySummary } from './library.js';
import { Profile } from './profile.js';
import { RetrievalFigures, SearchMode, SearchResponse } from './search.js';

/**
 * The one contract between the UI and the engine, whatever carries it (Electron MessagePorts or
 * the browser mode's WebSocket). Every method has a params schema that the engine validates and a
 * result schema that the client validates; streaming methods also have an event schema.
 */

export const ErrorPayload = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });
export type ErrorPayload = z.infer<typeof ErrorPayload>;

const Library = z.object({ library: LibraryName });
const Patterns = { include: z.array(z.string()).optional(), exclude: z.array(z.string()).optional() };
/** How a library is read: given once, kept with the library, used by every later run (re-index, app, watcher). */
const IndexingParams = {
  chunkTokens: z.number().int().positive().optional(),
  overlapTokens: z.number().int().nonnegative().optional(),
  /** Bytes; larger files are skipped as `too-large`. */
  maxFileSize: z.number().int().positive().optional(),
  ocr: z.boolean().optional(),
  ocrLanguages: z.array(z.string().min(1)).min(1).optional(),
  /** Follow symbolic links that lead out of the library's folders (off by default: they are skipped as `outside-folder`). */
  followLinksOutside: z.boolean().optional(),
};
const AdapterChoice = z.object({ adapter: z.string().min(1), scale: z.number().min(0).max(4) });
/** What a GGUF file's header says (`quire models import --json` prints it as `info`). */
export const GgufInfo = z.looseObject({
  path: z.string(), kind: z.enum(['model', 'adapter']), architecture: z.string(), name: z.string().nullable(), sizeBytes: z.number(),
  parameterCount: z.number(), contextLength: z.number().nullable(), hasChatTemplate: z.boolean(),
  adapter: z.looseObject({ rank: z.number().nullable(), alpha: z.number().nullable(), targets: z.number() }).nullable(),
});

export const ModelInfo = z.object({
  id: z.string(), path: z.string(), architecture: z.string(), name: z.string().nullable(), sizeBytes: z.number(),
  hasChatTemplate: z.boolean(), contextLength: z.number().nullable(), parameterCount: z.number(), active: z.boolean(),
  /** As the registry records it: set when hashed on import, pulled from the catalog; when it was added. */
  sha256: z.string().optional(), catalogId: z.string().optional(), addedAt: z.string().optional(),
});
export const AdapterInfo = z.object({
  id: z.string(), path: z.string(), architecture: z.string(), name: z.string().nullable(), sizeBytes: z.number(), base: z.string().nullable(),
  rank: z.number().nullable().optional(), alpha: z.number().nullable().optional(), sha256: z.string().optional(), addedAt: z.string().optional(),
});
export const CatalogItem = z.object({
  id: z.string(), kind: z.enum(['llm', 'embedder']), name: z.string(), sizeBytes: z.number(), licence: z.string(), installed: z.boolean(),
  description: z.string().optional(),
  /** False when `sizeBytes` is partly an estimate (files listed without their exact size). */
  sizeExact: z.boolean().optional(),
  /** Whether every file has a sha256 to verify (otherwise only its size is checked). */
  checksums: z.boolean().optional(),
  /** The catalog's own record, as `quire models catalog --json` prints it. */
  entry: z.unknown().optional(),
});
/**
 * A profile to save: fields left out are left out (no defaults filled in here), so that they keep
 * their saved values; the engine fills in defaults for a new profile.
 */
const ProfilePatch = z.object({
  name: z.string(),
  description: Profile.shape.description.unwrap().optional(),
  adapters: Profile.shape.adapters.unwrap().optional(),
  retrieval: Profile.shape.retrieval.unwrap().optional(),
  k: Profile.shape.k.unwrap().optional(),
  systemPrompt: Profile.shape.systemPrompt.unwrap().optional(),
  rules: Profile.shape.rules.unwrap().optional(),
  examples: Profile.shape.examples.unwrap().optional(),
});
/** A saved profile as it crosses the contract (every field filled in). */
export const ProfileSchema = Profile;
export const Settings = z.object({
  theme: z.enum(['system', 'light', 'dark']),
  activeModel: z.string().nullable(),
  /** Adapters toggled on in the UI for the next questions, with their scales. */
  activeAdapters: z.array(z.object({ adapter: z.string(), scale: z.number().min(0).max(4) })),
  /** Embedder for new libraries: an installed id or a folder path; null = lexical only. */
  defaultEmbedder: z.string().nullable(),
});
export type Settings = z.infer<typeof Settings>;
export const Passage = z.object({
  chunkId: z.number().int(), library: z.string(), path: z.string(), relativePath: z.string(), kind: z.string().nullable(),
  text: z.string(), page: z.number().int().nullable(), lines: z.tuple([z.number().int(), z.number().int()]).nullable(), headingPath: z.array(z.string()),
  /** Neighbouring passages, so the cited one can be read in context. */
  before: z.string(), after: z.string(),
  /** Where the file can be opened in the browser (browser mode); Electron opens it with the system viewer. */
  fileUrl: z.string().nullable(),
});
export const ConversationSummary = z.object({ id: z.number().int(), title: z.string(), createdAt: z.string() });
export const ConversationMessage = z.object({
  id: z.number().int(), role: z.enum(['user', 'assistant']), text: z.string(), profile: z.string().nullable(), createdAt: z.string(),
  sources: z.array(z.unknown()),
});
/** A stored evaluation run (`quire eval`), as `quire eval --list` shows it. */
export const EvalRunSummary = z.object({
  id: z.number().int(), createdAt: z.string(), questionSet: z.string().nullable(), model: z.string().nullable(), k: z.number().int(),
  /** The modes that ran (skipped ones are left out). */
  questionCount: z.number().int(), modes: z.array(z.string()), winner: z.string().nullable(),
  /** Every mode with its score and metrics (skipped ones too), as `quire eval --list` shows them. */
  scores: z.array(z.object({ mode: z.string(), skipped: z.string().nullable(), score: z.number().nullable(), metrics: z.record(z.string(), z.number().nullable()) })).optional(),
});
export const PullProgress = z.object({
  downloadedBytes: z.number(), totalBytes: z.number().nullable(), file: z.string(),
  /** Which file of how many (embedders have several). */
  fileIndex: z.number().int().optional(), files: z.number().int().optional(),
  /** The folder it downloads into (sent first, before any byte). */
  destDir: z.string().optional(),
  /** Something worth saying that does not stop the download. */
  warning: z.string().optional(),
});

const method = <P extends z.ZodTypeAny, R extends z.ZodTypeAny>(params: P, result: R) => ({ params, result, stream: false as const });
const streaming = <P extends z.ZodTypeAny, E extends z.ZodTypeAny, R extends z.ZodTypeAny>(params: P, event: E, result: R) => ({ params, event, result, stream: true as const });

export const contract = {
  'libraries.list': method(z.object({}), z.array(LibrarySummary)),
  'libraries.create': method(z.object({ library: LibraryName, folders: z.array(z.string().min(1)).min(1), embedder: z.string().nullable().optional(), ...Patterns }), LibrarySummary),
  'libraries.remove': method(Library, z.object({ removed: z.boolean() })),
  'libraries.status': method(Library, LibraryStatus),
  'libraries.addFolder': method(Library.extend({ folder: z.string().min(1), ...Patterns }), LibraryStatus),
  'libraries.removeFolder': method(Library.extend({ folder: z.string().min(1) }), LibraryStatus),
  /** Changes the embedding model (null: keyword search only); the old vectors are dropped and the next index run embeds every passage. */
  'libraries.setEmbedder': method(Library.extend({ embedder: z.string().min(1).nullable() }), LibraryStatus),
  /**
   * Brings a library up to date. `folders` are added first (the library is created when it is new)
   * and only they are synced; the indexing options given are kept with the library and used by every
   * later run. `embedder` switches the embedding model first; `embed: false` indexes without vectors.
   */
  'libraries.index': streaming(
    Library.extend({
      retryFailed: z.boolean().optional(),
      folders: z.array(z.string().min(1)).optional(),
      ...Patterns,
      ...IndexingParams,
      embedder: z.string().min(1).optional(),
      embed: z.boolean().optional(),
      /**
       * Recalibrate search when the library changed by more than a tenth (or its embedder did):
       * `background` (default: the run ends first), `wait` (the run ends after it: one-shot CLI), or `off`.
       */
      calibrate: z.enum(['background', 'wait', 'off']).optional(),
    }),
    IndexProgress,
    IndexSummary,
  ),
  /** How well each list retrieves on the library's own held-back questions, and the fusion, threshold and adapter in force; null until calibrated. */
  'libraries.retrieval': method(Library, RetrievalFigures.nullable()),
  /** Switches the library's calibrated query adapter on or off (off restores the ranking without it exactly). */
  'libraries.setQueryAdapter': method(Library.extend({ enabled: z.boolean() }), RetrievalFigures.nullable()),
  /** How the library is read: chunking, file size cap, OCR, embedder, folders and their patterns. */
  'libraries.options': method(Library, LibraryOptions),
  /** Changes how the library is read from the next run on (kept with the library). */
  'libraries.setOptions': method(Library.extend(IndexingParams), LibraryOptions),
  /** Keeps the library in step with its folders until cancelled: one event per sync (or error). */
  'libraries.watch': streaming(Library, z.object({ summary: IndexSummary.optional(), error: z.string().optional() }), z.object({ folders: z.array(z.string()) })),
  'search': method(
    Library.extend({
      query: z.string().max(20_000), k: z.number().int().min(1).max(1000).optional(), mode: SearchMode.optional(), documents: z.boolean().optional(),
      /** Exact scan of the vectors, the quantised fast path, or chosen by library size (default). */
      vectorStrategy: z.enum(['auto', 'exact', 'fast']).optional(),
    }),
    SearchResponse,
  ),
  'ask': streaming(
    Library.extend({
      question: z.string().min(1).max(20_000),
      conversationId: z.number().int().optional(),
      profile: z.string().optional(),
      /** A registered id or a GGUF path for this question only; default: the active model. */
      model: z.string().min(1).optional(),
      /** Adapters added for this question; default: the adapters toggled on in the settings. */
      adapters: z.array(AdapterChoice).optional(),
      maxTokens: z.number().int().positive().optional(),
      temperature: z.number().min(0).optional(),
      /** Record the exchange as a conversation (default true). */
      remember: z.boolean().optional(),
    }),
    AnswerEvent,
    z.object({ conversationId: z.number().int().nullable() }),
  ),
  'passages.get': method(Library.extend({ chunkId: z.number().int() }), Passage),
  /**
   * Opens a document's file (a part opens as the file that holds it) with the system viewer where the
   * engine may; otherwise `url` (browser mode) or `file` (for the desktop app's main process to open).
   */
  'documents.open': method(Library.extend({ path: z.string().min(1) }), z.object({ opened: z.boolean(), url: z.string().nullable(), file: z.string().optional() })),
  /** The file that holds a document (a part opens as its container): for a shell that serves files (browser mode's /files). */
  'documents.file': method(Library.extend({ documentId: z.number().int() }), z.object({ path: z.string() })),
  'conversations.list': method(Library, z.array(ConversationSummary)),
  'conversations.get': method(Library.extend({ id: z.number().int() }), z.array(ConversationMessage)),
  'conversations.remove': method(Library.extend({ id: z.number().int() }), z.object({ removed: z.boolean() })),
  'models.list': method(z.object({}), z.array(ModelInfo)),
  'models.import': method(
    z.object({ path: z.string().min(1), id: z.string().optional(), sha256: z.boolean().optional() }),
    ModelInfo.extend({ added: z.boolean().optional(), info: GgufInfo.optional() }),
  ),
  'models.remove': method(z.object({ id: z.string() }), z.object({ removed: z.boolean(), path: z.string().optional(), deletedFile: z.boolean().optional() })),
  /** Makes a registered model the one every shell answers with (`quire models use`, the app's model list). */
  'models.use': method(z.object({ id: z.string().min(1) }), ModelInfo),
  'models.catalog': method(z.object({}), z.array(CatalogItem)),
  'models.pull': streaming(
    z.object({ id: z.string() }),
    PullProgress,
    z.object({
      id: z.string(), path: z.string(),
      kind: z.enum(['llm', 'embedder']).optional(), verifiedBy: z.string().optional(), model: ModelInfo.nullable().optional(),
    }),
  ),
  'adapters.list': method(z.object({}), z.array(AdapterInfo)),
  'adapters.import': method(
    z.object({ path: z.string().min(1), base: z.string().optional(), id: z.string().optional(), sha256: z.boolean().optional() }),
    AdapterInfo.extend({
      added: z.boolean().optional(), info: GgufInfo.optional(),
      /** The model its tensors were checked against, or null when none could be chosen. */
      checkedAgainst: z.object({ id: z.string().nullable(), path: z.string() }).nullable().optional(),
    }),
  ),
  'adapters.remove': method(z.object({ id: z.string() }), z.object({ removed: z.boolean(), path: z.string().optional(), deletedFile: z.boolean().optional() })),
  'profiles.list': method(z.object({}), z.array(ProfileSchema)),
  /** Creates or updates a profile: fields left out keep their saved (or default) values. */
  'profiles.save': method(ProfilePatch, ProfileSchema),
  'profiles.remove': method(z.object({ name: z.string() }), z.object({ removed: z.boolean() })),
  'settings.get': method(z.object({}), Settings),
  'settings.set': method(Settings.partial(), Settings),
  /** Stored evaluation runs of a library, newest first. */
  'eval.runs': method(Library, z.array(EvalRunSummary)),
  /**
   * A run's self-contained HTML report (inline CSS and SVG, no script), as `quire eval --run ID --report` writes it:
   * a stored run by `runId`, or a `report` given whole (a run that was not saved).
   */
  'eval.report': method(Library.extend({ runId: z.number().int().optional(), report: EvalReport.optional() }), z.object({ html: z.string() })),
  /** A stored run's full report (`quire eval --run ID --json`). */
  'eval.get': method(Library.extend({ runId: z.number().int() }), EvalReport),
  /**
   * Runs a question set through the modes (`quire eval`): a file's text (`questions`), a file's path (`questionsPath`) or a set generated
   * into the library (`set`). `model: null` runs without a model; default: the active model. Events say
   * how far each mode is; the result is the report (saved unless `save: false`).
   */
  'eval.run': streaming(
    Library.extend({
      questions: z.object({ text: z.string(), label: z.string() }).optional(),
      /** A question file on the engine's machine (JSON lines), read by the engine: the app's "import a file by path". */
      questionsPath: z.string().min(1).optional(),
      set: z.union([z.literal('latest'), z.number().int()]).optional(),
      split: z.enum(['train', 'test', 'all']).optional(),
      model: z.string().min(1).nullable().optional(),
      adapters: z.array(AdapterChoice).optional(),
      profiles: z.array(z.string()).optional(),
      modes: z.array(EvalModes).optional(),
      k: z.number().int().positive().optional(),
      maxTokens: z.number().int().positive().optional(),
      save: z.boolean().optional(),
    }),
    EvalEvent,
    EvalReport,
  ),
  /** Has the model write grounded question/answer pairs from the library and stores them as a set. */
  'dataset.generate': streaming(
    Library.extend({
      model: z.string().min(1).optional(),
      count: z.number().int().positive().optional(),
      seed: z.number().int().optional(),
      trainShare: z.number().gt(0).lt(1).optional(),
      name: z.string().optional(),
      /** Also write the set as a question file for `quire eval`. */
      out: z.string().min(1).optional(),
    }),
    z.object({ tried: z.number().int(), accepted: z.number().int() }),
    z.object({
      set: z.number().int(), name: z.string(), pairs: z.number().int(), train: z.number().int(), test: z.number().int(), tried: z.number().int(),
      dropped: z.object({ invalid: z.number().int(), empty: z.number().int(), duplicate: z.number().int() }), out: z.string().nullable(),
    }),
  ),
  'dataset.list': method(Library, z.array(QuestionSetInfo)),
  /** Writes a set's pairs as training data: FILE.train.jsonl and FILE.test.jsonl, or one `split` into FILE. */
  'dataset.export': method(
    Library.extend({
      format: z.enum(['chat', 'alpaca']),
      out: z.string().min(1),
      split: z.enum(['train', 'test', 'all']).optional(),
      set: z.union([z.literal('latest'), z.number().int()]).optional(),
      withContext: z.boolean().optional(),
      systemPrompt: z.string().optional(),
    }),
    z.array(z.object({ file: z.string(), records: z.number().int() })),
  ),
  /**
   * The OpenAI-compatible API (`/v1`), run inside the engine: bodies and results are OpenAI's shapes,
   * validated by the engine's OpenAI schemas; errors carry `details: {status, type, param, code}`.
   */
  'openai.models': method(z.object({}), z.unknown()),
  'openai.model': method(z.object({ id: z.string() }), z.unknown()),
  'openai.chat': streaming(z.object({ body: z.unknown() }), z.unknown(), z.unknown()),
  'openai.embeddings': method(z.object({ body: z.unknown() }), z.unknown()),
  /** What became of chat completions: started, finished, cancelled while generating, dropped while waiting. */
  'openai.stats': method(z.object({}), z.object({ started: z.number().int(), finished: z.number().int(), cancelled: z.number().int(), dropped: z.number().int() })),
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type StreamMethod = { [M in MethodName]: Contract[M]['stream'] extends true ? M : never }[MethodName];
export type CallMethod = Exclude<MethodName, StreamMethod>;
export type Params<M extends MethodName> = z.input<Contract[M]['params']>;
export type Result<M extends MethodName> = z.output<Contract[M]['result']>;
export type StreamEvent<M extends StreamMethod> = z.output<Contract[M] extends { event: infer E extends z.ZodTypeAny } ? E : never>;

/** A running stream: events arrive through `onEvent`; `cancel()` stops the work in the engine. */
export interface StreamHandle<M extends StreamMethod> {
  result: Promise<Result<M>>;
  cancel(): void;
  onEvent(listener: (event: StreamEvent<M>) => void): void;
}

/** An error that came back from the engine: the stable `code` (and `details`) the engine gave it. */
export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'EngineError';
  }

  static from(payload: ErrorPayload): EngineError {
    return new EngineError(payload.code, payload.message, payload.details);
  }
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Stream methods: each event, in order, before the result. */
  onEvent?: (event: unknown) => void;
}

/**
 * The one engine API, as every shell calls it: the engine in this process (one-shot CLI commands)
 * or in its own supervised process behind the engine host (`quire serve`, the desktop app).
 * Failures reject with an `EngineError`.
 */
export interface EngineCalls {
  call<M extends MethodName>(method: M, params: Params<M>, options?: CallOptions): Promise<Result<M>>;
}

/** What the renderer talks to: `window.quire` in Electron, a WebSocket client in browser mode. */
export interface QuireClient {
  call<M extends CallMethod>(method: M, params: Params<M>): Promise<Result<M>>;
  stream<M extends StreamMethod>(method: M, params: Params<M>): StreamHandle<M>;
  /** Where the UI runs: drives things like "open in system viewer" vs a download link. */
  readonly shell: 'electron' | 'browser';
  /** Electron only: the real path of a dropped file or folder. */
  pathForFile?(file: File): string;
}

/** Wire messages (WebSocket text frames / MessagePort messages). */
export const ClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('call'), id: z.number().int(), method: z.string(), params: z.unknown() }),
  z.object({ type: z.literal('cancel'), id: z.number().int() }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

/**
 * Pushed without a request, to every open window: the engine restarted, or something every view may
 * show changed (a library on disk or through another window, the models, adapters, profiles,
 * settings, an indexing run). Views refetch what the kind names.
 */
export const NoticeKind = z.enum([
  'engine-restarted', 'library-changed', 'libraries-changed', 'models-changed', 'adapters-changed', 'profiles-changed', 'settings-changed', 'indexing-changed',
]);
export type NoticeKind = z.infer<typeof NoticeKind>;
export const Notice = z.object({ kind: NoticeKind, message: z.string(), library: z.string().optional() });
export type Notice = z.infer<typeof Notice>;

export const ServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), id: z.number().int(), result: z.unknown() }),
  z.object({ type: z.literal('event'), id: z.number().int(), event: z.unknown() }),
  z.object({ type: z.literal('error'), id: z.number().int().nullable(), error: ErrorPayload }),
  /** Pushed without a request: the engine restarted, a library changed on disk. */
  z.object({ type: z.literal('notice'), notice: Notice }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

export function isStreamMethod(name: string): name is StreamMethod {
  return name in contract && contract[name as MethodName].stream;
}
