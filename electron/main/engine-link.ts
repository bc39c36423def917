import { EngineError, type EngineCalls, type MethodName } from '../shared/contract.js';
import type { EngineLink } from './ipc-router.js';

/** The parts of Electron's MessagePortMain a stream uses (so this is tested with Node's MessageChannel). */
export interface StreamPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  start(): void;
  close(): void;
}

/**
 * The IPC router's view of the engine host: calls pass through; a stream's events, result or
 * error go to the window's port, and the window cancels on it (or by closing it). When the engine
 * dies mid-stream the host ends the call with `engine-restarted`, so the window's stream ends too.
 */
export function engineLink<P extends StreamPort>(engine: EngineCalls, options: { openFile?: (path: string) => Promise<boolean> } = {}): EngineLink<P> {
  return {
    async call(method, params) {
      const result = await engine.call(method as MethodName, params as never);
      // The engine's process has no shell: the desktop app opens files from main (shell.openPath).
      if (method === 'documents.open' && options.openFile) {
        const opened = result as { opened: boolean; url: string | null; file?: string };
        if (!opened.opened && opened.file) return { ...opened, opened: await options.openFile(opened.file) };
      }
      return result;
    },
    stream(method, params, port) {
      const abort = new AbortController();
      let ended = false;
      const end = (message: unknown) => {
        if (ended) return;
        ended = true;
        port.postMessage(message);
        port.close();
      };
      port.on('message', (event) => {
        if ((event.data as { type?: string } | null)?.type === 'cancel') abort.abort();
      });
      port.on('close', () => abort.abort());
      port.start();
      engine
        .call(method as MethodName, params as never, { signal: abort.signal, onEvent: (event) => !ended && port.postMessage({ type: 'event', event }) })
        .then((result) => end({ type: 'result', result }))
        .catch((error: unknown) => {
          const e = error instanceof EngineError ? error : new EngineError('internal', (error as Error)?.message ?? String(error));
          end({ type: 'error', error: { code: e.code, message: e.message } });
        });
    },
  };
}
