// Runs the engine as a shell would (createEngine, then a library's index) and prints what it did as
// one JSON line: the summary, every document's status, which OCR text search finds, and whether
// `fork` really throws here. Usage: index-in-host.ts FOLDER DATA_DIR [QUERY...]; QUIRE_TEST_EMBEDDER=DIR
// also embeds the passages with that model and searches in hybrid mode.
import { fork } from 'node:child_process';
import { createEngine } from '../../electron/engine/index.js';

const [folder, dataDir, ...queries] = process.argv.slice(2);
if (!folder || !dataDir) throw new Error('usage: index-in-host.ts FOLDER DATA_DIR [QUERY...]');

let forkRefused = false;
try {
  fork(process.argv[1]!);
} catch {
  forkRefused = true;
}

const engine = createEngine({ dataDir });
const library = engine.openLibrary('mixed', { create: true });
library.addFolder(folder);
const embedderPath = process.env.QUIRE_TEST_EMBEDDER;
if (embedderPath) library.useEmbedder(await engine.loadEmbedder(embedderPath));
const { summary } = await library.index();
const documents = library.status().documents.map((d) => ({ path: d.relativePath, kind: d.kind, status: d.status, reason: d.reason, message: d.message, chunks: d.chunks }));
const found: Record<string, string[]> = {};
for (const query of queries) {
  found[query] = (await library.searcher().search(query, { mode: embedderPath ? 'hybrid' : 'lexical', k: 3 })).results.map((r) => r.relativePath);
}
const ocr = library.ocrCounters();
const vectors = library.vectors.count();
await library.close();
process.stdout.write(JSON.stringify({ forkRefused, summary, documents, found, ocr, vectors }) + '\n');
