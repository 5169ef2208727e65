import { type AudioData, AudioFormatError } from '../audio-data';
import { fourCC, writeFourCC } from './bytes';
import { type ByteSource, bytesPerFrame, bytesSource, decodeFrames, type PcmLayout } from './pcm';
import { Mulberry32 } from '../dsp/random';
import { ByteScratch, dataViews, type ViewCache, wordViews } from './scratch';

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
export const MAX_CHANNELS = 64;
export const MIN_RATE = 1000;
export const MAX_RATE = 768000;

type Fmt = {
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
};

function readFmt(view: DataView, size: number): Fmt {
  if (size < 16) throw new AudioFormatError('bad_chunk', 'The WAV format chunk is too short.');
  let format = view.getUint16(0, true);
  const channels = view.getUint16(2, true);
  const sampleRate = view.getUint32(4, true);
  const blockAlign = view.getUint16(12, true);
  const bitsPerSample = view.getUint16(14, true);
  if (format === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) throw new AudioFormatError('bad_chunk', 'The WAV extensible format chunk is too short.');
    // The sub-format GUID starts with the plain format tag.
    format = view.getUint16(24, true);
  }
  return { format, channels, sampleRate, bitsPerSample, blockAlign };
}

function checkFmt(fmt: Fmt): void {
  if (fmt.channels === 0)
    throw new AudioFormatError('zero_channels', 'The WAV file says it has no channels.');
  if (fmt.channels > MAX_CHANNELS)
    throw new AudioFormatError(
      'unsupported_format',
      `The WAV file has ${fmt.channels} channels; at most ${MAX_CHANNELS} are supported.`,
    );
  if (fmt.sampleRate < MIN_RATE || fmt.sampleRate > MAX_RATE) {
    throw new AudioFormatError(
      'bad_rate',
      `The WAV file's sample rate (${fmt.sampleRate} Hz) is not a real audio rate.`,
    );
  }
  const pcmOk = fmt.format === WAVE_FORMAT_PCM && [8, 16, 24, 32].includes(fmt.bitsPerSample);
  const floatOk = fmt.format === WAVE_FORMAT_IEEE_FLOAT && [32, 64].includes(fmt.bitsPerSample);
  if (!pcmOk && !floatOk) {
    throw new AudioFormatError(
      'unsupported_format',
      `This WAV encoding (format ${fmt.format}, ${fmt.bitsPerSample}-bit) is not supported; use PCM 16/24/32-bit or 32/64-bit float.`,
    );
  }
  if (fmt.blockAlign !== (fmt.bitsPerSample / 8) * fmt.channels)
    throw new AudioFormatError(
      'bad_chunk',
      'The WAV block alignment does not match its channels and bit depth.',
    );
}

const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
/** A 64-bit little-endian size (RF64's ds64), exact up to 2^53. */
const getUint64 = (view: DataView, at: number) =>
  view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
const NO_SIZE = 0xffffffff;

/**
 * Finds the format and the samples of a RIFF/WAVE file, or of RF64/BW64 (the same for files over
 * 4 GiB: the sizes that do not fit in 32 bits are in its ds64 chunk), reading only chunk headers
 * and the small chunks it needs. A data size of 0 or 0xFFFFFFFF (what a recorder that never
 * finished leaves) or one beyond the end of the file is not believed: the samples are then read to
 * the file's last whole frame, and `notice` says so.
 */
