import envPaths from 'env-paths';

/** Main passes the data folder in QUIRE_DATA_DIR (Electron's userData); the fallback is the CLI's default. */
export function resolveEngineDataDir(): string {
  return process.env.QUIRE_DATA_DIR ?? envPaths('quire', { suffix: '' }).data;
}
