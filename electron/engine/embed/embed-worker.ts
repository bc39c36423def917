import { setImmediate as nextTurn } from 'node:timers/promises';
import { parentPort } from 'node:worker_threads';
import { TransformersEmbedder } from './transformers.js';
import type { EmbedRequest, FromEmbedWorker, ToEmbedWorker } from './worker-embedder.js';

/**
 * Embedding entry, run as a worker thread of the engine: tokenizing and pooling are synchronous
 * JavaScript, and here they no longer hold up the engine's thread while it stores parse results.
 * Queries are answered before any waiting batch of passages.
 */

const port = parentPort!;
const send = (message: FromEmbedWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
let embedder: TransformersEmbedder | null = null;
const queries: EmbedRequest[] = [];
const passages: EmbedRequest[] = [];
let draining = false;

port.on('message', (message: ToEmbedWorker) => {
  switch (message.type) {
    case 'load':
      void load(message.folder);
      return;
    case 'embed':
      (message.kind === 'query' ? queries : passages).push(message);
      void drain();
      return;
    case 'crash':
      process.exit(70);
  }
});

async function load(folder: string): Promise<void> {
  try {
    embedder = await TransformersEmbedder.load(folder);
    const { model, dimension, pooling, path } = embedder;
    send({ type: 'loaded', model, dimension, pooling, path });
  } catch (error) {
    send({ type: 'load-failed', message: (error as Error).message });
  }
}

async function drain(): Promise<void> {
  if (draining) return;
  draining = true;
  try {
    for (;;) {
      // Let requests that arrived during the last batch in first, so a query can overtake passages.
      await nextTurn();
      const request = queries.shift() ?? passages.shift();
      if (!request) return;
      try {
        const vectors = request.kind === 'query' ? [await embedder!.embedQuery(request.texts[0]!)] : await embedder!.embedPassages(request.texts);
        send({ type: 'embedded', id: request.id, vectors }, vectors.map((v) => v.buffer as ArrayBuffer));
      } catch (error) {
        send({ type: 'failed', id: request.id, message: (error as Error).message });
      }
    }
  } finally {
    draining = false;
  }
}
