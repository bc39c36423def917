import { SingleBar } from 'cli-progress';
import { resolve } from 'node:path';
import { createEngine } from '../../engine/index.js';
import type { IndexSummary, LibraryStatus } from '../../shared/library.js';
import { resolveDataDir } from '../data-dir.js';

interface IndexFlags {
  library: string;
  include?: string[];
  exclude?: string[];
  maxFileSize?: number;
  chunkTokens: number;
  overlapTokens: number;
  retryFailed?: boolean;
  watch?: boolean;
  json?: boolean;
  embedder?: string;
  /** commander's negation of --no-embed */
  embed: boolean;
  /** --ocr / --no-ocr; undefined keeps the library's setting. */
  ocr?: boolean;
  ocrLanguages?: string;
  /** --follow-outside-links / --no-follow-outside-links; undefined keeps the library's setting. */
  followOutsideLinks?: boolean;
}

export async function runIndex(dataDirFlag: string | undefined, folderArgs: string[], flags: IndexFlags): Promise<void> {
  const engine = createEngine({ dataDir: resolveDataDir(dataDirFlag) });
  const library = engine.openLibrary(flags.library, { create: folderArgs.length > 0 });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const patterns = flags.include || flags.exclude ? { include: flags.include, exclude: flags.exclude } : {};
    const added = folderArgs.map((folder) => library.addFolder(resolve(folder), patterns));
    if (flags.embed) {
      const embedder = flags.embedder ? await engine.loadEmbedder(flags.embedder) : await engine.loadRecordedEmbedder(library);
      if (embedder) {
        const { reembed } = library.useEmbedder(embedder);
        if (reembed && !flags.json) process.stderr.write(`Embedding model is now ${embedder.model} (${embedder.dimension} dims): every passage will be embedded again.\n`);
      } else if (library.meta.embedder() && !flags.json) {
        process.stderr.write(`The library's embedding model (${library.meta.embedder()!.path ?? library.meta.embedder()!.model}) is not available; indexing without embeddings.\n`);
      }
    }
    if (flags.ocr !== undefined || flags.ocrLanguages) {
      const languages = flags.ocrLanguages?.split(/[+,\s]+/).filter(Boolean);
      library.setOcrSettings({ ...(flags.ocr !== undefined ? { enabled: flags.ocr } : {}), ...(languages?.length ? { languages } : {}) });
    }
    if (flags.followOutsideLinks !== undefined) library.meta.setFollowLinksOutside(flags.followOutsideLinks);
    if (library.folders.list().length === 0) throw new Error(`Library "${flags.library}" has no folders; give one: quire index FOLDER --library ${flags.library}`);
    const indexOptions = {
      maxFileBytes: flags.maxFileSize,
      split: { chunkTokens: flags.chunkTokens, overlapTokens: Math.min(flags.overlapTokens, Math.floor(flags.chunkTokens / 2)) },
      retryFailed: flags.retryFailed,
    };
    const bar = process.stderr.isTTY && !flags.json ? new SingleBar({ format: '{bar} {value}/{total} {unit} | {chunks} chunks{ocr} | {file}', hideCursor: true, clearOnComplete: true, stream: process.stderr }) : null;
    let barPhase: string | null = null;
    const { summary } = await library.index({
      ...indexOptions,
      folders: added.length > 0 ? added : undefined,
      signal: abort.signal,
      onProgress: (p) => {
        if (!bar || (p.phase !== 'indexing' && p.phase !== 'embedding')) return;
        if (barPhase !== p.phase) {
          if (barPhase) bar.stop();
          bar.start(p.total, p.done, { chunks: p.chunks, file: '', ocr: '', unit: p.phase === 'embedding' ? 'passages embedded' : 'files' });
          barPhase = p.phase;
        }
        const ocr = p.ocr && p.phase === 'indexing' ? ` | OCR ${p.ocr.done}/${p.ocr.total} pages` : '';
        bar.update(p.done, { chunks: p.chunks, ocr, file: (p.currentFile ?? '').slice(-50) });
      },
    });
    if (barPhase) bar?.stop();
    printSummary(summary, flags.json);
    if (summary.cancelled) {
      process.exitCode = 130;
      return;
    }
    if (flags.watch) {
      process.stderr.write(`Watching ${library.folders.list().map((f) => f.path).join(', ')} (Ctrl+C to stop)\n`);
      const watcher = library.watch({
        ...indexOptions,
        onSync: (s) => {
          if (s.indexed + s.removed + s.skipped + s.failed > 0) printSummary(s, flags.json);
        },
        onError: (error) => process.stderr.write(`quire: ${error.message}\n`),
      });
      await new Promise<void>((done) => abort.signal.addEventListener('abort', () => done(), { once: true }));
      await watcher.close();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await library.close();
  }
}

