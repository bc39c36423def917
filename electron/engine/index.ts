// The engine's entry: what shells (the CLI, browser mode, the desktop app's engine process), tests
// and scripts import. Everything else under electron/engine is the engine's own.
export { createEngine, Library, UnknownLibraryError, type Engine, type EngineOptions, type WorkerIsolation } from './engine.js';
// The engine's entry for shells: the API every shell calls, and what the CLI's own helpers need.
export { createEngineApi, type EngineApi, type EngineApiOptions } from './api/engine-api.js';
export { QuireError, toErrorPayload } from './errors.js';
export { matchesApiKey, readOrCreateApiKey, rotateApiKey } from './openai/api-key.js';
export { OpenAiError, toOpenAiError } from './openai/errors.js';
export { formatMs, formatShare } from './eval/format.js';
export { usePrivateUmask } from './host/private-files.js';
