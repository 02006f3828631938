/**
 * First come, first served admission of batches: at most `maxActive` are written to the database at once, the next
 * `maxWaiting` wait their turn (back-pressure: the caller's promise resolves later), and beyond that the service is
 * busy (503) rather than holding an unbounded queue of parsed events in memory.
 */

import { ServiceBusyError } from './errors';

export { ServiceBusyError } from './errors';

export class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly maxActive: number,
    private readonly maxWaiting: number
  ) {}

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with the release function once the caller may go; throws ServiceBusyError when the queue is full. */
  async acquire(): Promise<() => void> {
    if (this.active < this.maxActive && this.waiting.length === 0) {
      this.active++;
    } else {
      if (this.waiting.length >= this.maxWaiting) {
        throw new ServiceBusyError(
          `the security service is busy (${this.active} batches being written, ${this.waiting.length} waiting); retry shortly`
        );
      }
      // The slot is handed over by release(): `active` is not decremented in between.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active--;
    };
  }
}
