/**
 * Work left to finish in the background, bounded by its total weight: `add` waits while the work
 * already running weighs too much (work of any weight is let in when nothing else runs). A failure
 * is thrown by the next `add` and by `drain`, so it is never lost nor left unhandled.
 */
export class Backlog {
  private weight = 0;
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly maxWeight: number) {}

  async add(weight: number, work: () => Promise<void>): Promise<void> {
    while (this.weight > 0 && this.weight + weight > this.maxWeight) await Promise.race(this.running);
    this.throwFailure();
    this.weight += weight;
    const done: Promise<void> = work()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.weight -= weight;
        this.running.delete(done);
      });
    this.running.add(done);
  }

  /** Waits for all the work to finish. */
  async drain(): Promise<void> {
    await Promise.all(this.running);
    this.throwFailure();
  }

  private throwFailure(): void {
    if (this.failure) throw this.failure.error;
  }
}
