import { existsSync, mkdirSync, rmSync, statfsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CatalogEntry } from './catalog.js';
import { ModelValidationError } from './gguf.js';
import { sha256File, type ModelRegistry, type RegisteredModel } from './registry.js';
import { QuireError } from '../errors.js';

export interface PullProgress {
  /** The file being fetched (relative to the model's folder for embedders). */
  file: string;
  fileIndex: number;
  files: number;
  downloadedBytes: number;
  totalBytes: number;
}

export interface PullOptions {
  /** LLM downloads are registered here once verified. */
  registry: ModelRegistry;
  onProgress?: (progress: PullProgress) => void;
  /** Things the user should know that do not stop the pull (e.g. no checksum to verify against). */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

export interface PullResult {
  entry: CatalogEntry;
  /** The GGUF file (LLM) or the model folder (embedder). */
  path: string;
  /** How the files were checked: every file against its sha256, or at least one by size only. */
  verifiedBy: 'sha256' | 'size';
  /** The registry entry of a pulled LLM. */
  model?: RegisteredModel;
}

export type DownloadErrorCode = 'checksum-mismatch' | 'size-mismatch' | 'no-space' | 'download-failed';

export class DownloadError extends QuireError {
  declare readonly code: DownloadErrorCode;
  constructor(code: DownloadErrorCode, message: string) {
    super(code, message);
  }
}

interface PlannedFile {
  label: string;
  url: string;
  dir: string;
  fileName: string;
  sizeBytes: number | null;
  sha256: string | null;
}

/** Where a catalog entry's files go by default: LLMs in the downloads folder, embedders where loadEmbedder finds them. */
export function defaultPullDir(registry: ModelRegistry, entry: CatalogEntry): string {
  return entry.kind === 'llm' ? registry.downloadsDir : registry.embeddersDir;
}

/**
 * Downloads a catalog entry with node-llama-cpp's downloader (resumes an interrupted download of the same file),
 * verifies every file (sha256 when the catalog has one, else size) and registers an LLM. Only ever called on an
 * explicit user request: nothing in Quire downloads by itself.
 */
export async function pullFromCatalog(entry: CatalogEntry, destDir: string, options: PullOptions): Promise<PullResult> {
  const plan = planFiles(entry, destDir);
  checkFreeSpace(destDir, plan);
  const { createModelDownloader } = await import('node-llama-cpp');
  for (const [index, file] of plan.entries()) {
    options.signal?.throwIfAborted();
    mkdirSync(file.dir, { recursive: true, mode: 0o700 });
    await checkReachable(file, options.signal);
    const downloader = await createModelDownloader({
      modelUri: file.url,
      dirPath: file.dir,
      fileName: file.fileName,
      skipExisting: true,
      // Keeping the partial file is what lets the next pull resume.
      deleteTempFileOnCancel: false,
      showCliProgress: false,
      onProgress: ({ downloadedSize, totalSize }) =>
        options.onProgress?.({ file: file.label, fileIndex: index, files: plan.length, downloadedBytes: downloadedSize, totalBytes: totalSize }),
    }).catch((error: unknown) => {
      throw new DownloadError('download-failed', `Could not start downloading ${file.label} from ${file.url}: ${(error as Error).message}`);
    });
    try {
      await downloader.download({ signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new DownloadError('download-failed', `Downloading ${file.label} from ${file.url} failed: ${(error as Error).message}`);
    }
    // The downloader returns normally when cancelled; the file is then still partial.
    options.signal?.throwIfAborted();
    await verify(entry, file, join(file.dir, file.fileName), options);
  }
  const verifiedBy = plan.every((f) => f.sha256 !== null) ? 'sha256' : 'size';
  if (entry.kind === 'embedder') return { entry, path: join(destDir, entry.id), verifiedBy };

  const path = join(destDir, entry.fileName);
  try {
    const { model } = await options.registry.importModel(path, { id: idFor(options.registry, entry.id, path), sha256: entry.sha256 ?? undefined, catalogId: entry.id });
    return { entry, path, verifiedBy, model };
  } catch (error) {
    // A file that passed its size check but is no usable model (a changed upstream file with no sha256) is not kept.
    if (error instanceof ModelValidationError) rmSync(path, { force: true });
    throw error;
  }
}

const REACH_TIMEOUT_MS = 20_000;

/** The downloader retries a dead connection about 150 times over ~12 minutes; offline, one quick HEAD says so at once. */
async function checkReachable(file: PlannedFile, signal: AbortSignal | undefined): Promise<void> {
  const timeout = AbortSignal.timeout(REACH_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(file.url, { method: 'HEAD', redirect: 'follow', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  } catch (error) {
    signal?.throwIfAborted();
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = timeout.aborted ? `no answer within ${REACH_TIMEOUT_MS / 1000} s` : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new DownloadError('download-failed', `Cannot reach ${new URL(file.url).host} to download ${file.label} (${reason}). Is this machine offline?`);
  }
  if (!response.ok) throw new DownloadError('download-failed', `${file.url} answered ${response.status} ${response.statusText}: the file is not available there`);
}

function planFiles(entry: CatalogEntry, destDir: string): PlannedFile[] {
  if (entry.kind === 'llm') {
    return [{ label: entry.fileName, url: entry.url, dir: destDir, fileName: entry.fileName, sizeBytes: entry.sizeBytes, sha256: entry.sha256 }];
  }
  const root = join(destDir, entry.id);
  return entry.files.map((f) => ({ label: f.path, url: f.url, dir: dirname(join(root, f.path)), fileName: basename(f.path), sizeBytes: f.sizeBytes, sha256: f.sha256 }));
}

function checkFreeSpace(destDir: string, plan: readonly PlannedFile[]): void {
  mkdirSync(destDir, { recursive: true, mode: 0o700 });
  const needed = plan.reduce((sum, f) => {
    const have = existsSync(join(f.dir, f.fileName)) ? statSync(join(f.dir, f.fileName)).size : 0;
    return sum + Math.max(0, (f.sizeBytes ?? 0) - have);
  }, 0);
  const stats = statfsSync(destDir);
  const free = stats.bavail * stats.bsize;
  if (needed > free) throw new DownloadError('no-space', `Not enough free space in ${destDir}: the download needs ${needed} bytes, ${free} are free`);
}

async function verify(entry: CatalogEntry, file: PlannedFile, path: string, options: PullOptions): Promise<void> {
  const size = statSync(path).size;
  if (file.sizeBytes !== null && size !== file.sizeBytes) {
    rmSync(path, { force: true });
    throw new DownloadError('size-mismatch', `${file.label} of ${entry.id} is ${size} bytes but the catalog says ${file.sizeBytes}; the file was deleted. The upstream file may have changed: check the catalog entry.`);
  }
  if (file.sha256 === null) {
    options.onWarning?.(`${entry.id}: ${file.label} has no sha256 in the catalog, so it was verified by ${file.sizeBytes === null ? "the server's reported length" : 'size'} only`);
    return;
  }
  const actual = await sha256File(path, options.signal);
  if (actual !== file.sha256) {
    rmSync(path, { force: true });
    throw new DownloadError('checksum-mismatch', `${file.label} of ${entry.id} has sha256 ${actual} but the catalog expects ${file.sha256}; the file was deleted. Try again; if it persists the upstream file changed.`);
  }
}

/** The catalog id, unless another file already has it (then the registry makes one from the file name). */
function idFor(registry: ModelRegistry, wanted: string, path: string): string | undefined {
  const holder = registry.listModels().find((m) => m.id === wanted);
  return holder && holder.path !== path ? undefined : wanted;
}
