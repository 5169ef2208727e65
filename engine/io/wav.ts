import { type AudioData, AudioFormatError } from '../audio-data';
import { fourCC, writeFourCC } from './bytes';
import { mulberry32 } from '../dsp/random';

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

function readFmt(view: DataView, offset: number, size: number): Fmt {
  if (size < 16) throw new AudioFormatError('bad_chunk', 'The WAV format chunk is too short.');
  let format = view.getUint16(offset, true);
  const channels = view.getUint16(offset + 2, true);
  const sampleRate = view.getUint32(offset + 4, true);
  const blockAlign = view.getUint16(offset + 12, true);
  const bitsPerSample = view.getUint16(offset + 14, true);
  if (format === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) throw new AudioFormatError('bad_chunk', 'The WAV extensible format chunk is too short.');
    // The sub-format GUID starts with the plain format tag.
    format = view.getUint16(offset + 24, true);
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

/** Reads a RIFF/WAVE file: PCM 8/16/24/32-bit, float 32/64-bit, WAVE_FORMAT_EXTENSIBLE, any channel count. */
export function decodeWav(bytes: Uint8Array): AudioData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || fourCC(view, 0) !== 'RIFF' || fourCC(view, 8) !== 'WAVE') {
    throw new AudioFormatError('not_audio', 'This is not a WAV file.');
  }
  let fmt: Fmt | null = null;
  let data: { offset: number; size: number } | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = fourCC(view, offset);
    const declared = view.getUint32(offset + 4, true);
    const body = offset + 8;
    // Never trust a size beyond the file: a data chunk cut short is read as far as it goes.
    const available = Math.min(declared, bytes.byteLength - body);
    if (id === 'fmt ') {
      if (declared > available)
        throw new AudioFormatError('truncated', 'The WAV file ends inside its format chunk.');
      fmt = readFmt(view, body, declared);
    } else if (id === 'data') {
      data = { offset: body, size: available };
      if (fmt) break;
    }
    // Chunks are word-aligned: an odd size is followed by a pad byte.
    offset = body + declared + (declared & 1);
  }
  if (!fmt) throw new AudioFormatError('bad_chunk', 'The WAV file has no format chunk.');
  if (!data) throw new AudioFormatError('truncated', 'The WAV file has no audio data.');
  checkFmt(fmt);
  const frames = Math.floor(data.size / fmt.blockAlign);
  const channels = Array.from({ length: fmt.channels }, () => new Float32Array(frames));
  const bytesPer = fmt.bitsPerSample / 8;
  if (
    fmt.format === WAVE_FORMAT_PCM &&
    fmt.bitsPerSample === 24 &&
    fmt.channels === 2 &&
    LITTLE_ENDIAN &&
    (bytes.byteOffset + data.offset) % 4 === 0
  ) {
    // The commonest case: two stereo frames are three 32-bit words, read at once and taken apart.
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset + data.offset, Math.floor((frames * 6) / 4));
    const left = channels[0] as Float32Array;
    const right = channels[1] as Float32Array;
    const pairs = frames >> 1;
    for (let f = 0, w = 0; f < 2 * pairs; f += 2, w += 3) {
      const w0 = words[w] as number;
      const w1 = words[w + 1] as number;
      const w2 = words[w + 2] as number;
      left[f] = ((w0 << 8) >> 8) / 8388608;
      right[f] = (((((w1 & 0xffff) << 8) | (w0 >>> 24)) << 8) >> 8) / 8388608;
      left[f + 1] = (((((w2 & 0xff) << 16) | (w1 >>> 16)) << 8) >> 8) / 8388608;
      right[f + 1] = (w2 >> 8) / 8388608;
    }
    if (frames & 1) {
      const p = data.offset + (frames - 1) * 6;
      left[frames - 1] = readSample(view, p, fmt);
      right[frames - 1] = readSample(view, p + 3, fmt);
    }
    return { sampleRate: fmt.sampleRate, channels };
  }
  if (fmt.format === WAVE_FORMAT_PCM && fmt.bitsPerSample === 24) {
    // The common case, read byte by byte without DataView calls: one channel at a time, strided.
    for (let c = 0; c < fmt.channels; c++) {
      const ch = channels[c] as Float32Array;
      for (let i = 0, p = data.offset + c * 3; i < frames; i++, p += fmt.blockAlign) {
        const v =
          (bytes[p] as number) | ((bytes[p + 1] as number) << 8) | (((bytes[p + 2] as number) << 24) >> 8);
        ch[i] = v / 8388608;
      }
    }
    return { sampleRate: fmt.sampleRate, channels };
  }
  let p = data.offset;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < fmt.channels; c++) {
      (channels[c] as Float32Array)[i] = readSample(view, p, fmt);
      p += bytesPer;
    }
  }
  return { sampleRate: fmt.sampleRate, channels };
}

function readSample(view: DataView, p: number, fmt: Fmt): number {
  if (fmt.format === WAVE_FORMAT_IEEE_FLOAT)
    return fmt.bitsPerSample === 32 ? view.getFloat32(p, true) : view.getFloat64(p, true);
  switch (fmt.bitsPerSample) {
    case 8:
      return (view.getUint8(p) - 128) / 128;
    case 16:
      return view.getInt16(p, true) / 32768;
    case 24: {
      const v = view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16);
      return v / 8388608;
    }
    default:
      return view.getInt32(p, true) / 2147483648;
  }
}