function printSummary(summary: IndexSummary, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const reasons = Object.entries(summary.byReason).map(([reason, n]) => `${reason}: ${n}`).join(', ');
  process.stdout.write(
    `${summary.library}: ${summary.seen} files seen, ${summary.indexed} indexed, ${summary.unchanged} unchanged, ` +
      `${summary.skipped} skipped, ${summary.failed} failed, ${summary.removed} removed; ${summary.chunks} new chunks ` +
      `in ${summary.seconds.toFixed(1)} s${reasons ? ` (${reasons})` : ''}${summary.cancelled ? ' [interrupted: run again to finish]' : ''}\n`,
  );
  const ocr = summary.ocr;
  if (ocr) process.stdout.write(`OCR: ${ocr.pages} pages or images, ${ocr.recognized} recognised, ${ocr.cached} from the cache, ${ocr.failed} failed\n`);
}

export async function runStatus(dataDirFlag: string | undefined, flags: { library: string; json?: boolean }): Promise<void> {
  const engine = createEngine({ dataDir: resolveDataDir(dataDirFlag) });
  const library = engine.openLibrary(flags.library);
  try {
    const status: LibraryStatus = library.status();
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(status)}\n`);
      return;
    }
    const c = status.counts;
    process.stdout.write(`${status.library} (${status.file})\nfolders: ${status.folders.join(', ') || '(none)'}\n`);
    process.stdout.write(`documents: ${c.indexed} indexed, ${c.skipped} skipped, ${c.failed} failed, ${c.pending} pending; ${status.chunks} chunks\n`);
    const ocr = library.ocrSettings();
    process.stdout.write(`OCR: ${ocr.enabled ? `on (${ocr.languages.join('+')})` : 'off'}\n`);
    for (const d of status.documents.filter((x) => x.status !== 'indexed' || x.reason)) {
      process.stdout.write(`  ${d.status.padEnd(7)} ${(d.reason ?? '').padEnd(14)} ${d.relativePath}${d.message ? `: ${d.message}` : ''}\n`);
    }
  } finally {
    await library.close();
  }
}

export function runLibraries(dataDirFlag: string | undefined, flags: { json?: boolean }): void {
  const libraries = createEngine({ dataDir: resolveDataDir(dataDirFlag) }).listLibraries();
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(libraries)}\n`);
    return;
  }
  if (libraries.length === 0) process.stdout.write('No libraries yet. Create one with: quire index FOLDER --library NAME\n');
  for (const l of libraries) {
    if (l.damaged) process.stdout.write(`${l.name}\tdamaged: ${l.reason ?? 'cannot be opened'}\t${l.file}\n`);
    else process.stdout.write(`${l.name}\t${l.documents} documents\t${l.chunks} chunks\t${l.folders.join(', ')}\n`);
  }
}

export function runRemoveLibrary(dataDirFlag: string | undefined, name: string): void {
  const removed = createEngine({ dataDir: resolveDataDir(dataDirFlag) }).removeLibrary(name);
  if (!removed) throw new Error(`No library named "${name}"`);
  process.stdout.write(`Removed library "${name}" (documents on disk are untouched)\n`);
}
