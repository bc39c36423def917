/**
 * Rate and time left from progress samples over a sliding window, so one slow file does not
 * swing the estimate and a long run's early speed does not linger in it.
 */
export class RateMeter {
  private samples: { at: number; done: number }[] = [];

  constructor(private readonly windowMs = 8_000) {}

  reset(): void {
    this.samples = [];
  }

  add(done: number, at = Date.now()): void {
    this.samples.push({ at, done });
    while (this.samples.length > 2 && at - this.samples[1]!.at > this.windowMs) this.samples.shift();
  }

  /** Items per second, or null until there is enough to say. */
  perSecond(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at - first.at < 500 || last.done <= first.done) return null;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  }

  secondsLeft(total: number): number | null {
    const rate = this.perSecond();
    const last = this.samples.at(-1);
    if (rate === null || !last) return null;
    return Math.max(0, (total - last.done) / rate);
  }
}
