/**
 * The one pattern for a stream's buffers and views: made when the stream is made (or when a block
 * outgrows them), never per block. An export calls its readers and encoders tens of thousands of
 * times; a new view or array each time (subarray, new Uint32Array(buffer, …)) is garbage that grew
 * the young generation as the export ran (bench/export-garbage.ts). What these hand out is valid
 * until the next call, as the buffers themselves are.
 */

/** The first `length` bytes of a buffer grown as needed: the same view as long as `length` repeats. */
export class ByteScratch {
  private buffer = new Uint8Array(0);
  private view = new Uint8Array(0);

  take(length: number): Uint8Array {
    if (this.view.byteLength === length) return this.view;
    if (this.buffer.byteLength < length)
      this.buffer = new Uint8Array(
        Math.max(length, Math.min(2 * this.buffer.byteLength, length + (1 << 20))),
      );
    this.view = this.buffer.subarray(0, length);
    return this.view;
  }
}

type ViewOver<V> = (buffer: ArrayBufferLike, byteOffset: number) => V;

/**
 * A view of the memory some bytes lie in, from their first byte to the end of their buffer: made
 * once, and made again only when the bytes lie elsewhere. The view may reach past the bytes: its
 * reader goes by its own count.
 */
export class ViewCache<V extends ArrayBufferView> {
  private view: V | null = null;
  constructor(private readonly make: ViewOver<V>) {}
  of(bytes: Uint8Array): V {
    const view = this.view;
    if (view && view.buffer === bytes.buffer && view.byteOffset === bytes.byteOffset) return view;
    this.view = this.make(bytes.buffer, bytes.byteOffset);
    return this.view;
  }
}

/** 32-bit words (the byte offset a multiple of 4). */
export const wordViews = () =>
  new ViewCache((buffer, at) => new Uint32Array(buffer, at, Math.floor((buffer.byteLength - at) / 4)));
/** 16-bit samples (the byte offset even). */
export const int16Views = () =>
  new ViewCache((buffer, at) => new Int16Array(buffer, at, Math.floor((buffer.byteLength - at) / 2)));
export const dataViews = () => new ViewCache((buffer, at) => new DataView(buffer, at));