export function parseWav(src: ByteSource): PcmLayout {
  const head = viewOf(src.read(0, 12));
  const magic = head.byteLength >= 12 ? fourCC(head, 0) : '';
  const rf64 = magic === 'RF64' || magic === 'BW64';
  if ((magic !== 'RIFF' && !rf64) || fourCC(head, 8) !== 'WAVE')
    throw new AudioFormatError('not_audio', 'This is not a WAV file.');
  let fmt: Fmt | null = null;
  let ds64DataSize: number | null = null;
  let data: { offset: number; size: number; declared: number; toEnd: boolean } | null = null;
  let offset = 12;
  while (offset + 8 <= src.size) {
    const chunkHead = viewOf(src.read(offset, 8));
    const id = fourCC(chunkHead, 0);
    const raw = chunkHead.getUint32(4, true);
    const body = offset + 8;
    const available = src.size - body;
    let size = raw;
    if (id === 'fmt ') {
      if (raw > available)
        throw new AudioFormatError('truncated', 'The WAV file ends inside its format chunk.');
      fmt = readFmt(viewOf(src.read(body, Math.min(raw, 64))), raw);
    } else if (id === 'ds64' && rf64) {
      if (raw < 24 || raw > available)
        throw new AudioFormatError('truncated', 'The RF64 ds64 chunk is too short.');
      ds64DataSize = getUint64(viewOf(src.read(body, 24)), 8);
    } else if (id === 'data') {
      const declared = rf64 && raw === NO_SIZE && ds64DataSize !== null ? ds64DataSize : raw;
      // Never trust a size beyond the file, nor one that says nothing is there.
      const toEnd = declared === 0 || declared > available || (raw === NO_SIZE && ds64DataSize === null);
      size = toEnd ? available : declared;
      data = { offset: body, size, declared, toEnd };
      if (fmt || toEnd) break;
    }
    // Chunks are word-aligned: an odd size is followed by a pad byte.
    offset = body + size + (size & 1);
  }
  if (!fmt) throw new AudioFormatError('bad_chunk', 'The WAV file has no format chunk.');
  if (!data) throw new AudioFormatError('truncated', 'The WAV file has no audio data.');
  checkFmt(fmt);
  const frames = Math.floor(data.size / fmt.blockAlign);
  const layout: PcmLayout = {
    sampleRate: fmt.sampleRate,
    channels: fmt.channels,
    float: fmt.format === WAVE_FORMAT_IEEE_FLOAT,
    bits: fmt.bitsPerSample,
    bigEndian: false,
    unsigned8: true,
    dataOffset: data.offset,
    frames,
  };
  if (data.toEnd && frames > 0) {
    const said = data.declared === 0 || data.declared === NO_SIZE ? 'no size' : `${data.declared} bytes`;
    layout.notice = `The WAV file's data chunk gives ${said}; read to the end of the file instead (${frames} frames).`;
    const declaredFrames = data.declared === NO_SIZE ? null : Math.floor(data.declared / fmt.blockAlign);
    layout.recovered = { declaredFrames };
  }
  return layout;
}

/** Reads a RIFF/WAVE (or RF64) file: PCM 8/16/24/32-bit, float 32/64-bit, WAVE_FORMAT_EXTENSIBLE, any channel count. */
export function decodeWav(bytes: Uint8Array): AudioData {
  return decodeLayout(bytes, parseWav(bytesSource(bytes)));
}

/** Every frame of a parsed file held in memory. */
export function decodeLayout(bytes: Uint8Array, layout: PcmLayout): AudioData {
  const channels = Array.from({ length: layout.channels }, () => new Float32Array(layout.frames));
  const start = layout.dataOffset;
  const end = start + layout.frames * bytesPerFrame(layout);
  decodeFrames(layout, bytes.subarray(start, end), layout.frames, channels, 0);
  const audio: AudioData = { sampleRate: layout.sampleRate, channels };
  if (layout.notice) audio.notice = layout.notice;
  if (layout.recovered) audio.recovered = layout.recovered;
  return audio;
}

export type WavFormat = 'wav16' | 'wav24' | 'wav32f';

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

type EncodePlan = {
  /** The audio being written; a streaming encoder points it at each block in turn. */
  channels: readonly Float32Array[];
  sampleRate: number;
  frames: number;
  bits: 16 | 24 | 32;
  isFloat: boolean;
  dataSize: number;
  /** 16-bit only: one dither generator per channel, consumed frame by frame, and its noise for the frames being written. */
  dithers: Mulberry32[];
  noise: Float64Array[];
  dither: boolean;
  /** Written as RF64 (sizes in a ds64 chunk): forced, or because the file would pass 4 GiB. */
  rf64: boolean;
  /** The views writeFrames writes the bytes through, made once per buffer written into. */
  words: ViewCache<Uint32Array>;
  data: ViewCache<DataView>;
};

/** Frames of dither noise drawn at a time. */
const NOISE_CHUNK = 4096;

export type WavOptions = { format: WavFormat; ditherSeed?: number; rf64?: boolean };

function planEncoding(
  spec: { sampleRate: number; channelCount: number; frames: number },
  opts: WavOptions,
): EncodePlan {
  const { channelCount, frames } = spec;
  if (channelCount === 0)
    throw new AudioFormatError('zero_channels', 'Nothing to write: the audio has no channels.');
  const bits = opts.format === 'wav16' ? 16 : opts.format === 'wav24' ? 24 : 32;
  const dataSize = frames * channelCount * (bits / 8);
  return {
    channels: [],
    sampleRate: spec.sampleRate,
    frames,
    bits,
    isFloat: opts.format === 'wav32f',
    dataSize,
    dithers: Array.from(
      { length: channelCount },
      (_, c) => new Mulberry32((opts.ditherSeed ?? Date.now()) * 31 + c * 7919),
    ),
    noise: Array.from({ length: bits === 16 ? channelCount : 0 }, () => new Float64Array(NOISE_CHUNK)),
    dither: bits === 16,
    rf64: opts.rf64 === true || HEADER + dataSize + (dataSize & 1) - 8 > NO_SIZE,
    words: wordViews(),
    data: dataViews(),
  };
}

