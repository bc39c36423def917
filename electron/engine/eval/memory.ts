/** Peak resident memory while a mode runs, sampled often enough to catch generation's high-water mark. */
export class RssSampler {
  private peak = process.memoryUsage.rss();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 25) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

export const toMb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** The process's lifetime peak (what the OS reports), in MB. */
export function processPeakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}
