import type { ExportTags } from '../../contracts/export';
import { id3v2, utf8 } from './tags';

/**
 * MP3 through LAME (the reference encoder, compiled to WebAssembly by wasm-media-encoders: 320 kbit/s
 * CBR or VBR quality 0, i.e. V0). LAME here writes bare frames; this wrapper adds the ID3v2 tag in
 * front and a Xing/Info frame with a LAME extension carrying the encoder delay and padding, so
 * decoders (ffmpeg, mpg123, browsers) trim them and the file is as long as the mix, sample for
 * sample. The Info frame can only be filled at the end: it is written as a placeholder and patched.
 */
export const MP3_RATES = [32000, 44100, 48000] as const;
const BITRATES = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const RATE_INDEX: Record<number, number> = { 44100: 0, 48000: 1, 32000: 2 };
const RATES = [44100, 48000, 32000];
/** LAME's encoder delay in samples (decoders add their own 529 to it). */
const ENCODER_DELAY = 576;
const FRAME_SAMPLES = 1152;

const CRC16_LAME = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let b = 0; b < 8; b++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  CRC16_LAME[i] = c;
}
function crc16(crc: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.byteLength; i++)
    crc = (crc >>> 8) ^ (CRC16_LAME[(crc ^ (bytes[i] as number)) & 0xff] as number);
  return crc;
}

export type Mp3Spec = {
  sampleRate: number;
  channelCount: 1 | 2;
  mode: 'cbr320' | 'v0';
  tags?: ExportTags;
};

type WasmEncoder = {
  configure(params: Record<string, unknown>): void;
  encode(samples: readonly Float32Array[]): Uint8Array;
  finalize(): Uint8Array;
};

export class Mp3Writer {
  private readonly spec: Mp3Spec;
  private readonly lame: WasmEncoder;
  private readonly id3: Uint8Array;
  private readonly tagFrameSize: number;
  /** Byte offset (after the tag frame) of each audio frame, for the seek table. */
  private frameOffsets: number[] = [];
  private audioBytes = 0;
  private nextFrameAt = 0;
  /** The first bytes of a frame header cut by the end of the last output (at most 3). */
  private readonly carry = new Uint8Array(4);
  private carried = 0;
  private musicCrc = 0;
  private samples = 0;

  private constructor(spec: Mp3Spec, lame: WasmEncoder) {
    this.spec = spec;
    this.lame = lame;
    this.id3 = id3v2(spec.tags);
    const kbps = spec.mode === 'cbr320' ? 320 : 128;
    this.tagFrameSize = Math.floor((144000 * kbps) / spec.sampleRate);
  }

  static async create(spec: Mp3Spec): Promise<Mp3Writer> {
    if (!(MP3_RATES as readonly number[]).includes(spec.sampleRate))
      throw new RangeError(`MP3 is written at 32, 44.1 or 48 kHz, not ${spec.sampleRate} Hz.`);
    const { createMp3Encoder } = await import('wasm-media-encoders');
    const lame = (await createMp3Encoder()) as unknown as WasmEncoder;
    lame.configure({
      sampleRate: spec.sampleRate,
      channels: spec.channelCount,
      ...(spec.mode === 'cbr320' ? { bitrate: 320 } : { vbrQuality: 0 }),
    });
    return new Mp3Writer(spec, lame);
  }

  /** The ID3v2 tag and a placeholder for the Info frame (patched by finish()). */
  header(): Uint8Array {
    const out = new Uint8Array(this.id3.byteLength + this.tagFrameSize);
    out.set(this.id3);
    out.set(this.infoFrame(), this.id3.byteLength);
    return out;
  }

  /** LAME's frames for the block: a view of its memory, valid until the next call. */
  encode(block: readonly Float32Array[], count: number): Uint8Array {
    this.samples += count;
    // Whole blocks as they are; the last, shorter one through views.
    const input = block[0]?.length === count ? block : block.map((ch) => ch.subarray(0, count));
    return this.take(this.lame.encode(input));
  }

  finish(): { tail: Uint8Array; infoOffset: number; info: Uint8Array } {
    const tail = this.take(this.lame.finalize()).slice();
    return { tail, infoOffset: this.id3.byteLength, info: this.infoFrame() };
  }

