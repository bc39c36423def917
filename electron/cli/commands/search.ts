import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describeRetrieval, type RetrievalFigures, type SearchMode, type SearchResult } from '../../shared/search.js';
import { withEngine } from '../one-shot.js';

interface SearchFlags {
  library: string;
  k: number;
  mode?: SearchMode;
  documents?: boolean;
  vectorStrategy: 'auto' | 'exact' | 'fast';
  batch?: string;
  json?: boolean;
  explain?: boolean;
}

export async function runSearch(dataDirFlag: string | undefined, query: string | undefined, flags: SearchFlags): Promise<void> {
  if (!flags.batch && query === undefined) throw new Error('Give a query, or --batch FILE');
  await withEngine(dataDirFlag, async (api) => {
    const search = (q: string) =>
      api.call('search', { library: flags.library, query: q, k: flags.k, mode: flags.mode, documents: flags.documents, vectorStrategy: flags.vectorStrategy });
    if (flags.batch) {
      // The library must exist before any line is read: a wrong name is one error, not one per line.
      await api.call('libraries.options', { library: flags.library });
      await runBatch(flags.batch, async (q) => (await search(q)).results);
      return;
    }
    const response = await search(query!);
    const calibration = flags.explain ? await api.call('libraries.retrieval', { library: flags.library }) : undefined;
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ query, mode: response.mode, vectorStrategy: response.vectorStrategy, notice: response.notice, ...(flags.explain ? { calibration } : {}), results: response.results.map(toJson) })}\n`);
      return;
    }
    if (response.notice) process.stderr.write(`${response.notice}\n`);
    if (flags.explain) process.stdout.write(explain(calibration ?? null));
    printHuman(flags.library, response.results);
  });
}

/** The result shape scripts rely on; fields are only ever added. */
function toJson(r: SearchResult) {
  return {
    path: r.path, score: r.score, text: r.text, page: r.page, lines: r.lines,
    relativePath: r.relativePath, headingPath: r.headingPath, kind: r.kind, snippet: r.snippet, highlights: r.highlights,
    chunkId: r.chunkId, documentId: r.documentId, ranks: r.ranks,
    ...(r.similarity !== undefined ? { similarity: r.similarity } : {}),
    ...(r.weak !== undefined ? { weak: r.weak } : {}),
  };
}

/** The calibration in force, for `--explain`. */
function explain(figures: RetrievalFigures | null): string {
  if (!figures) return 'calibration: none yet (fusion 1:1, "not found" = no keyword match and no similarity >= 0.3); run quire index to calibrate\n';
  const t = figures.threshold;
  const floors = [t.similarity !== null ? `similarity >= ${t.similarity.toFixed(3)}` : null, t.coverage !== null ? `coverage >= ${t.coverage.toFixed(3)}` : null].filter(Boolean).join(' or ');
  const adapter = figures.adapter
    ? `query adapter: ${figures.adapter.kept ? (figures.adapterInForce ? 'on' : 'switched off') : 'not kept'} (meaning ${figures.adapter.vectorWithout.toFixed(2)} -> ${figures.adapter.vectorWith.toFixed(2)} with it)`
    : 'query adapter: none';
  return [
    `calibration: ${describeRetrieval(figures)} (recall@${figures.k}, ${figures.calibratedAt}${figures.stale ? ', recalibration due' : ''})`,
    `fusion weights: keywords ${figures.weights.lexical} · meaning ${figures.weights.vector}`,
    `relevant when: ${floors || 'always'} (own questions answered ${(t.answered * 100).toFixed(0)}%, unanswerable refused ${(t.refused * 100).toFixed(0)}% of ${t.unanswerable})`,
    adapter,
  ].join('\n') + '\n';
}

/** JSON lines in, one JSON line out per query, in input order; a bad line gets an error line, never a crash. */
async function runBatch(file: string, search: (query: string) => Promise<SearchResult[]>): Promise<void> {
  if (file !== '-' && !existsSync(file)) throw new Error(`No such batch file: ${file}`);
  const input = file === '-' ? process.stdin : createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let id: unknown = null;
    try {
      const parsed = JSON.parse(line) as { id?: unknown; query?: unknown };
      id = parsed.id ?? null;
      if (typeof parsed.query !== 'string') throw new Error('"query" must be a string');
      const results = await search(parsed.query);
      process.stdout.write(`${JSON.stringify({ id, results: results.map(toJson) })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ id, error: `line ${lineNumber}: ${(error as Error).message}`, results: [] })}\n`);
    }
  }
}

function printHuman(library: string, results: SearchResult[]): void {
  if (results.length === 0) {
    process.stdout.write(`No results in ${library}.\n`);
    return;
  }
  const bold = process.stdout.isTTY ? (s: string) => `\x1b[1m${s}\x1b[22m` : (s: string) => `[${s}]`;
  results.forEach((r, i) => {
    const where = [r.page !== null ? `page ${r.page}` : null, r.lines ? `lines ${r.lines[0]}-${r.lines[1]}` : null, r.headingPath.length ? r.headingPath.join(' > ') : null].filter(Boolean).join(', ');
    let snippet = '';
    let at = 0;
    for (const [s, e] of r.highlights) {
      snippet += r.snippet.slice(at, s) + bold(r.snippet.slice(s, e));
      at = e;
    }
    snippet += r.snippet.slice(at);
    process.stdout.write(`${i + 1}. ${r.relativePath}${where ? ` (${where})` : ''}  score ${r.score.toFixed(3)}\n   ${snippet}\n`);
  });
}
