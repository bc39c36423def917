import { isStreamMethod } from '../../shared/contract.js';
import { openWithSystemViewer, QuireService, toErrorPayload } from '../service.js';
import { resolveEngineDataDir } from './data-dir.js';

/**
 * Entry of the engine's Electron utility process. Calls arrive from main on `process.parentPort`;
 * a stream arrives with its own MessagePort, over which events go straight to the window.
 */
interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  start(): void;
}
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown; ports: PortLike[] }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) throw new Error('utility-entry must run in an Electron utility process');

const service = new QuireService({ dataDir: resolveEngineDataDir(), watch: true, openFile: openWithSystemViewer });

parentPort.on('message', ({ data, ports }) => {
  const message = data as { type: 'call' | 'stream'; id: number; method: string; params: unknown };
  if (message.type === 'call') {
    const abort = new AbortController();
    service
      .handle(message.method, message.params, { signal: abort.signal, emit: () => undefined })
      .then((result) => parentPort.postMessage({ type: 'result', id: message.id, result }))
      .catch((error: unknown) => parentPort.postMessage({ type: 'error', id: message.id, error: toErrorPayload(error) }));
    return;
  }
  const port = ports[0];
  if (!port || !isStreamMethod(message.method)) return;
  const abort = new AbortController();
  port.on('message', ({ data: control }) => {
    if ((control as { type?: string }).type === 'cancel') abort.abort();
  });
  port.on('close', () => abort.abort());
  port.start();
  service
    .handle(message.method, message.params, { signal: abort.signal, emit: (event) => port.postMessage({ type: 'event', event }) })
    .then((result) => port.postMessage({ type: 'result', result }))
    .catch((error: unknown) => port.postMessage({ type: 'error', error: abort.signal.aborted ? { code: 'cancelled', message: 'Cancelled' } : toErrorPayload(error) }));
});
