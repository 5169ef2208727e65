/** Bits written most significant first into a growing byte buffer (FLAC's frames). */
export class BitWriter {
  bytes: Uint8Array;
  /** Whole bytes written. */
  length = 0;
  private acc = 0;
  private pending = 0;

  constructor(capacity = 1 << 16) {
    this.bytes = new Uint8Array(capacity);
  }

  /** Room for at least `more` bytes beyond what is written. */
  reserve(more: number): void {
    if (this.length + more + 8 <= this.bytes.byteLength) return;
    const grown = new Uint8Array(Math.max(this.bytes.byteLength * 2, this.length + more + 8));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** The low `bits` bits of `value` (bits ≤ 32). */
  write(value: number, bits: number): void {
    if (bits > 24) {
      this.write(Math.floor(value / 65536) & ((1 << (bits - 16)) - 1), bits - 16);
      this.write(value & 0xffff, 16);
      return;
    }
    // At most 7 bits wait in acc, so acc << 24 still fits 31 bits.
    let acc = (this.acc << bits) | (value & ((1 << bits) - 1));
    let pending = this.pending + bits;
    const out = this.bytes;
    while (pending >= 8) {
      pending -= 8;
      out[this.length++] = (acc >>> pending) & 0xff;
    }
    acc &= (1 << pending) - 1;
    this.acc = acc;
    this.pending = pending;
  }

  /** q zeros then a one. */
  unary(q: number): void {
    while (q >= 24) {
      this.write(0, 24);
      q -= 24;
    }
    this.write(1, q + 1);
  }

  /** Pads with zeros to the next byte. */
  align(): void {
    if (this.pending > 0) this.write(0, 8 - this.pending);
  }

  reset(): void {
    this.length = 0;
    this.acc = 0;
    this.pending = 0;
  }
}
