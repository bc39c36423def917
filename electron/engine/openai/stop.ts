/**
 * Cuts streamed text before the first stop sequence. A tail that could still grow into a stop
 * sequence is held back, so no part of one ever reaches the client.
 */
export class StopCutter {
  private pending = '';
  private hit = false;

  constructor(private readonly stops: readonly string[]) {}

  /** True once a stop sequence was seen: the caller should end generation. */
  get stopped(): boolean {
    return this.hit;
  }

  /** The text that is safe to pass on now. */
  push(text: string): string {
    if (this.hit) return '';
    if (this.stops.length === 0) return text;
    this.pending += text;
    let cut = -1;
    for (const stop of this.stops) {
      const at = this.pending.indexOf(stop);
      if (at !== -1 && (cut === -1 || at < cut)) cut = at;
    }
    if (cut !== -1) {
      this.hit = true;
      const out = this.pending.slice(0, cut);
      this.pending = '';
      return out;
    }
    const keep = this.heldBack();
    const out = this.pending.slice(0, this.pending.length - keep);
    this.pending = this.pending.slice(this.pending.length - keep);
    return out;
  }

  /** What was held back, once the text has ended without a stop sequence. */
  flush(): string {
    const out = this.pending;
    this.pending = '';
    return out;
  }

  private heldBack(): number {
    let keep = 0;
    for (const stop of this.stops) {
      for (let n = Math.min(stop.length - 1, this.pending.length); n > keep; n--) {
        if (this.pending.endsWith(stop.slice(0, n))) {
          keep = n;
          break;
        }
      }
    }
    return keep;
  }
}
