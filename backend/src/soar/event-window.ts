/**
 * One IP's matching event times for one rule: a ring of at most `threshold` times, oldest first. It starts
 * small and grows by doubling, so the many IPs that send a few requests cost a few bytes each even for a rule
 * with a threshold of 300.
 */
const INITIAL_CAPACITY = 4;

export class EventWindow {
  private times: Float64Array;
  private head = 0;
  private count = 0;

  constructor(private readonly threshold: number) {
    this.times = new Float64Array(Math.min(threshold, INITIAL_CAPACITY));
  }

  /** Forgets the times `ts` with `t − ts ≥ windowMs`, adds `t`, and returns how many remain. */
  add(t: number, windowMs: number): number {
    const times = this.times;
    let capacity = times.length;
    while (this.count > 0 && t - (times[this.head] as number) >= windowMs) {
      this.head = this.head + 1 === capacity ? 0 : this.head + 1;
      this.count--;
    }
    if (this.count === capacity && capacity === this.threshold) {
      // Only when a caller kept adding past a trigger: the oldest time no longer matters.
      this.head = this.head + 1 === capacity ? 0 : this.head + 1;
      this.count--;
    } else if (this.count === capacity) {
      // Grow, oldest first at 0.
      const grown = new Float64Array(Math.min(capacity * 2, this.threshold));
      for (let k = 0; k < this.count; k++) grown[k] = times[(this.head + k) % capacity] as number;
      this.times = grown;
      this.head = 0;
      capacity = grown.length;
    }
    const tail = this.head + this.count;
    this.times[tail < capacity ? tail : tail - capacity] = t;
    return ++this.count;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  get size(): number {
    return this.count;
  }
}
