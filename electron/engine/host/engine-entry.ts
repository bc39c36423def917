import type { EngineToHost, HostToEngine } from '../../shared/engine-protocol.js';
import { createEngineApi, type EngineApi, type EngineApiOptions } from '../api/engine-api.js';
import { toErrorPayload } from '../errors.js';

/**
 * The engine's own process, started by an engine host: an Electron utility process (messages on
 * `process.parentPort`) or a Node child process (`process.send`). It waits for `init`, then
 * answers calls by id until the host goes away.
 */
interface ParentLink {
  post(message: EngineToHost): void;
  onMessage(listener: (message: HostToEngine) => void): void;
}

function parentLink(): ParentLink {
  const parentPort = (process as unknown as { parentPort?: { postMessage(m: unknown): void; on(e: 'message', l: (event: { data: unknown }) => void): void } }).parentPort;
  if (parentPort) return { post: (m) => parentPort.postMessage(m), onMessage: (l) => parentPort.on('message', (event) => l(event.data as HostToEngine)) };
  if (process.send) {
    // The host is gone (it crashed or closed the channel): nothing is left to serve.
    process.on('disconnect', () => process.exit(0));
    return { post: (m) => void process.send?.(m), onMessage: (l) => process.on('message', (m) => l(m as HostToEngine)) };
  }
  throw new Error('engine-entry runs as the child of an engine host (an Electron utility process or a Node child with IPC)');
}

const parent = parentLink();
const running = new Map<number, AbortController>();
let api: EngineApi | null = null;
const waiting: HostToEngine[] = [];

function serve(message: HostToEngine): void {
  if (message.type === 'ping') return parent.post({ type: 'pong', id: message.id });
  if (message.type === 'cancel') return void running.get(message.id)?.abort();
  if (message.type !== 'call') return;
  if (!api) return void waiting.push(message);
  const { id, method, params } = message;
  const abort = new AbortController();
  running.set(id, abort);
  api
    .handle(method, params, { signal: abort.signal, emit: (event) => parent.post({ type: 'event', id, event }) })
    .then((result) => parent.post({ type: 'result', id, result }))
    .catch((error: unknown) => parent.post({ type: 'error', id, error: abort.signal.aborted ? { code: 'cancelled', message: 'Cancelled' } : toErrorPayload(error) }))
    .finally(() => running.delete(id));
}

parent.onMessage((message) => {
  if (message.type !== 'init') return serve(message);
  if (api) return;
  createEngineApi({ ...(message.options as EngineApiOptions), afterEngineCrash: message.afterCrash === true }).then(
    (created) => {
      api = created;
      api.onNotice((notice) => parent.post({ type: 'notice', notice }));
      parent.post({ type: 'ready' });
      for (const queued of waiting.splice(0)) serve(queued);
    },
    (error: unknown) => {
      parent.post({ type: 'init-failed', error: toErrorPayload(error) });
      // Let the message leave before the process does.
      setTimeout(() => process.exit(1), 100);
    },
  );
});

// Asked to stop (the host is shutting down): close the libraries cleanly, within a few seconds.
process.once('SIGTERM', () => {
  setTimeout(() => process.exit(0), 3000).unref();
  void (api?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
