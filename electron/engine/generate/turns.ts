import { QuireError } from '../errors.js';

/** A caller gave up (its signal aborted) before its turn came: its work never ran. */
export class TurnCancelledError extends QuireError {
  constructor() {
    super('cancelled', 'Cancelled while waiting for the model');
  }
}

/**
 * One caller at a time, in arrival order. A waiting caller whose signal aborts leaves the line
 * at once, so a client that went away never costs the model any work.
 */
export class TurnQueue {
  private busy = false;
  private readonly waiting: (() => void)[] = [];

  /** Callers waiting behind the one running. */
  get pending(): number {
    return this.waiting.length;
  }

  async run<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    await this.acquire(signal);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(new TurnCancelledError());
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const start = (): void => {
        signal?.removeEventListener('abort', leave);
        resolve();
      };
      const leave = (): void => {
        const at = this.waiting.indexOf(start);
        if (at !== -1) this.waiting.splice(at, 1);
        reject(new TurnCancelledError());
      };
      signal?.addEventListener('abort', leave, { once: true });
      this.waiting.push(start);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }
}
