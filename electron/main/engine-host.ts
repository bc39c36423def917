import type { ErrorPayload } from '../shared/contract.js';
import type { EngineLink } from './ipc-router.js';

/** The parts of Electron's UtilityProcess the host uses. */
export interface ChildLike<P> {
  postMessage(message: unknown, transfer?: P[]): void;
  on(event: 'message', listener: (message: unknown) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  kill(): boolean;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Supervises the engine's utility process: requests go out with ids and come back as results or
 * `{code, message}` errors; if the process dies, pending requests fail with `engine-restarted`,
 * a new process starts (with backoff if it keeps dying) and the windows are told.
 */
export class EngineHost<P> implements EngineLink<P> {
  private child: ChildLike<P> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private restarts: number[] = [];
  private stopped = false;

  constructor(
    private readonly spawn: () => ChildLike<P>,
    private readonly onRestart: (message: string) => void,
    private readonly schedule: (fn: () => void, ms: number) => void = (fn, ms) => void setTimeout(fn, ms),
  ) {}

  start(): void {
    const child = this.spawn();
    this.child = child;
    child.on('message', (raw) => {
      const message = raw as { type: string; id: number; result?: unknown; error?: ErrorPayload };
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.type === 'result') waiting.resolve(message.result);
      else waiting.reject(Object.assign(new Error(message.error?.message ?? 'Engine error'), { code: message.error?.code ?? 'internal' }));
    });
    child.on('exit', (code) => {
      if (this.child !== child) return;
      this.child = null;
      for (const [, waiting] of this.pending) waiting.reject(Object.assign(new Error('The engine stopped and is restarting; try again'), { code: 'engine-restarted' }));
      this.pending.clear();
      if (this.stopped) return;
      const now = Date.now();
      this.restarts = [...this.restarts.filter((t) => now - t < 60_000), now];
      const delay = Math.min(30_000, 250 * 2 ** (this.restarts.length - 1));
      this.onRestart(`The engine stopped unexpectedly (exit code ${code}); restarting it.`);
      this.schedule(() => !this.stopped && this.start(), delay);
    });
  }

  call(method: string, params: unknown): Promise<unknown> {
    const child = this.child;
    if (!child) return Promise.reject(Object.assign(new Error('The engine is restarting; try again in a moment'), { code: 'engine-restarted' }));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.postMessage({ type: 'call', id, method, params });
    });
  }

  stream(method: string, params: unknown, port: P): void {
    if (!this.child) throw Object.assign(new Error('The engine is restarting; try again in a moment'), { code: 'engine-restarted' });
    this.child.postMessage({ type: 'stream', id: this.nextId++, method, params }, [port]);
  }

  stop(): void {
    this.stopped = true;
    this.child?.kill();
    this.child = null;
  }
}
