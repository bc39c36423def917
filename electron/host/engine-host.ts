import { EngineError, type CallOptions, type EngineCalls, type MethodName, type Notice, type Params, type Result } from '../shared/contract.js';
import type { EngineToHost, HostToEngine } from '../shared/engine-protocol.js';

/** The engine's process as the host sees it: an Electron utility process or a Node child process. */
export interface EngineProcess {
  readonly pid: number | null;
  send(message: HostToEngine): void;
  onMessage(listener: (message: EngineToHost) => void): void;
  /** Once, however the process ended. */
  onExit(listener: (detail: string) => void): void;
  kill(): void;
}

export interface EngineHostOptions {
  spawn: () => EngineProcess;
  /** Sent as `init` to every engine process the host starts (plain data). */
  init: unknown;
  /** Notices from the engine, and the host's own `engine-restarted`. */
  onNotice: (notice: Notice) => void;
  /** A running engine must answer a ping within this long, or it is taken for hung and restarted. */
  health?: { intervalMs: number; timeoutMs: number };
  schedule?: (fn: () => void, ms: number) => void;
}

interface InFlight {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  onEvent?: (event: unknown) => void;
  detach: () => void;
}

const RESTARTED = (why: string) => new EngineError('engine-restarted', `The engine stopped (${why}) and is restarting; try again`);

/**
 * Supervises the engine's process for a long-running shell. Calls and streams go out by id and
 * come back as results, events or `{code, message}` errors. If the process dies or stops
 * answering pings, every call and stream in flight ends with `engine-restarted`, the shell is
 * told, and a new process starts (backing off when it keeps dying). Calls made meanwhile wait
 * for it. The shell never shares the engine's fate.
 */
export class EngineHost implements EngineCalls {
  private process: EngineProcess | null = null;
  private ready: Promise<void> | null = null;
  private readonly inFlight = new Map<number, InFlight>();
  private nextId = 1;
  private recentStarts: number[] = [];
  private stopped = false;
  private healthTimer: NodeJS.Timeout | null = null;
  private restarts = 0;

  constructor(private readonly options: EngineHostOptions) {}

  /** Starts the engine; rejects when the first engine cannot initialise (e.g. a bad `--model`). */
  start(): Promise<void> {
    this.ready = this.launch();
    return this.ready;
  }

  /** How many times the engine has been restarted after dying. */
  get restartCount(): number {
    return this.restarts;
  }

  get pid(): number | null {
    return this.process?.pid ?? null;
  }

  private launch(): Promise<void> {
    const child = this.options.spawn();
    this.process = child;
    this.recentStarts = [...this.recentStarts.filter((t) => Date.now() - t < 60_000), Date.now()];
    let settle: { resolve: () => void; reject: (error: unknown) => void };
    const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    let initialised = false;
    child.onMessage((message) => {
      switch (message.type) {
        case 'ready':
          initialised = true;
          this.watchHealth(child);
          return settle.resolve();
        case 'init-failed':
          return settle.reject(EngineError.from(message.error));
        case 'notice':
          return this.options.onNotice(message.notice);
        case 'pong':
          return void (this.lastPong = Date.now());
        case 'event':
          return this.inFlight.get(message.id)?.onEvent?.(message.event);
        case 'result':
        case 'error': {
          const call = this.inFlight.get(message.id);
          if (!call) return;
          this.inFlight.delete(message.id);
          call.detach();
          if (message.type === 'result') call.resolve(message.result);
          else call.reject(EngineError.from(message.error));
        }
      }
    });
    child.onExit((detail) => {
      if (this.process !== child) return;
      this.process = null;
      this.stopHealth();
      if (!initialised) settle.reject(new EngineError('engine-restarted', `The engine could not start (${detail})`));
      for (const [id, call] of this.inFlight) {
        this.inFlight.delete(id);
        call.detach();
        call.reject(RESTARTED(detail));
      }
      if (this.stopped || !initialised) return;
      this.restarts++;
      this.options.onNotice({ kind: 'engine-restarted', message: `The engine stopped unexpectedly (${detail}); it was restarted. An answer or job in progress was stopped.` });
      const delay = Math.min(30_000, 250 * 2 ** (this.recentStarts.length - 1));
      let resolveRestart!: () => void;
      this.ready = new Promise<void>((resolve) => (resolveRestart = resolve));
      (this.options.schedule ?? ((fn, ms) => void setTimeout(fn, ms)))(() => {
        if (this.stopped) return resolveRestart();
        // A restarted engine that fails to initialise is retried by its own exit.
        this.launch().then(resolveRestart, () => undefined);
      }, delay);
    });
    child.send({ type: 'init', options: this.options.init, afterCrash: this.restarts > 0 });
    return ready;
  }

  private lastPong = 0;

  private watchHealth(child: EngineProcess): void {
    const health = this.options.health;
    if (!health) return;
    this.lastPong = Date.now();
    this.healthTimer = setInterval(() => {
      if (Date.now() - this.lastPong > health.timeoutMs) {
        this.stopHealth();
        child.kill();
        return;
      }
      child.send({ type: 'ping', id: 0 });
    }, health.intervalMs);
    this.healthTimer.unref();
  }

  private stopHealth(): void {
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthTimer = null;
  }

  async call<M extends MethodName>(method: M, params: Params<M>, options: CallOptions = {}): Promise<Result<M>> {
    if (this.stopped) throw new EngineError('engine-stopped', 'The engine has been shut down');
    if (!this.ready) throw new EngineError('engine-stopped', 'The engine has not been started');
    await this.ready;
    const child = this.process;
    if (!child) throw RESTARTED('it exited');
    const { signal, onEvent } = options;
    if (signal?.aborted) throw new EngineError('cancelled', 'Cancelled');
    const id = this.nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      const cancel = () => child.send({ type: 'cancel', id });
      signal?.addEventListener('abort', cancel, { once: true });
      this.inFlight.set(id, { resolve: resolve as (value: unknown) => void, reject, onEvent, detach: () => signal?.removeEventListener('abort', cancel) });
      child.send({ type: 'call', id, method, params });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopHealth();
    const child = this.process;
    this.process = null;
    for (const [id, call] of this.inFlight) {
      this.inFlight.delete(id);
      call.detach();
      call.reject(new EngineError('engine-stopped', 'The engine was shut down'));
    }
    if (!child) return;
    await new Promise<void>((resolve) => {
      child.onExit(() => resolve());
      child.kill();
    });
  }
}
