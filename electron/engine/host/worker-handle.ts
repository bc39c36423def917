import { fork } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** One supervised worker (a parser, an OCR worker, an embedder), whichever isolation it runs in. */
export interface WorkerHandle {
  /** OS process id when the worker is a child process. */
  readonly pid: number | null;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the worker dies for any reason other than `stop()`. */
  onDeath(listener: (reason: 'too-large' | 'crashed', detail: string) => void): void;
  /** Whether an idle worker keeps the event loop alive. */
  hold(busy: boolean): void;
  stop(): Promise<void>;
}

/**
 * How parser and OCR workers are isolated from the engine. `process`: child processes started with
 * `child_process.fork` (a native crash or fatal out-of-memory costs one worker). `thread`: worker
 * threads inside the engine's process, for hosts where fork is not available: under Electron
 * `fork` re-runs the Electron binary, which only acts as Node while the RunAsNode fuse is on, and
 * the packaged app turns it off.
 */
export type WorkerIsolation = 'process' | 'thread';

/**
 * The isolation to use when the host did not choose one: `QUIRE_WORKERS` (`process` or `thread`) when
 * set, else `thread` inside Electron (any Electron process, the engine's utility process included),
 * else `process`.
 */
export function defaultWorkerIsolation(env: NodeJS.ProcessEnv = process.env, versions: NodeJS.ProcessVersions = process.versions): WorkerIsolation {
  const chosen = env.QUIRE_WORKERS;
  if (chosen === 'process' || chosen === 'thread') return chosen;
  if (chosen) throw new Error(`QUIRE_WORKERS must be "process" or "thread", not "${chosen}"`);
  return (versions as NodeJS.ProcessVersions & { electron?: string }).electron ? 'thread' : 'process';
}

/** Starts a worker module with the given isolation. */
export function startWorker(isolation: WorkerIsolation, url: URL, maxHeapMb: number, options: { env?: NodeJS.ProcessEnv; niceness?: number } = {}): WorkerHandle {
  return isolation === 'thread' ? startThread(url, maxHeapMb) : startProcess(url, maxHeapMb, options);
}

/** Exit code a worker uses when it leaves on its own over its memory budget. */
export const EXIT_OVER_BUDGET = 87;

/**
 * A child process running a worker module; from TypeScript source (tests, tsx) through tsx's loader.
 * `niceness` lowers its CPU priority by that much below the engine's own, where the system allows it.
 */
export function startProcess(url: URL, maxHeapMb: number, options: { env?: NodeJS.ProcessEnv; niceness?: number } = {}): WorkerHandle {
  const { env, niceness = 0 } = options;
  if ((process.versions as NodeJS.ProcessVersions & { electron?: string }).electron) {
    // fork would start another copy of the app once the RunAsNode fuse is off (packaged builds).
    throw new Error('Worker processes cannot be forked under Electron: use thread isolation');
  }
  const fromSource = url.pathname.endsWith('.ts');
  const execArgv = [`--max-old-space-size=${maxHeapMb}`, ...(fromSource ? ['--import', 'tsx'] : [])];
  const child = fork(fileURLToPath(url), [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], ...(env ? { env } : {}) });
  if (niceness > 0 && child.pid !== undefined) {
    try {
      setPriority(child.pid, Math.min(19, getPriority() + niceness));
    } catch {
      // not permitted on this system: the worker then runs at normal priority
    }
  }
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
        listener(outOfMemory ? 'too-large' : 'crashed', signal ? `killed by ${signal}` : `exit code ${code}`);
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

/** A worker thread running a worker module, for hosts that cannot spawn Node processes. */
export function startThread(url: URL, maxHeapMb: number): WorkerHandle {
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
      const die = (reason: 'too-large' | 'crashed', detail: string): void => {
        if (stopping || dead) return;
        dead = true;
        listener(reason, detail);
      };
      worker.on('error', (error: Error & { code?: string }) => die(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'too-large' : 'crashed', error.message));
      worker.on('exit', (code) => die('crashed', `exit code ${code}`));
    },
    hold: (busy) => (busy ? worker.ref() : worker.unref()),
    stop: async () => {
      stopping = true;
      await worker.terminate();
    },
  };
}
