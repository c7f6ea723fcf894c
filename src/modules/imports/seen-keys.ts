/**
 * An exact set of strings kept outside the V8 heap: the keys (sku, email) an import has already
 * seen, so a key twice in one file is reported on its second line. A JavaScript `Set` of
 * 1,000,000 short keys holds ~50 MB of heap (measured: `new Set` of `imp-<n>`, node 20), which
 * under the worker's 256 MB heap cap meant long GC pauses and a peak RSS of 317 MB in the
 * 1,000,000-row import bench (issue 21: < 300 MB). Here each key costs its UTF-8 bytes + 2 in one
 * growable `Buffer` arena plus 4 bytes of slot (open addressing, linear probing, FNV-1a 32-bit
 * hash; collisions compare the bytes, so membership is exact): ~20 MB for 1,000,000 keys.
 * Written by hand: no maintained npm package offers an exact, off-heap string set.
 */
export class SeenKeys {
  /** Slot → arena offset + 1 (0 = empty). Size is a power of two, kept at most half full. */
  private slots = new Uint32Array(1 << 16);
  private arena = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private count = 0;

  /** Number of distinct keys added. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds `key`; returns false when it was already there (the duplicate case), true otherwise.
   * Keys longer than 65,535 UTF-8 bytes are refused with a RangeError (import cells are far shorter).
   */
  add(key: string): boolean {
    const bytes = Buffer.from(key, 'utf8');
    if (bytes.length > 0xffff) throw new RangeError('SeenKeys: key longer than 65,535 bytes');
    const mask = this.slots.length - 1;
    let slot = fnv1a(bytes) & mask;
    for (;;) {
      const entry = this.slots[slot];
      if (entry === 0) break;
      if (this.equals(entry - 1, bytes)) return false;
      slot = (slot + 1) & mask;
    }
    this.slots[slot] = this.store(bytes) + 1;
    this.count += 1;
    if (this.count * 2 > this.slots.length) this.grow();
    return true;
  }

  /** Whether `key` was added. */
  has(key: string): boolean {
    const bytes = Buffer.from(key, 'utf8');
    const mask = this.slots.length - 1;
    let slot = fnv1a(bytes) & mask;
    for (;;) {
      const entry = this.slots[slot];
      if (entry === 0) return false;
      if (this.equals(entry - 1, bytes)) return true;
      slot = (slot + 1) & mask;
    }
  }

  /** Appends `[length: uint16][bytes]` to the arena; returns its offset. */
  private store(bytes: Buffer): number {
    const needed = this.used + 2 + bytes.length;
    if (needed > this.arena.length) {
      const bigger = Buffer.allocUnsafe(Math.max(needed, this.arena.length * 2));
      this.arena.copy(bigger, 0, 0, this.used);
      this.arena = bigger;
    }
    const offset = this.used;
    this.arena.writeUInt16LE(bytes.length, offset);
    bytes.copy(this.arena, offset + 2);
    this.used = needed;
    return offset;
  }

  private equals(offset: number, bytes: Buffer): boolean {
    const length = this.arena.readUInt16LE(offset);
    return (
      length === bytes.length &&
      this.arena.compare(bytes, 0, length, offset + 2, offset + 2 + length) === 0
    );
  }

  private keyAt(offset: number): Buffer {
    const length = this.arena.readUInt16LE(offset);
    return this.arena.subarray(offset + 2, offset + 2 + length);
  }

  /** Doubles the slot table and re-places every entry. */
  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    const mask = this.slots.length - 1;
    for (const entry of old) {
      if (entry === 0) continue;
      let slot = fnv1a(this.keyAt(entry - 1)) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = entry;
    }
  }
}

/** FNV-1a, 32 bits (http://www.isthe.com/chongo/tech/comp/fnv/): fast, well spread for short keys. */
function fnv1a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i += 1) {
    hash ^= bytes[i];
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
