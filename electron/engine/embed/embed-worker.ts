import { parentPort } from 'node:worker_threads';
import { TransformersEmbedder } from './transformers.js';
import type { EmbedRequest, FromEmbedWorker, ToEmbedWorker } from './worker-embedder.js';

/**
 * Embedding entry, run as a worker thread of the engine: tokenizing and pooling are synchronous
 * JavaScript, and here they no longer hold up the engine's thread while it stores parse results.
 * Batches of passages run one after another; a query starts as soon as it arrives, and the batch
 * in progress pauses after its current model call until the query is answered.
 */

const port = parentPort!;
let embedder: TransformersEmbedder | null = null;
/** The batches of passages, run one after another. */
let passages = Promise.resolve();
let queriesRunning = 0;
const queriesAnswered: (() => void)[] = [];

port.on('message', (message: ToEmbedWorker) => {
  switch (message.type) {
    case 'load':
      void load(message.folder);
      return;
    case 'embed':
      if (message.kind === 'query') void answerQuery(message);
      else passages = passages.then(() => answer(message));
      return;
    case 'crash':
      process.exit(70);
    // falls through (exit does not return)
    case 'hang':
      // A test stand-in for a model call that never returns.
      for (;;) Math.random();
  }
});

function send(message: FromEmbedWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function load(folder: string): Promise<void> {
  try {
    embedder = await TransformersEmbedder.load(folder);
    const { model, dimension, pooling, path } = embedder;
    send({ type: 'loaded', model, dimension, pooling, path });
  } catch (error) {
    send({ type: 'load-failed', message: (error as Error).message });
  }
}

async function answerQuery(request: EmbedRequest): Promise<void> {
  queriesRunning++;
  try {
    await answer(request);
  } finally {
    if (--queriesRunning === 0) queriesAnswered.splice(0).forEach((resume) => resume());
  }
}

async function letQueriesFinish(): Promise<void> {
  send({ type: 'alive' });
  if (queriesRunning > 0) await new Promise<void>((resume) => queriesAnswered.push(resume));
}

async function answer(request: EmbedRequest): Promise<void> {
  try {
    const vectors = request.kind === 'query' ? [await embedder!.embedQuery(request.texts[0]!)] : await embedder!.embedPassages(request.texts, letQueriesFinish);
    send({ type: 'embedded', id: request.id, vectors }, vectors.map((v) => v.buffer as ArrayBuffer));
  } catch (error) {
    send({ type: 'failed', id: request.id, message: (error as Error).message });
  }
}
