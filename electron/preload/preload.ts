import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { ErrorPayload, MethodName } from '../shared/contract.js';

type Reply = { ok: true; result: unknown } | { ok: false; error: ErrorPayload };

function fail(error: ErrorPayload): Error {
  return Object.assign(new Error(error.message), { code: error.code });
}

// Ports for streams arrive separately from the invoke reply; whichever comes second pairs them.
const ports = new Map<string, MessagePort>();
const waitingForPort = new Map<string, (port: MessagePort) => void>();
ipcRenderer.on('quire:stream', (event, message: { streamId: string }) => {
  const port = event.ports[0];
  if (!port) return;
  const waiting = waitingForPort.get(message.streamId);
  if (waiting) {
    waitingForPort.delete(message.streamId);
    waiting(port);
  } else ports.set(message.streamId, port);
});

const noticeListeners = new Set<(notice: unknown) => void>();
ipcRenderer.on('quire:notice', (_event, notice: unknown) => noticeListeners.forEach((listener) => listener(notice)));

/** window.quire: the contract's client, built from IPC and MessagePorts. No ipcRenderer is exposed. */
const quire = {
  shell: 'electron' as const,
  async call(method: MethodName, params: unknown): Promise<unknown> {
    const reply = (await ipcRenderer.invoke(`quire:${method}`, params)) as Reply;
    if (!reply.ok) throw fail(reply.error);
    return reply.result;
  },
  stream(method: MethodName, params: unknown) {
    const listeners: ((event: unknown) => void)[] = [];
    let port: MessagePort | null = null;
    let cancelled = false;
    const result = new Promise<unknown>((resolve, reject) => {
      void (ipcRenderer.invoke(`quire:${method}`, params) as Promise<Reply>).then((reply) => {
        if (!reply.ok) return reject(fail(reply.error));
        const { streamId } = reply.result as { streamId: string };
        const attach = (p: MessagePort): void => {
          port = p;
          let settled = false;
          p.onmessage = (message: MessageEvent) => {
            const data = message.data as { type: string; event?: unknown; result?: unknown; error?: ErrorPayload };
            if (settled) return;
            if (data.type === 'event') listeners.forEach((listener) => listener(data.event));
            else if (data.type === 'result') {
              settled = true;
              resolve(data.result);
            } else if (data.type === 'error') {
              settled = true;
              reject(fail(data.error ?? { code: 'internal', message: 'Engine error' }));
            }
          };
          // The engine's end closes when its process dies: the stream ends instead of waiting forever.
          p.addEventListener('close', () => {
            if (settled) return;
            settled = true;
            reject(fail({ code: 'engine-restarted', message: 'The engine stopped before this finished and is being restarted; try again.' }));
          });
          p.start();
          if (cancelled) p.postMessage({ type: 'cancel' });
        };
        const ready = ports.get(streamId);
        if (ready) {
          ports.delete(streamId);
          attach(ready);
        } else waitingForPort.set(streamId, attach);
      }, reject);
    });
    return {
      result,
      cancel() {
        cancelled = true;
        (port as MessagePort | null)?.postMessage({ type: 'cancel' });
      },
      onEvent(listener: (event: unknown) => void) {
        listeners.push(listener);
      },
    };
  },
  pathForFile(file: File): string {
    return webUtils.getPathForFile(file);
  },
  onNotice(listener: (notice: unknown) => void): void {
    noticeListeners.add(listener);
  },
};

contextBridge.exposeInMainWorld('quire', quire);
