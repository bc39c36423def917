import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ParseResult, ParseTask } from './parse-file.js';

export interface ParsePoolOptions {
  /** Parallel parser workers; defaults to the number of cores, at most 4. */
  size?: number;
  /** Time budget for one file before its worker is replaced and the file marked `timeout`. */
  timeoutMs?: number;
  /** Heap budget per worker; going over marks the file `too-large`. */
  maxHeapMb?: number;
  /**
   * `process` (default): each parser is a child process, so even a native crash or a fatal
   * out-of-memory costs one file. `thread`: worker threads, for hosts that cannot spawn Node
   * processes (a packaged Electron app with the RunAsNode fuse off).
   */
  isolation?: 'process' | 'thread';
}

/** One supervised worker (a parser, an OCR worker), whichever isolation it runs in. */
export interface ParserHandle {
  /** OS process id when the parser is a child process. */
  readonly pid: number | null;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the parser dies for any reason other than `stop()`. */
  onDeath(listener: (reason: 'too-large' | 'parser-crashed', detail: string) => void): void;
  /** Whether an idle parser keeps the event loop alive. */
  hold(busy: boolean): void;
  stop(): Promise<void>;
}

interface Job {
  id: number;
  task: ParseTask;
  resolve: (result: ParseResult) => void;
}

interface Slot {
  worker: ParserHandle;
  job: Job | null;
  timer: NodeJS.Timeout | null;
}

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './parse-worker.ts' : './parse-worker.js', import.meta.url);
const noTimings = { readMs: 0, parseMs: 0, splitMs: 0 };

/**
 * Untrusted files are parsed in worker threads with memory and time limits: a parser that
 * crashes, runs out of memory or hangs costs that one file, and its worker is replaced.
 */
export class ParsePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly maxHeapMb: number;
  private readonly isolation: 'process' | 'thread';

  constructor(options: ParsePoolOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.maxHeapMb = options.maxHeapMb ?? 1536;
    this.isolation = options.isolation ?? 'process';
    const size = options.size ?? Math.max(1, Math.min(4, availableParallelism()));
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  parse(task: ParseTask): Promise<ParseResult> {
    if (this.closed) return Promise.reject(new Error('The parser pool is closed'));
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, task, resolve });
      this.pump();
    });
  }

  /** Process ids of the parser processes (for memory accounting). */
  pids(): number[] {
    return this.slots.flatMap((slot) => (slot.worker.pid === null ? [] : [slot.worker.pid]));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.stop()));
  }

  private spawn(): Slot {
    const worker = this.isolation === 'process' ? startProcess(WORKER_URL, this.maxHeapMb) : startThread(WORKER_URL, this.maxHeapMb);
    const slot: Slot = { worker, job: null, timer: null };
    worker.onMessage((raw) => {
      const message = raw as { id: number; result: ParseResult };
      if (slot.job?.id === message.id) this.finish(slot, message.result);
    });
    worker.onDeath((reason, detail) => {
      if (this.closed) return;
      this.fail(slot, reason, reason === 'too-large' ? `Parsing needed more than ${this.maxHeapMb} MB of memory` : `The parser crashed (${detail})`);
    });
    worker.hold(false);
    return slot;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.timer = setTimeout(() => this.fail(slot, 'timeout', `Parsing took longer than ${Math.round(this.timeoutMs / 1000)} s`), this.timeoutMs);
      slot.worker.hold(true);
      slot.worker.send({ id: job.id, task: job.task });
    }
  }

  private finish(slot: Slot, result: ParseResult): void {
    const job = slot.job;
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = null;
    slot.timer = null;
    slot.worker.hold(false);
    job?.resolve(result);
    this.pump();
  }

  /** Ends the slot's job with a failure and replaces its worker, which may be wedged or dead. */
  private fail(slot: Slot, reason: 'timeout' | 'parser-crashed' | 'too-large', message: string): void {
    const job = slot.job;
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = null;
    slot.timer = null;
    const index = this.slots.indexOf(slot);
    if (index === -1) return;
    void slot.worker.stop();
    if (this.closed) return;
    this.slots[index] = this.spawn();
    job?.resolve({ type: 'problem', status: 'failed', reason, message, hash: null, size: null, kind: null, timings: noTimings });
    this.pump();
  }
}

/** Exit code a worker uses when it leaves on its own over its memory budget. */
const EXIT_OVER_BUDGET = 87;

/** A child process running a worker module; from TypeScript source (tests, tsx) through tsx's loader. */
export function startProcess(url: URL, maxHeapMb: number, env?: NodeJS.ProcessEnv): ParserHandle {
  const fromSource = url.pathname.endsWith('.ts');
  const execArgv = [`--max-old-space-size=${maxHeapMb}`, ...(fromSource ? ['--import', 'tsx'] : [])];
  const child = fork(fileURLToPath(url), [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], ...(env ? { env } : {}) });
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => (stderr = (stderr + data.toString()).slice(-4000)));
  let stopping = false;
  return {
    pid: child.pid ?? null,
    send: (message) => child.send(message as object),
    onMessage: (listener) => child.on('message', listener),
    onDeath: (listener) =>
      child.on('exit', (code, signal) => {
        if (stopping) return;
        const outOfMemory = code === EXIT_OVER_BUDGET || /heap out of memory|Reached heap limit/i.test(stderr);
        listener(outOfMemory ? 'too-large' : 'parser-crashed', signal ? `killed by ${signal}` : `exit code ${code}`);
      }),
    hold: (busy) => {
      if (busy) child.ref();
      else child.unref();
      for (const handle of [child.channel, child.stderr] as unknown as ({ ref?: () => void; unref?: () => void } | null | undefined)[]) {
        handle?.[busy ? 'ref' : 'unref']?.();
      }
    },
    stop: async () => {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // An idle child is unreferenced; its exit must still keep the caller's event loop alive.
      child.ref();
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export function startThread(url: URL, maxHeapMb: number): ParserHandle {
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  const worker = url.pathname.endsWith('.ts') ? new Worker(bootstrap, { eval: true, resourceLimits }) : new Worker(url, { resourceLimits });
  let stopping = false;
  let dead = false;
  return {
    pid: null,
    send: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', listener),
    onDeath: (listener) => {
      const die = (reason: 'too-large' | 'parser-crashed', detail: string): void => {
        if (stopping || dead) return;
        dead = true;
        listener(reason, detail);
      };
      worker.on('error', (error: Error & { code?: string }) => die(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'too-large' : 'parser-crashed', error.message));
      worker.on('exit', (code) => die('parser-crashed', `exit code ${code}`));
    },
    hold: (busy) => (busy ? worker.ref() : worker.unref()),
    stop: async () => {
      stopping = true;
      await worker.terminate();
    },
  };
}
