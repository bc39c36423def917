import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createEngine, type Library } from '../../engine/index.js';
import type { SearchMode, SearchResult } from '../../engine/search/searcher.js';
import { resolveDataDir } from '../data-dir.js';

interface SearchFlags {
  library: string;
  k: number;
  mode?: SearchMode;
  documents?: boolean;
  vectorStrategy: 'auto' | 'exact' | 'fast';
  batch?: string;
  json?: boolean;
}

export async function runSearch(dataDirFlag: string | undefined, query: string | undefined, flags: SearchFlags): Promise<void> {
  if (!flags.batch && query === undefined) throw new Error('Give a query, or --batch FILE');
  const engine = createEngine({ dataDir: resolveDataDir(dataDirFlag) });
  const library = engine.openLibrary(flags.library);
  try {
    let embedderNotice: string | undefined;
    if (flags.mode !== 'lexical' && library.meta.embedder()) {
      const embedder = await engine.loadRecordedEmbedder(library);
      if (embedder) library.useEmbedder(embedder);
      else embedderNotice = `The library's embedding model (${library.meta.embedder()!.path ?? library.meta.embedder()!.model}) is not available.`;
    }
    const searcher = library.searcher({ vector: { strategy: flags.vectorStrategy } });
    const options = { k: flags.k, mode: flags.mode, documents: flags.documents };
    if (flags.batch) {
      await runBatch(flags.batch, async (q) => (await searcher.search(q, options)).results);
      return;
    }
    const response = await searcher.search(query!, options);
    const notice = [embedderNotice, response.notice].filter(Boolean).join(' ') || undefined;
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ query, mode: response.mode, vectorStrategy: response.vectorStrategy, notice, results: response.results.map(toJson) })}\n`);
      return;
    }
    if (notice) process.stderr.write(`${notice}\n`);
    printHuman(library, response.results);
  } finally {
    await library.close();
  }
}

/** The result shape scripts rely on; fields are only ever added. */
function toJson(r: SearchResult) {
  return {
    path: r.path, score: r.score, text: r.text, page: r.page, lines: r.lines,
    relativePath: r.relativePath, headingPath: r.headingPath, kind: r.kind, snippet: r.snippet, highlights: r.highlights,
    chunkId: r.chunkId, documentId: r.documentId, ranks: r.ranks,
  };
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

function printHuman(library: Library, results: SearchResult[]): void {
  if (results.length === 0) {
    process.stdout.write(`No results in ${library.name}.\n`);
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
