import envPaths from 'env-paths';
import { resolve } from 'node:path';

/** `--data-dir`, else `QUIRE_DATA_DIR`, else the platform's per-user data folder. */
export function resolveDataDir(flag: string | undefined): string {
  if (flag) return resolve(flag);
  if (process.env.QUIRE_DATA_DIR) return resolve(process.env.QUIRE_DATA_DIR);
  return envPaths('quire', { suffix: '' }).data;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** "100MB", "2g", "512k" or a plain byte count. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new Error(`Not a size: "${text}" (use e.g. 100MB, 2GB, 512KB)`);
  return Math.round(Number(match[1]) * unit);
}
