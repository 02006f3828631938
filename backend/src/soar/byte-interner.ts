/**
 * A bounded cache keyed by raw bytes: the log reader turns `"ip":"203.0.113.7"` into the normalized address
 * without building a string per line, since logs repeat the same few thousand values. Keys live side by side
 * in one byte arena and each slot's hash, key offset and length side by side in one typed array, so a lookup
 * touches about three cache lines, not a chain of objects. The table doubles as it fills; at `maxEntries` (or
 * a full arena) it starts over, so memory stays bounded whatever the input.
 */
const INITIAL_SLOTS = 1 << 10;

export class ByteInterner<V> {
  /** Per slot, at 4 × slot: the key's hash (never 0; 0 marks an empty slot), its offset and length in the arena. */
  private meta = new Int32Array(INITIAL_SLOTS * 4);
  private values: (V | undefined)[] = new Array<V | undefined>(INITIAL_SLOTS).fill(undefined);
  private mask = INITIAL_SLOTS - 1;
  private size = 0;
  private readonly arena: Uint8Array;
  private used = 0;

  constructor(
    readonly maxEntries = 1 << 17,
    arenaBytes = maxEntries * 24
  ) {
    this.arena = new Uint8Array(arenaBytes);
  }

  /** The value stored for `b[start, end)`, or undefined. */
  get(b: Uint8Array, start: number, end: number): V | undefined {
    const hash = hashOf(b, start, end);
    const length = end - start;
    const { meta, mask } = this;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const h = meta[slot * 4];
      if (h === 0) return undefined;
      if (h === hash && meta[slot * 4 + 2] === length && this.sameKey(meta[slot * 4 + 1] as number, b, start, length)) {
        return this.values[slot];
      }
    }
  }

  /** Stores a value for a key that `get` did not find. */
  set(b: Uint8Array, start: number, end: number, value: V): void {
    const length = end - start;
    if (length > this.arena.length) return; // never cached
    if (this.size >= this.maxEntries || this.used + length > this.arena.length) this.clear();
    else if (this.size * 2 >= this.values.length) this.grow();
    this.arena.set(b.subarray(start, end), this.used);
    this.place(hashOf(b, start, end), this.used, length, value);
    this.used += length;
    this.size++;
  }

  clear(): void {
    this.resize(INITIAL_SLOTS);
    this.size = 0;
    this.used = 0;
  }

  private grow(): void {
    const { meta, values } = this;
    this.resize(values.length * 2);
    for (let slot = 0; slot < values.length; slot++) {
      const h = meta[slot * 4] as number;
      if (h !== 0) this.place(h, meta[slot * 4 + 1] as number, meta[slot * 4 + 2] as number, values[slot] as V);
    }
  }

  private resize(slots: number): void {
    this.meta = new Int32Array(slots * 4);
    this.values = new Array<V | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
  }

  private place(hash: number, offset: number, length: number, value: V): void {
    let slot = hash & this.mask;
    while (this.meta[slot * 4] !== 0) slot = (slot + 1) & this.mask;
    this.meta[slot * 4] = hash;
    this.meta[slot * 4 + 1] = offset;
    this.meta[slot * 4 + 2] = length;
    this.values[slot] = value;
  }

  private sameKey(offset: number, b: Uint8Array, start: number, length: number): boolean {
    const arena = this.arena;
    for (let i = 0; i < length; i++) if (arena[offset + i] !== b[start + i]) return false;
    return true;
  }
}

/** FNV-1a style, four bytes a step (keys are short); never 0, which marks an empty slot. */
function hashOf(b: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5 ^ (end - start);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const word =
      (b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24);
    hash = Math.imul(hash ^ word, 0x01000193);
    hash ^= hash >>> 15;
  }
  for (; i < end; i++) hash = Math.imul(hash ^ (b[i] as number), 0x01000193);
  return (hash ^ (hash >>> 13)) | 1;
}
