import type { ViewCache } from './scratch';

/**
 * Where a WAV or AIFF file keeps its samples and how they are coded: what the container parsers
 * find, and all a reader needs to decode any run of frames without the rest of the file.
 */
export type PcmLayout = {
  sampleRate: number;
  channels: number;
  /** Integer PCM of 8/16/24/32 bits, or IEEE float of 32/64. */
  float: boolean;
  bits: number;
  bigEndian: boolean;
  /** 8-bit WAV is unsigned (128 is silence); 8-bit AIFF is signed. */
  unsigned8: boolean;
  /** Byte offset of the first frame in the file, and how many whole frames follow. */
  dataOffset: number;
  frames: number;
  /** Set when the file's own sizes were wrong and the reader went by the file instead. */
  notice?: string;
  /** The same, as numbers: the frames the file said it holds (null: no size at all). */
  recovered?: { declaredFrames: number | null };
};

export const bytesPerFrame = (layout: PcmLayout): number => layout.channels * (layout.bits / 8);

/** Bytes of a file, read where asked: the whole file in memory, or a file read a block at a time. */
export type ByteSource = {
  readonly size: number;
  /** The bytes [offset, offset + length) (fewer at the end of the file). */
  read(offset: number, length: number): Uint8Array;
};

export const bytesSource = (bytes: Uint8Array): ByteSource => ({
  size: bytes.byteLength,
  read: (offset, length) => bytes.subarray(offset, offset + length),
});

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Decodes `count` frames from `bytes` (which start at a frame) into into[c][at …], deinterleaving.
 * The common codings are read without DataView calls: stereo 24-bit little-endian as three 32-bit
 * words per two frames, other 24-bit byte by byte, 16-bit through an Int16Array view. A stream
 * decoding block after block from the same buffer passes `views`, so those views are made once.
 */
export function decodeFrames(
  layout: PcmLayout,
  bytes: Uint8Array,
  count: number,
  into: readonly Float32Array[],
  at: number,
  views?: { words: ViewCache<Uint32Array>; int16: ViewCache<Int16Array> },
): void {
  const { channels, bits, bigEndian } = layout;
  const stride = channels * (bits / 8);
  if (!layout.float && bits === 24 && !bigEndian) {
    if (channels === 2 && LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) {
      // Two stereo frames are three 32-bit words, read at once and taken apart.
      const words = views
        ? views.words.of(bytes)
        : new Uint32Array(bytes.buffer, bytes.byteOffset, Math.floor((count * 6) / 4));
      const left = into[0] as Float32Array;
      const right = into[1] as Float32Array;
      const pairs = count >> 1;
      for (let f = 0, w = 0; f < 2 * pairs; f += 2, w += 3) {
        const w0 = words[w] as number;
        const w1 = words[w + 1] as number;
        const w2 = words[w + 2] as number;
        left[at + f] = ((w0 << 8) >> 8) / 8388608;
        right[at + f] = (((((w1 & 0xffff) << 8) | (w0 >>> 24)) << 8) >> 8) / 8388608;
        left[at + f + 1] = (((((w2 & 0xff) << 16) | (w1 >>> 16)) << 8) >> 8) / 8388608;
        right[at + f + 1] = (w2 >> 8) / 8388608;
      }
      if (count & 1) {
        const p = (count - 1) * 6;
        for (let c = 0; c < 2; c++) {
          const q = p + 3 * c;
          const v =
            (bytes[q] as number) | ((bytes[q + 1] as number) << 8) | (((bytes[q + 2] as number) << 24) >> 8);
          (into[c] as Float32Array)[at + count - 1] = v / 8388608;
        }
      }
      return;
    }
    for (let c = 0; c < channels; c++) {
      const ch = into[c] as Float32Array;
      for (let i = 0, p = c * 3; i < count; i++, p += stride) {
        const v =
          (bytes[p] as number) | ((bytes[p + 1] as number) << 8) | (((bytes[p + 2] as number) << 24) >> 8);
        ch[at + i] = v / 8388608;
      }
    }
    return;
  }
  if (!layout.float && bits === 16 && bigEndian === !LITTLE_ENDIAN && bytes.byteOffset % 2 === 0) {
    const samples = views
      ? views.int16.of(bytes)
      : new Int16Array(bytes.buffer, bytes.byteOffset, count * channels);
    for (let c = 0; c < channels; c++) {
      const ch = into[c] as Float32Array;
      for (let i = 0, p = c; i < count; i++, p += channels) ch[at + i] = (samples[p] as number) / 32768;
    }
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = !bigEndian;
  const size = bits / 8;
  for (let c = 0; c < channels; c++) {
    const ch = into[c] as Float32Array;
    for (let i = 0, p = c * size; i < count; i++, p += stride) {
      let v: number;
      if (layout.float) v = bits === 32 ? view.getFloat32(p, little) : view.getFloat64(p, little);
      else if (bits === 8) v = layout.unsigned8 ? (view.getUint8(p) - 128) / 128 : view.getInt8(p) / 128;
      else if (bits === 16) v = view.getInt16(p, little) / 32768;
      else if (bits === 24) {
        const hi = little ? p + 2 : p;
        const lo = little ? p : p + 2;
        v = (view.getUint8(lo) | (view.getUint8(p + 1) << 8) | (view.getInt8(hi) << 16)) / 8388608;
      } else v = view.getInt32(p, little) / 2147483648;
      ch[at + i] = v;
    }
  }
}