const HEADER = 44;
/** RF64 adds a ds64 chunk of 28 bytes (RIFF size, data size, frame count, an empty table). */
const DS64 = 8 + 28;

function planFor(audio: AudioData, opts: WavOptions): EncodePlan {
  const plan = planEncoding(
    {
      sampleRate: audio.sampleRate,
      channelCount: audio.channels.length,
      frames: audio.channels[0]?.length ?? 0,
    },
    opts,
  );
  plan.channels = audio.channels;
  // Audio already on the 16-bit grid (a 16-bit source passed through) needs no requantisation, so
  // no dither: integer round trips stay bit-exact.
  plan.dither = plan.bits === 16 && !onGrid(audio.channels, 32768);
  return plan;
}

function header(plan: EncodePlan, channelCount: number): Uint8Array {
  const bytesPer = plan.bits / 8;
  const extra = plan.rf64 ? DS64 : 0;
  const out = new Uint8Array(HEADER + extra);
  const view = new DataView(out.buffer);
  const riffSize = HEADER + extra - 8 + plan.dataSize + (plan.dataSize & 1);
  writeFourCC(view, 0, plan.rf64 ? 'RF64' : 'RIFF');
  view.setUint32(4, plan.rf64 ? NO_SIZE : riffSize, true);
  writeFourCC(view, 8, 'WAVE');
  let o = 12;
  if (plan.rf64) {
    const setUint64 = (at: number, v: number) => {
      view.setUint32(at, v % 2 ** 32, true);
      view.setUint32(at + 4, Math.floor(v / 2 ** 32), true);
    };
    writeFourCC(view, o, 'ds64');
    view.setUint32(o + 4, 28, true);
    setUint64(o + 8, riffSize);
    setUint64(o + 16, plan.dataSize);
    setUint64(o + 24, plan.frames);
    view.setUint32(o + 32, 0, true);
    o += DS64;
  }
  writeFourCC(view, o, 'fmt ');
  view.setUint32(o + 4, 16, true);
  view.setUint16(o + 8, plan.isFloat ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, true);
  view.setUint16(o + 10, channelCount, true);
  view.setUint32(o + 12, plan.sampleRate, true);
  view.setUint32(o + 16, plan.sampleRate * channelCount * bytesPer, true);
  view.setUint16(o + 20, channelCount * bytesPer, true);
  view.setUint16(o + 22, plan.bits, true);
  writeFourCC(view, o + 24, 'data');
  view.setUint32(o + 28, plan.rf64 ? NO_SIZE : plan.dataSize, true);
  return out;
}

