/**
 * The master's numbers per chunk of ~64 frames (K-weighted energy, limiter envelope), written once
 * in order and then read front to back, as often as the gain search needs. In memory they cost 1/64
 * of the audio as floats (about 11 MB for 30 minutes of 48 kHz stereo); the command line keeps them
 * in a file instead (fileSeries, in cli/files.ts), so that a master's memory does not grow with the
 * length of the song. The app's Worker holds the audio itself anyway: memory is fine there.
 */
export interface ChunkSeries {
  readonly length: number;
  /** Appends the next value; exactly `length` in all, before any read. */
  push(value: number): void;
  /** A reader from the first value on: each call gives the next. Several may be open at once. */
  read(): () => number;
}

/** Makes an empty series of `length` values. */
export type SeriesStore = (length: number) => ChunkSeries;

export const memorySeries: SeriesStore = (length) => {
  const values = new Float32Array(length);
  let written = 0;
  return {
    length,
    push(value) {
      values[written++] = value;
    },
    read() {
      let k = 0;
      return () => values[k++] as number;
    },
  };
};

/**
 * Streams each chunk's peak into the limiter's envelope: chunk k ← the largest of chunks k − before
 * … k + after (within bounds), `after` chunks behind the input. Only those chunks are held.
 */
export class Widener {
  private readonly ring: Float32Array;
  private pushed = 0;
  private emitted = 0;
  constructor(
    private readonly before: number,
    private readonly after: number,
    private readonly total: number,
    private readonly out: (value: number) => void,
  ) {
    this.ring = new Float32Array(before + after + 1);
  }
  push(peak: number): void {
    this.ring[this.pushed % this.ring.length] = peak;
    this.pushed++;
    if (this.pushed > this.after) this.emit(this.pushed - 1);
  }
  /** After the last push: the chunks whose window reaches past the end. */
  finish(): void {
    while (this.emitted < this.total) this.emit(this.total - 1);
  }
  /** Emits the next chunk, its window ending at `last` (the latest pushed). */
  private emit(last: number): void {
    const k = this.emitted;
    let m = 0;
    for (let j = Math.max(0, k - this.before); j <= Math.min(last, k + this.after); j++)
      m = Math.max(m, this.ring[j % this.ring.length] as number);
    this.out(m);
    this.emitted++;
  }
}
