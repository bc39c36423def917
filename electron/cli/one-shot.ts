import { createEngineApi, type EngineApi } from '../engine/index.js';
import { resolveDataDir } from './data-dir.js';

/**
 * A one-shot command's engine: the same API `quire serve` and the desktop app call, run in this
 * process for the length of the command and closed after it (libraries, model, workers).
 */
export async function withEngine<T>(dataDirFlag: string | undefined, work: (api: EngineApi) => Promise<T>): Promise<T> {
  const api = await createEngineApi({ dataDir: resolveDataDir(dataDirFlag), openFiles: true });
  try {
    return await work(api);
  } finally {
    await api.close();
  }
}

/** Ctrl+C (and SIGTERM where asked) aborts the returned signal while `work` runs. */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>, signals: NodeJS.Signals[] = ['SIGINT']): Promise<T> {
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  for (const s of signals) process.once(s, onSignal);
  try {
    return await work(abort.signal);
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}
