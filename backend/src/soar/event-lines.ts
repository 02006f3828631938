/** Lines to events: each line is scanned; valid events go on, the others are counted by reason, never fatal. */
import { EventScanner } from './event-scanner';
import type { LineSink } from './line-splitter';

export class EventLineReader implements LineSink {
  lines = 0;
  events = 0;
  /** Refused lines by reason: too_long, invalid_utf8, blank, invalid_json, invalid_<field>. */
  readonly rejected = new Map<string, number>();
  private readonly scanner = new EventScanner();

  /** `onEvent` may read the scanner during the call only. */
  constructor(private readonly onEvent: (event: EventScanner) => void) {}

  line(buf: Buffer, start: number, end: number): void {
    const scanner = this.scanner;
    if (scanner.scan(buf, start, end)) {
      this.lines++;
      this.events++;
      this.onEvent(scanner);
    } else if (scanner.errorField !== null) {
      this.reject(`invalid_${scanner.errorField}`);
    } else {
      this.reject(isBlank(buf, start, end) ? 'blank' : 'invalid_json');
    }
  }

  reject(reason: string, count = 1): void {
    this.lines += count;
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + count);
  }

  get rejectedCount(): number {
    let total = 0;
    for (const count of this.rejected.values()) total += count;
    return total;
  }
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}
