import type { WorkerHandle } from './worker-handle.js';

/** Why a worker lost its job: it ran over the job's time budget, over its memory budget, or died. */
export type WorkerFailure = 'timeout' | 'too-large' | 'crashed';

export interface SupervisedPoolOptions<Job, Reply extends { id: number }> {
  size: number;
  /** Time budget for one job. */
  timeoutMs: number;
  /**
   * Set: workers start when jobs wait and all stop after this long without a job. Unset: all `size`
   * workers start at once, and a failed one is replaced at once.
   */
  idleMs?: number;
  startWorker(): WorkerHandle;
  /** The message that hands a job to its worker; the worker's replies carry the same `id`. */
  request(id: number, job: Job): unknown;
  /** A reply from the worker running `job`; returns whether the job is over and the worker free. */
  onReply(job: Job, reply: Reply, worker: WorkerHandle): boolean;
  /** The job's worker failed and is already stopped. `detail` says how a dead worker ended. */
  onFailure(job: Job, failure: WorkerFailure, detail: string): void;
}

interface Slot<Job> {
  worker: WorkerHandle;
  running: { id: number; job: Job } | null;
  timer: NodeJS.Timeout | null;
}

/**
 * Runs jobs in first-in first-out order on supervised workers, one job per worker at a time. A
 * worker that dies, goes over its memory budget or its job's time budget costs that one job.
 */
export class SupervisedPool<Job, Reply extends { id: number }> {
  private readonly slots: Slot<Job>[] = [];
  private readonly queue: { id: number; job: Job }[] = [];
  private nextId = 1;
  private isClosed = false;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: SupervisedPoolOptions<Job, Reply>) {
    if (options.idleMs === undefined) for (let i = 0; i < options.size; i++) this.slots.push(this.startSlot());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  submit(job: Job): void {
    this.queue.push({ id: this.nextId++, job });
    this.pump();
  }

  /** Takes every job still waiting for a worker off the queue. */
  takeQueued(): Job[] {
    return this.queue.splice(0).map((queued) => queued.job);
  }

  pids(): number[] {
    return this.slots.flatMap((slot) => (slot.worker.pid === null ? [] : [slot.worker.pid]));
  }

  /** Stops every worker; jobs still waiting or running are left unanswered. */
  async close(): Promise<void> {
    this.isClosed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.stop()));
  }

  private startSlot(): Slot<Job> {
    const slot: Slot<Job> = { worker: this.options.startWorker(), running: null, timer: null };
    slot.worker.onMessage((raw) => {
      const reply = raw as Reply;
      if (slot.running?.id === reply.id && this.options.onReply(slot.running.job, reply, slot.worker)) this.release(slot);
    });
    slot.worker.onDeath((reason, detail) => {
      if (!this.isClosed) this.fail(slot, reason, detail);
    });
    slot.worker.hold(false);
    return slot;
  }

  private pump(): void {
    if (this.isClosed) return;
    if (this.idleTimer && this.queue.length > 0) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.running);
      if (!slot && this.slots.length < this.options.size) {
        slot = this.startSlot();
        this.slots.push(slot);
      }
      if (!slot) return;
      const running = this.queue.shift()!;
      slot.running = running;
      slot.timer = setTimeout(() => this.fail(slot, 'timeout', ''), this.options.timeoutMs);
      slot.worker.hold(true);
      slot.worker.send(this.options.request(running.id, running.job));
    }
    if (this.options.idleMs !== undefined && !this.idleTimer && this.slots.every((s) => !s.running)) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        if (this.queue.length > 0 || this.slots.some((s) => s.running)) return;
        void Promise.all(this.slots.splice(0).map((s) => s.worker.stop()));
      }, this.options.idleMs);
      this.idleTimer.unref();
    }
  }

  private release(slot: Slot<Job>): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.running = null;
    slot.worker.hold(false);
    this.pump();
  }

  /** Ends the slot's job with a failure and replaces its worker, which may be wedged or dead. */
  private fail(slot: Slot<Job>, failure: WorkerFailure, detail: string): void {
    const running = slot.running;
    if (slot.timer) clearTimeout(slot.timer);
    slot.running = null;
    slot.timer = null;
    const index = this.slots.indexOf(slot);
    if (index === -1) return;
    void slot.worker.stop();
    if (this.options.idleMs === undefined) this.slots[index] = this.startSlot();
    else this.slots.splice(index, 1);
    if (running) this.options.onFailure(running.job, failure, detail);
    this.pump();
  }
}