/** Writes frames [from, to) interleaved into out, starting at out[0]. */
function writeFrames(plan: EncodePlan, from: number, to: number, out: Uint8Array): void {
  const channelCount = plan.channels.length;
  if (plan.bits === 24 && channelCount === 2 && LITTLE_ENDIAN && out.byteOffset % 4 === 0) {
    // The commonest case: two stereo frames are 12 bytes, three 32-bit words written at once.
    const words = plan.words.of(out);
    const left = plan.channels[0] as Float32Array;
    const right = plan.channels[1] as Float32Array;
    const pairsEnd = from + ((to - from) & ~1);
    let w = 0;
    for (let i = from; i < pairsEnd; i += 2, w += 3) {
      const l0 = to24(left[i] as number) & 0xffffff;
      const r0 = to24(right[i] as number) & 0xffffff;
      const l1 = to24(left[i + 1] as number) & 0xffffff;
      const r1 = to24(right[i + 1] as number) & 0xffffff;
      words[w] = l0 | (r0 << 24);
      words[w + 1] = (r0 >>> 8) | (l1 << 16);
      words[w + 2] = (l1 >>> 16) | (r1 << 8);
    }
    if (pairsEnd < to) {
      const p = (pairsEnd - from) * 6;
      const l = to24(left[pairsEnd] as number);
      const r = to24(right[pairsEnd] as number);
      out[p] = l & 0xff;
      out[p + 1] = (l >> 8) & 0xff;
      out[p + 2] = (l >> 16) & 0xff;
      out[p + 3] = r & 0xff;
      out[p + 4] = (r >> 8) & 0xff;
      out[p + 5] = (r >> 16) & 0xff;
    }
    return;
  }
  if (plan.bits === 24) {
    // Written byte by byte without DataView calls: one channel at a time, strided.
    const stride = channelCount * 3;
    for (let c = 0; c < channelCount; c++) {
      const ch = plan.channels[c] as Float32Array;
      for (let i = from, p = c * 3; i < to; i++, p += stride) {
        const v = to24(ch[i] as number);
        out[p] = v & 0xff;
        out[p + 1] = (v >> 8) & 0xff;
        out[p + 2] = (v >> 16) & 0xff;
      }
    }
    return;
  }
  const view = plan.data.of(out);
  if (plan.isFloat) {
    for (let i = from, p = 0; i < to; i++)
      for (let c = 0; c < channelCount; c++, p += 4)
        view.setFloat32(p, (plan.channels[c] as Float32Array)[i] as number, true);
    return;
  }
  // 16-bit: the dither's noise is drawn a chunk of frames ahead, each channel from its own
  // generator in order, so the numbers are those drawn frame by frame.
  let p = 0;
  for (let chunk = from; chunk < to; chunk += NOISE_CHUNK) {
    const end = Math.min(to, chunk + NOISE_CHUNK);
    if (plan.dither)
      for (let c = 0; c < channelCount; c++)
        (plan.dithers[c] as Mulberry32).differences(plan.noise[c] as Float64Array, end - chunk);
    for (let i = chunk; i < end; i++)
      for (let c = 0; c < channelCount; c++, p += 2) {
        const x = (plan.channels[c] as Float32Array)[i] as number;
        const dithered =
          x * 32768 + (plan.dither ? ((plan.noise[c] as Float64Array)[i - chunk] as number) : 0);
        view.setInt16(p, clampInt(Math.round(dithered), 32767), true);
      }
  }
}

/**
 * Writes a WAV file. 16-bit gets TPDF dither (two uniform variables, ±1 LSB peak), independent per
 * channel and seedable so tests are reproducible; 24-bit is rounded; 32-bit float is stored as is.
 */
export function encodeWav(audio: AudioData, opts: WavOptions): Uint8Array {
  const plan = planFor(audio, opts);
  const head = header(plan, audio.channels.length);
  const out = new Uint8Array(head.byteLength + plan.dataSize + (plan.dataSize & 1));
  out.set(head);
  writeFrames(plan, 0, plan.frames, out.subarray(head.byteLength));
  return out;
}

/**
 * The same file as encodeWav, in pieces: the header, then at most `frames` frames at a time.
 * Concatenated they are encodeWav's bytes (same seed, same dither); written out one by one, a long
 * render never has its whole file in memory besides its samples. With `reuse`, every piece of
 * samples is a view of one buffer, valid only until the next piece is asked for: for a caller that
 * writes each piece out at once (synchronously), so not even the pieces pile up waiting for the
 * garbage collector.
 */
export function encodeWavChunks(
  audio: AudioData,
  opts: WavOptions,
  chunk: { frames?: number; reuse?: boolean } = {},
): Iterable<Uint8Array> {
  const chunkFrames = chunk.frames ?? 65536;
  if (!Number.isInteger(chunkFrames) || chunkFrames < 1)
    throw new RangeError(`Chunk frames must be a positive whole number, not ${chunkFrames}.`);
  const plan = planFor(audio, opts);
  const frameBytes = plan.channels.length * (plan.bits / 8);
  const shared = chunk.reuse ? new Uint8Array(Math.min(chunkFrames, plan.frames) * frameBytes) : null;
  return (function* () {
    yield header(plan, audio.channels.length);
    for (let from = 0; from < plan.frames; from += chunkFrames) {
      const to = Math.min(plan.frames, from + chunkFrames);
      const bytes = (to - from) * frameBytes;
      const piece = shared ? shared.subarray(0, bytes) : new Uint8Array(bytes);
      writeFrames(plan, from, to, piece);
      yield piece;
    }
    // RIFF chunks are word-aligned: an odd data size is followed by a pad byte.
    if (plan.dataSize & 1) yield new Uint8Array(1);
  })();
}

function onGrid(channels: readonly Float32Array[], scale: number, count = channels[0]?.length ?? 0): boolean {
  for (let c = 0; c < channels.length; c++) {
    const ch = channels[c] as Float32Array;
    for (let i = 0; i < count; i++) if (!Number.isInteger((ch[i] as number) * scale)) return false;
  }
  return true;
}

