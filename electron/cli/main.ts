#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { runIndex, runLibraries, runRemoveLibrary, runStatus } from './commands/library.js';
import { runSearch } from './commands/search.js';
import { runAsk } from './commands/ask.js';
import { registerProfileCommands } from './commands/profiles.js';
import { runServe } from './commands/serve.js';
import { registerModelCommands } from './commands/models.js';
import { registerEvalCommand } from './commands/eval.js';
import { registerDatasetCommands } from './commands/dataset.js';
import { registerApiKeyCommand } from './commands/api-key.js';
import { parseSize } from './data-dir.js';
import { usePrivateUmask } from '../engine/index.js';

const integer = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number`);
  return n;
};
const nonNegative = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number, 0 or more`);
  return n;
};
const size = (value: string): number => {
  try {
    return parseSize(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function buildProgram(): Command {
  const program = new Command('quire')
    .description('Quire: answers from your own documents, fully offline')
    .addOption(new Option('--data-dir <dir>', 'where libraries live').env('QUIRE_DATA_DIR'))
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command('index')
    .description('add folders to a library and bring it up to date (incremental; rerun to resume)')
    .argument('[folders...]', 'folders to add; without any, every folder of the library is synced')
    .requiredOption('-l, --library <name>', 'library name (created if new)')
    .option('--include <glob>', 'only index matching paths (relative to the folder); repeatable', collect)
    .option('--exclude <glob>', 'skip matching paths; repeatable', collect)
    .option('--max-file-size <size>', "skip files larger than this, e.g. 100MB (default: the library's own, at first 100MB; kept for the library)", size)
    .option('--chunk-tokens <n>', "target chunk size in tokens (default: the library's own, at first 300; kept for the library)", integer('--chunk-tokens'))
    .option('--overlap-tokens <n>', "overlap between pieces of a split passage (default: the library's own, at first 40; kept for the library)", nonNegative('--overlap-tokens'))
    .option('--retry-failed', 'parse files that failed before even if unchanged')
    .option('--embedder <id-or-path>', 'embedding model: a folder in transformers.js layout, or an installed id (default: the library\'s own)')
    .option('--no-embed', 'do not embed (lexical search only for new passages)')
    .option('--ocr', 'read scanned PDF pages and images with OCR (the default; kept for the library)')
    .option('--no-ocr', 'do not run OCR for this library (kept for the library)')
    .option('--ocr-languages <codes>', 'OCR languages, e.g. eng or eng+deu: installed @tesseract.js-data/<code> packages (kept for the library)')
    .option('--follow-outside-links', 'follow symbolic links that lead out of the library\'s folders (kept for the library; off by default)')
    .option('--no-follow-outside-links', 'skip symbolic links that lead out of the library\'s folders as outside-folder (the default; kept for the library)')
    .option('--no-calibrate', 'do not recalibrate search (fusion, "not found" threshold, query adapter) after indexing')
    .option('-w, --watch', 'keep watching the folders and re-index changes until interrupted')
    .option('--json', 'print the summary as JSON')
    .action(async (folders: string[], options) => runIndex(program.opts().dataDir, folders, options));

  program
    .command('search')
    .description('find passages: lexical (BM25), vector or hybrid (fused) search')
    .argument('[query]', 'what to look for')
    .requiredOption('-l, --library <name>', 'library name')
    .option('-k, --k <n>', 'number of results', integer('-k'), 10)
    .addOption(new Option('--mode <mode>', 'lexical, vector or hybrid (default: hybrid when the library has vectors)').choices(['lexical', 'vector', 'hybrid']))
    .option('--documents', 'one result per document (its best passage)')
    .addOption(new Option('--vector-strategy <strategy>', 'exact scan, quantised fast path, or auto by library size').choices(['auto', 'exact', 'fast']).default('auto'))
    .option('--batch <file>', 'run many queries: JSON lines {"id", "query"} in, one JSON line {"id", "results"} out ("-" for stdin)')
    .option('--explain', 'print the calibration in force (fusion weights, relevance threshold, query adapter, measured recall)')
    .option('--json', 'print JSON')
    .action(async (query: string | undefined, options) => runSearch(program.opts().dataDir, query, options));

  program
    .command('ask')
    .description('answer a question from a library with a local model, citing the passages (search-only without a model)')
    .argument('<question>')
    .requiredOption('-l, --library <name>', 'library name')
    .option('-m, --model <id-or-path>', 'GGUF model: a registered id or a path (default: the active model, see quire models use)')
    .option('-a, --adapter <id-or-path[:scale]>', 'LoRA adapter to add, with its scale (default 1); repeatable', collect)
    .option('-p, --profile <name>', 'answer with this profile instead of letting the router choose')
    .option('-c, --conversation <id>', 'continue this conversation', integer('--conversation'))
    .option('--max-tokens <n>', 'longest answer', integer('--max-tokens'))
    .option('--temperature <t>', 'sampling temperature (0 = deterministic)', (v) => Number(v), 0)
    .option('--json', 'one JSON line per event: token, sources, done, error')
    .action(async (question: string, options) => runAsk(program.opts().dataDir, question, options));

  registerProfileCommands(program, () => program.opts().dataDir);

  program
    .command('serve')
    .description('browser mode: the Quire UI and engine on 127.0.0.1, with a per-run token in the printed URL')
    .option('--port <n>', 'port (default: a free one)', (v) => Number(v))
    .option('--no-watch', 'do not keep indexed libraries in sync with their folders')
    .option('-m, --model <id-or-path>', 'generation model to keep loaded, for the UI and the /v1 API (default: the active model)')
    .action(async (options) => runServe(program.opts().dataDir, options));

  program
    .command('status')
    .description("show a library's folders, documents and their status")
    .requiredOption('-l, --library <name>', 'library name')
    .option('--json', 'print as JSON')
    .action((options) => runStatus(program.opts().dataDir, options));

  program
    .command('libraries')
    .description('list libraries')
    .option('--json', 'print as JSON')
    .action((options) => runLibraries(program.opts().dataDir, options));

  program
    .command('remove-library')
    .description("delete a library's index (your documents are never touched)")
    .argument('<name>', 'library name')
    .action((name: string) => runRemoveLibrary(program.opts().dataDir, name));

  registerModelCommands(program, () => program.opts().dataDir as string | undefined);
  registerEvalCommand(program, () => program.opts().dataDir as string | undefined);
  registerDatasetCommands(program, () => program.opts().dataDir as string | undefined);
  registerApiKeyCommand(program, () => program.opts().dataDir as string | undefined);
  return program;
}

/**
 * A reader that goes away (`quire ask --json | head -1`) closes our stdout: writing then fails with EPIPE. That is
 * the reader's choice, not an error, so quire ends quietly with exit 0 whatever command was running.
 */
function exitQuietlyOnClosedOutput(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(0);
    throw error;
  });
}
// Everything quire writes (libraries and their WAL/SHM files, settings, registry, reports, exports) is the user's alone.
usePrivateUmask();
exitQuietlyOnClosedOutput(process.stdout);
exitQuietlyOnClosedOutput(process.stderr);

const program = buildProgram();
program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`quire: ${(error as Error)?.message ?? String(error)}\n`);
  process.exitCode = 1;
});