  /**
   * Notes where each frame of LAME's bytes starts (handing the bytes back as they are: the caller
   * writes them out before the next call). A frame header cut by the end of the bytes is read on
   * from the few bytes carried over.
   */
  private take(bytes: Uint8Array): Uint8Array {
    this.musicCrc = crc16(this.musicCrc, bytes);
    const start = this.audioBytes;
    const end = start + bytes.byteLength;
    const carryStart = start - this.carried;
    const at = (p: number) => (p < start ? this.carry[p - carryStart] : bytes[p - start]) as number;
    while (this.nextFrameAt + 4 <= end) {
      const p = this.nextFrameAt;
      const b1 = at(p + 1);
      const b2 = at(p + 2);
      // Not a frame where one should start: the seek table is then left coarse, never wrong in size.
      if (at(p) !== 0xff || (b1 & 0xe0) !== 0xe0) {
        this.nextFrameAt = Number.POSITIVE_INFINITY;
        break;
      }
      const kbps = BITRATES[b2 >> 4] as number;
      const rate = RATES[(b2 >> 2) & 3] as number;
      const size = Math.floor((144000 * kbps) / rate) + ((b2 >> 1) & 1);
      if (size <= 4) {
        this.nextFrameAt = Number.POSITIVE_INFINITY;
        break;
      }
      this.frameOffsets.push(this.nextFrameAt);
      this.nextFrameAt += size;
    }
    this.audioBytes = end;
    // What is left of a header begun before the end (nothing once the frames are lost).
    const keepFrom = Math.max(carryStart, Math.min(this.nextFrameAt, end));
    for (let p = keepFrom; p < end; p++) this.carry[p - keepFrom] = at(p);
    this.carried = end - keepFrom;
    return bytes;
  }

  /** The Xing ("Info" for CBR) frame with its LAME extension: frames, bytes, seek table, delay and padding. */
  private infoFrame(): Uint8Array {
    const { sampleRate, channelCount, mode } = this.spec;
    const out = new Uint8Array(this.tagFrameSize);
    const view = new DataView(out.buffer);
    const bitrateIndex = BITRATES.indexOf(mode === 'cbr320' ? 320 : 128);
    out[0] = 0xff;
    out[1] = 0xfb; // MPEG-1 Layer III, no CRC
    out[2] = (bitrateIndex << 4) | ((RATE_INDEX[sampleRate] as number) << 2);
    out[3] = channelCount === 1 ? 0xc4 : 0x44; // mono / joint stereo, original
    let o = 4 + (channelCount === 1 ? 17 : 32);
    out.set(utf8(mode === 'cbr320' ? 'Info' : 'Xing'), o);
    view.setUint32(o + 4, 0x0f); // frames, bytes, TOC, quality
    const frames = this.frameOffsets.length;
    const total = this.audioBytes + this.tagFrameSize;
    view.setUint32(o + 8, frames);
    view.setUint32(o + 12, total);
    for (let i = 0; i < 100; i++) {
      const at = this.frameOffsets[Math.min(frames - 1, Math.floor((i * frames) / 100))] ?? 0;
      out[o + 16 + i] = total > 0 ? Math.min(255, Math.floor((256 * (at + this.tagFrameSize)) / total)) : 0;
    }
    view.setUint32(o + 116, mode === 'cbr320' ? 100 : 0);
    o += 120;
    const lame = o;
    out.set(utf8('LAME3.100'), o);
    out[o + 9] = mode === 'cbr320' ? 0x01 : 0x04; // revision 0; CBR / VBR (new)
    out[o + 10] = Math.min(255, Math.round(sampleRate / 200 / 100)); // lowpass /100 Hz, informative
    // Delay and padding, 12 bits each: what decoders skip at the start and cut at the end.
    const padding = Math.max(0, frames * FRAME_SAMPLES - this.samples - ENCODER_DELAY);
    out[o + 21] = ENCODER_DELAY >> 4;
    out[o + 22] = ((ENCODER_DELAY & 0xf) << 4) | ((padding >> 8) & 0xf);
    out[o + 23] = padding & 0xff;
    view.setUint32(o + 28, total);
    view.setUint16(o + 32, this.musicCrc);
    view.setUint16(o + 34, crc16(0, out.subarray(0, lame + 34)));
    return out;
  }
}