export type WavFormat = 'wav16' | 'wav24' | 'wav32f';

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

type EncodePlan = {
  channels: readonly Float32Array[];
  sampleRate: number;
  frames: number;
  bits: 16 | 24 | 32;
  isFloat: boolean;
  dataSize: number;
  /** 16-bit only: one dither generator per channel, consumed frame by frame. */
  rngs: Array<() => number>;
  dither: boolean;
};

function planEncoding(audio: AudioData, opts: { format: WavFormat; ditherSeed?: number }): EncodePlan {
  const channelCount = audio.channels.length;
  if (channelCount === 0)
    throw new AudioFormatError('zero_channels', 'Nothing to write: the audio has no channels.');
  const frames = audio.channels[0]?.length ?? 0;
  const bits = opts.format === 'wav16' ? 16 : opts.format === 'wav24' ? 24 : 32;
  return {
    channels: audio.channels,
    sampleRate: audio.sampleRate,
    frames,
    bits,
    isFloat: opts.format === 'wav32f',
    dataSize: frames * channelCount * (bits / 8),
    rngs: Array.from({ length: channelCount }, (_, c) =>
      mulberry32((opts.ditherSeed ?? Date.now()) * 31 + c * 7919),
    ),
    // Audio already on the 16-bit grid (a 16-bit source passed through) needs no requantisation, so
    // no dither: integer round trips stay bit-exact.
    dither: bits === 16 && !onGrid(audio.channels, 32768),
  };
}

function writeHeader(plan: EncodePlan, out: Uint8Array): void {
  const channelCount = plan.channels.length;
  const bytesPer = plan.bits / 8;
  const view = new DataView(out.buffer, out.byteOffset, 44);
  writeFourCC(view, 0, 'RIFF');
  view.setUint32(4, 36 + plan.dataSize + (plan.dataSize & 1), true);
  writeFourCC(view, 8, 'WAVE');
  writeFourCC(view, 12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, plan.isFloat ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, true);
  view.setUint16(22, channelCount, true);
  view.setUint32(24, plan.sampleRate, true);
  view.setUint32(28, plan.sampleRate * channelCount * bytesPer, true);
  view.setUint16(32, channelCount * bytesPer, true);
  view.setUint16(34, plan.bits, true);
  writeFourCC(view, 36, 'data');
  view.setUint32(40, plan.dataSize, true);
}

/** Writes frames [from, to) interleaved into out, starting at out[0]. */
function writeFrames(plan: EncodePlan, from: number, to: number, out: Uint8Array): void {
  const channelCount = plan.channels.length;
  if (plan.bits === 24 && channelCount === 2 && LITTLE_ENDIAN && out.byteOffset % 4 === 0) {
    // The commonest case: two stereo frames are 12 bytes, three 32-bit words written at once.
    const words = new Uint32Array(out.buffer, out.byteOffset, Math.floor(out.byteLength / 4));
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
      out.set([l & 0xff, (l >> 8) & 0xff, (l >> 16) & 0xff, r & 0xff, (r >> 8) & 0xff, (r >> 16) & 0xff], p);
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
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let p = 0;
  for (let i = from; i < to; i++) {
    for (let c = 0; c < channelCount; c++) {
      const x = (plan.channels[c] as Float32Array)[i] as number;
      if (plan.isFloat) {
        view.setFloat32(p, x, true);
        p += 4;
      } else {
        const rng = plan.rngs[c] as () => number;
        const dithered = x * 32768 + (plan.dither ? rng() - rng() : 0);
        view.setInt16(p, clampInt(Math.round(dithered), 32767), true);
        p += 2;
      }
    }
  }
}

/**
 * Writes a WAV file. 16-bit gets TPDF dither (two uniform variables, ±1 LSB peak), independent per
 * channel and seedable so tests are reproducible; 24-bit is rounded; 32-bit float is stored as is.
 */
export function encodeWav(audio: AudioData, opts: { format: WavFormat; ditherSeed?: number }): Uint8Array {
  const plan = planEncoding(audio, opts);
  const out = new Uint8Array(44 + plan.dataSize + (plan.dataSize & 1));
  writeHeader(plan, out);
  writeFrames(plan, 0, plan.frames, out.subarray(44));
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
  opts: { format: WavFormat; ditherSeed?: number },
  chunk: { frames?: number; reuse?: boolean } = {},
): Iterable<Uint8Array> {
  const chunkFrames = chunk.frames ?? 65536;
  if (!Number.isInteger(chunkFrames) || chunkFrames < 1)
    throw new RangeError(`Chunk frames must be a positive whole number, not ${chunkFrames}.`);
  const plan = planEncoding(audio, opts);
  const frameBytes = plan.channels.length * (plan.bits / 8);
  const shared = chunk.reuse ? new Uint8Array(Math.min(chunkFrames, plan.frames) * frameBytes) : null;
  return (function* () {
    const header = new Uint8Array(44);
    writeHeader(plan, header);
    yield header;
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

function onGrid(channels: readonly Float32Array[], scale: number): boolean {
  for (const ch of channels)
    for (let i = 0; i < ch.length; i++) if (!Number.isInteger((ch[i] as number) * scale)) return false;
  return true;
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
