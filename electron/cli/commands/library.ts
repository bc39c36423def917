import { SingleBar } from 'cli-progress';
import type { EngineApi } from '../../engine/index.js';
import { EngineError } from '../../shared/contract.js';
import type { IndexProgress, IndexSummary } from '../../shared/library.js';
import { describeRetrieval } from '../../shared/search.js';
import { interruptible, withEngine } from '../one-shot.js';

interface IndexFlags {
  library: string;
  include?: string[];
  exclude?: string[];
  maxFileSize?: number;
  /** Undefined: the library's own (kept from the last time it was given; 300 at first). */
  chunkTokens?: number;
  overlapTokens?: number;
  retryFailed?: boolean;
  /** false with --no-calibrate. */
  calibrate?: boolean;
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

export async function runIndex(dataDirFlag: string | undefined, folders: string[], flags: IndexFlags): Promise<void> {
  await withEngine(dataDirFlag, (api) =>
    interruptible(async (signal) => {
      const languages = flags.ocrLanguages?.split(/[+,\s]+/).filter(Boolean);
      const bar = process.stderr.isTTY && !flags.json ? new SingleBar({ format: '{bar} {value}/{total} {unit} | {chunks} chunks{ocr} | {file}', hideCursor: true, clearOnComplete: true, stream: process.stderr }) : null;
      let barPhase: string | null = null;
      const onProgress = (p: IndexProgress): void => {
        if (p.notice) {
          if (!flags.json) process.stderr.write(`${p.notice}\n`);
          return;
        }
        if (!bar || (p.phase !== 'indexing' && p.phase !== 'embedding')) return;
        if (barPhase !== p.phase) {
          if (barPhase) bar.stop();
          bar.start(p.total, p.done, { chunks: p.chunks, file: '', ocr: '', unit: p.phase === 'embedding' ? 'passages embedded' : 'files' });
          barPhase = p.phase;
        }
        const ocr = p.ocr && p.phase === 'indexing' ? ` | OCR ${p.ocr.done}/${p.ocr.total} pages` : '';
        bar.update(p.done, { chunks: p.chunks, ocr, file: (p.currentFile ?? '').slice(-50) });
      };
      const calibratedBefore = folders.length > 0 ? null : await api.call('libraries.retrieval', { library: flags.library }).catch(() => null);
      const summary = await api.call(
        'libraries.index',
        {
          library: flags.library,
          folders: folders.length > 0 ? folders : undefined,
          include: flags.include, exclude: flags.exclude,
          chunkTokens: flags.chunkTokens, overlapTokens: flags.overlapTokens, maxFileSize: flags.maxFileSize,
          ocr: flags.ocr, ocrLanguages: languages?.length ? languages : undefined, followLinksOutside: flags.followOutsideLinks,
          embedder: flags.embed ? flags.embedder : undefined, embed: flags.embed,
          retryFailed: flags.retryFailed,
          // One-shot: the process ends with the run, so a due calibration is part of it.
          calibrate: flags.calibrate === false ? 'off' : 'wait',
        },
        { signal, onEvent: (event) => onProgress(event as IndexProgress) },
      ).finally(() => barPhase && bar?.stop());
      printSummary(summary, flags.json);
      if (summary.cancelled) {
        process.exitCode = 130;
        return;
      }
      const calibrated = await api.call('libraries.retrieval', { library: flags.library });
      if (calibrated && calibrated.calibratedAt !== calibratedBefore?.calibratedAt && !flags.json) process.stderr.write(`Search calibrated: ${describeRetrieval(calibrated)}\n`);
      if (flags.watch) await watch(api, flags, signal);
    }, ['SIGINT', 'SIGTERM']),
  );
}

/** `--watch`: one summary per sync that changed something, until Ctrl+C. */
async function watch(api: EngineApi, flags: IndexFlags, signal: AbortSignal): Promise<void> {
  const { folders } = await api.call('libraries.options', { library: flags.library });
  process.stderr.write(`Watching ${folders.map((f) => f.path).join(', ')} (Ctrl+C to stop)\n`);
  try {
    await api.call('libraries.watch', { library: flags.library }, {
      signal,
      onEvent: (event) => {
        const { summary: s, error } = event as { summary?: IndexSummary; error?: string };
        if (error) process.stderr.write(`quire: ${error}\n`);
        if (s && s.indexed + s.removed + s.skipped + s.failed > 0) printSummary(s, flags.json);
      },
    });
  } catch (error) {
    // Ctrl+C ends watching: that is how it is meant to stop.
    if (!(error instanceof EngineError && error.code === 'cancelled')) throw error;
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
  await withEngine(dataDirFlag, async (api) => {
    const status = await api.call('libraries.status', { library: flags.library });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(status)}\n`);
      return;
    }
    const c = status.counts;
    process.stdout.write(`${status.library} (${status.file})\nfolders: ${status.folders.join(', ') || '(none)'}\n`);
    process.stdout.write(`documents: ${c.indexed} indexed, ${c.skipped} skipped, ${c.failed} failed, ${c.pending} pending; ${status.chunks} chunks\n`);
    const { ocr } = await api.call('libraries.options', { library: flags.library });
    process.stdout.write(`OCR: ${ocr.enabled ? `on (${ocr.languages.join('+')})` : 'off'}\n`);
    if (status.retrieval) process.stdout.write(`search: ${describeRetrieval(status.retrieval)}${status.retrieval.stale ? ' (recalibration due)' : ''}\n`);
    for (const d of status.documents.filter((x) => x.status !== 'indexed' || x.reason)) {
      process.stdout.write(`  ${d.status.padEnd(7)} ${(d.reason ?? '').padEnd(14)} ${d.relativePath}${d.message ? `: ${d.message}` : ''}\n`);
    }
  });
}

export async function runLibraries(dataDirFlag: string | undefined, flags: { json?: boolean }): Promise<void> {
  const libraries = await withEngine(dataDirFlag, (api) => api.call('libraries.list', {}));
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

export async function runRemoveLibrary(dataDirFlag: string | undefined, name: string): Promise<void> {
  const { removed } = await withEngine(dataDirFlag, (api) => api.call('libraries.remove', { library: name }));
  if (!removed) throw new Error(`No library named "${name}"`);
  process.stdout.write(`Removed library "${name}" (documents on disk are untouched)\n`);
}
