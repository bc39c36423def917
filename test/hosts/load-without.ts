// Loads what the engine loads for a PDF and an embedding, in this thread, and prints one JSON line.
// Run with test/hosts/exclude-packages.mjs to show that packages the packaged app leaves out are not needed.
// Usage: load-without.ts PDF EMBEDDER_DIR
import { parseFile } from '../../electron/engine/ingest/parse-file.js';
import { TransformersEmbedder } from '../../electron/engine/embed/transformers.js';

const [pdf, embedderDir] = process.argv.slice(2);
const parsed = await parseFile({ rawPath: Buffer.from(pdf!), path: pdf!, knownHash: null, split: { chunkTokens: 300, overlapTokens: 40 } });
const embedder = await TransformersEmbedder.load(embedderDir!);
const [vector] = await embedder.embedPassages(['pangolin survey']);
process.stdout.write(JSON.stringify({ parsed: parsed.type, chunks: 'chunks' in parsed ? parsed.chunks.length : null, dimension: vector?.length ?? 0 }) + '\n');
