import { availableParallelism } from 'node:os';
import { SupervisedPool } from '../host/supervised-pool.js';
import { defaultWorkerIsolation, startWorker, type WorkerIsolation } from '../host/worker-handle.js';
import type { ParseResult, ParseTask } from './parse-file.js';

export interface ParsePoolOptions {
  /** Parallel parser workers; defaults to the number of cores, at most 4. */
  size?: number;
  /** Time budget for one file before its worker is replaced and the file marked `timeout`. */
  timeoutMs?: number;
  /** Heap budget per worker; going over marks the file `too-large`. */
  maxHeapMb?: number;
  /**
   * `process`: each parser is a child process, so even a native crash or a fatal out-of-memory
   * costs one file. `thread`: worker threads, for hosts that cannot spawn Node processes (Electron,
   * whose packaged app has the RunAsNode fuse off). Default: `defaultWorkerIsolation()`.
   */
  isolation?: WorkerIsolation;
}

interface Job {
  task: ParseTask;
  resolve: (result: ParseResult) => void;
}

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './parse-worker.ts' : './parse-worker.js', import.meta.url);
/**
 * Slightly below normal priority: indexing runs in the background of whatever the user is doing,
 * and on a machine with few cores the embedding model (in the engine's process) gets the CPU
 * first, while parsing fills the gaps; it never runs more than a backlog ahead of embedding anyway.
 */
const PARSER_NICENESS = 5;
const noTimings = { readMs: 0, parseMs: 0, splitMs: 0 };

/**
 * Untrusted files are parsed in supervised workers with memory and time limits: a parser that
 * crashes, runs out of memory or hangs costs that one file, and its worker is replaced.
 */
export class ParsePool {
  private readonly pool: SupervisedPool<Job, { id: number; result: ParseResult }>;

  constructor(options: ParsePoolOptions = {}) {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const maxHeapMb = options.maxHeapMb ?? 1536;
    const isolation = options.isolation ?? defaultWorkerIsolation();
    this.pool = new SupervisedPool({
      size: options.size ?? Math.max(1, Math.min(4, availableParallelism())),
      timeoutMs,
      startWorker: () => startWorker(isolation, WORKER_URL, maxHeapMb, { niceness: PARSER_NICENESS }),
      request: (id, job) => ({ id, task: job.task }),
      onReply: (job, reply) => {
        job.resolve(reply.result);
        return true;
      },
      onFailure: (job, failure, detail) => {
        const message =
          failure === 'timeout'
            ? `Parsing took longer than ${Math.round(timeoutMs / 1000)} s`
            : failure === 'too-large'
              ? `Parsing needed more than ${maxHeapMb} MB of memory`
              : `The parser crashed (${detail})`;
        const reason = failure === 'crashed' ? 'parser-crashed' : failure;
        job.resolve({ type: 'problem', status: 'failed', reason, message, hash: null, size: null, kind: null, timings: noTimings });
      },
    });
  }

  parse(task: ParseTask): Promise<ParseResult> {
    if (this.pool.closed) return Promise.reject(new Error('The parser pool is closed'));
    return new Promise((resolve) => this.pool.submit({ task, resolve }));
  }

  /** Process ids of the parser processes (for memory accounting). */
  pids(): number[] {
    return this.pool.pids();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