/** Samples a fixed-point file could not hold (beyond full scale; none in float), and the largest |sample| written. */
export type Clipping = { samples: number; peak: number };

/**
 * A WAV file written a block at a time, for a render whose length is known before it starts: the
 * header first, then each block's bytes (one buffer, reused: write it out before the next block),
 * then the pad byte if any. Counts what a 16/24-bit file clips. Each 16-bit block is dithered
 * unless it is already on the 16-bit grid.
 */
export class WavEncoder {
  readonly header: Uint8Array;
  readonly clipping: Clipping = { samples: 0, peak: 0 };
  private readonly plan: EncodePlan;
  private readonly channelCount: number;
  private readonly bytes = new ByteScratch();
  private written = 0;
  private readonly bounded: boolean;
  /**
   * `frames: null`: a length not known before the end (an encoder fed as the audio comes); the
   * header then says 0 frames, and finalHeader() gives the one to write over it.
   */
  constructor(spec: { sampleRate: number; channelCount: number; frames: number | null }, opts: WavOptions) {
    this.bounded = spec.frames !== null;
    this.plan = planEncoding({ ...spec, frames: spec.frames ?? 0 }, opts);
    this.channelCount = spec.channelCount;
    this.header = header(this.plan, spec.channelCount);
  }
  /** Frames encoded so far. */
  get framesWritten(): number {
    return this.written;
  }
  /** The header for the frames written, the same length as `header` (a RIFF that must grow to RF64 cannot be). */
  finalHeader(): Uint8Array {
    const dataSize = this.written * this.channelCount * (this.plan.bits / 8);
    const rf64 = this.plan.rf64 || HEADER + dataSize + (dataSize & 1) - 8 > NO_SIZE;
    if (rf64 !== this.plan.rf64)
      throw new RangeError('This WAV passes 4 GiB: its length must be known before it starts (RF64).');
    return header({ ...this.plan, frames: this.written, dataSize }, this.channelCount);
  }
  encode(block: readonly Float32Array[], count: number): Uint8Array {
    const plan = this.plan;
    if (block.length !== this.channelCount || (this.bounded && this.written + count > plan.frames))
      throw new RangeError('The block does not fit the file announced in the header.');
    const out = this.bytes.take(count * this.channelCount * (plan.bits / 8));
    plan.channels = block;
    // A float file holds anything; a fixed-point one clips beyond full scale. The peak is kept for both.
    const top = plan.isFloat
      ? Number.POSITIVE_INFINITY
      : plan.bits === 16
        ? 32767 / 32768
        : 8388607 / 8388608;
    const bottom = plan.isFloat ? Number.NEGATIVE_INFINITY : -1;
    let { samples, peak } = this.clipping;
    for (let c = 0; c < block.length; c++) {
      const ch = block[c] as Float32Array;
      // The extremes without a branch per sample; the clipped ones are counted only in a block that
      // has some (or a NaN, which fails every comparison).
      let hi = 0;
      let lo = 0;
      for (let i = 0; i < count; i++) {
        const x = ch[i] as number;
        hi = Math.max(hi, x);
        lo = Math.min(lo, x);
      }
      peak = Math.max(peak, hi, -lo);
      if (!(hi <= top && lo >= bottom))
        for (let i = 0; i < count; i++) {
          const x = ch[i] as number;
          if (x > top || x < bottom) samples++;
        }
    }
    this.clipping.samples = samples;
    this.clipping.peak = peak;
    if (plan.bits === 16 && !plan.isFloat) plan.dither = !onGrid(block, 32768, count);
    writeFrames(plan, 0, count, out);
    this.written += count;
    return out;
  }
  /** The pad byte a RIFF chunk of odd size is followed by, or nothing. */
  trailer(): Uint8Array {
    return new Uint8Array(
      (this.bounded ? this.plan.dataSize : this.written * this.channelCount * (this.plan.bits / 8)) & 1,
    );
  }
}

/**
 * A sample as a 24-bit integer, rounded half up and clipped (NaN gives 0 once masked). floor(v + 0.5)
 * equals Math.round(v) for every float32 times 2^23 (too few bits for v + 0.5 to round), and unlike
 * Math.round it compiles without a branch that random audio mispredicts.
 */
function to24(x: number): number {
  return Math.floor(Math.min(8388607, Math.max(-8388608, x * 8388608 + 0.5)));
}

function clampInt(v: number, max: number): number {
  return v > max ? max : v < -max - 1 ? -max - 1 : v;
}
