import { type AudioData, AudioFormatError } from '../audio-data';
import { fourCC } from './bytes';
import { MAX_CHANNELS, MAX_RATE, MIN_RATE } from './wav';

/** IEEE 754 80-bit extended (the AIFF sample rate field). */
function readExtended(view: DataView, offset: number): number {
  const exp = ((view.getUint8(offset) & 0x7f) << 8) | view.getUint8(offset + 1);
  const sign = view.getUint8(offset) & 0x80 ? -1 : 1;
  const hi = view.getUint32(offset + 2);
  const lo = view.getUint32(offset + 6);
  if (exp === 0 && hi === 0 && lo === 0) return 0;
  return sign * (hi * 2 ** 32 + lo) * 2 ** (exp - 16383 - 63);
}

type Comm = { channels: number; frames: number; bits: number; sampleRate: number; compression: string };

/** Reads AIFF and AIFF-C ('NONE' big-endian PCM, 'sowt' little-endian PCM, 'fl32' float). */
export function decodeAiff(bytes: Uint8Array): AudioData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || fourCC(view, 0) !== 'FORM')
    throw new AudioFormatError('not_audio', 'This is not an AIFF file.');
  const kind = fourCC(view, 8);
  if (kind !== 'AIFF' && kind !== 'AIFC')
    throw new AudioFormatError('not_audio', 'This is not an AIFF file.');
  let comm: Comm | null = null;
  let ssnd: { offset: number; size: number } | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = fourCC(view, offset);
    const declared = view.getUint32(offset + 4);
    const body = offset + 8;
    const available = Math.min(declared, bytes.byteLength - body);
    if (id === 'COMM') {
      if (available < 18)
        throw new AudioFormatError('truncated', 'The AIFF file ends inside its COMM chunk.');
      let compression = 'NONE';
      if (kind === 'AIFC') {
        if (available < 22) throw new AudioFormatError('truncated', 'The AIFF-C COMM chunk is too short.');
        compression = fourCC(view, body + 18);
      }
      comm = {
        channels: view.getInt16(body),
        frames: view.getUint32(body + 2),
        bits: view.getInt16(body + 6),
        sampleRate: readExtended(view, body + 8),
        compression,
      };
    } else if (id === 'SSND') {
      if (available < 8) throw new AudioFormatError('truncated', 'The AIFF sound chunk is too short.');
      const dataOffset = view.getUint32(body);
      const start = body + 8 + dataOffset;
      ssnd = { offset: start, size: Math.max(0, Math.min(body + available, bytes.byteLength) - start) };
    }
    offset = body + declared + (declared & 1);
  }
  if (!comm) throw new AudioFormatError('bad_chunk', 'The AIFF file has no COMM chunk.');
  if (!ssnd) throw new AudioFormatError('truncated', 'The AIFF file has no sound data.');
  const { channels, bits, sampleRate } = comm;
  const compression = comm.compression.toLowerCase();
  if (channels <= 0) throw new AudioFormatError('zero_channels', 'The AIFF file says it has no channels.');
  if (channels > MAX_CHANNELS)
    throw new AudioFormatError(
      'unsupported_format',
      `The AIFF file has ${channels} channels; at most ${MAX_CHANNELS} are supported.`,
    );
  if (!(sampleRate >= MIN_RATE && sampleRate <= MAX_RATE))
    throw new AudioFormatError(
      'bad_rate',
      `The AIFF file's sample rate (${sampleRate} Hz) is not a real audio rate.`,
    );
  const isFloat = compression === 'fl32';
  const littleEndian = compression === 'sowt';
  if (!['none', 'sowt', 'fl32'].includes(compression)) {
    throw new AudioFormatError(
      'unsupported_format',
      `This AIFF-C compression ("${comm.compression}") is not supported; use uncompressed, sowt or fl32.`,
    );
  }
  const bitsOk = isFloat ? bits === 32 : [8, 16, 24, 32].includes(bits);
  if (!bitsOk) throw new AudioFormatError('unsupported_format', `${bits}-bit AIFF is not supported.`);
  const bytesPer = bits / 8;
  const frames = Math.min(comm.frames, Math.floor(ssnd.size / (bytesPer * channels)));
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  let p = ssnd.offset;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      let v: number;
      if (isFloat) v = view.getFloat32(p, false);
      else if (bits === 8) v = view.getInt8(p) / 128;
      else if (bits === 16) v = view.getInt16(p, littleEndian) / 32768;
      else if (bits === 24) {
        const [b0, b1, b2] = littleEndian
          ? [view.getUint8(p), view.getUint8(p + 1), view.getInt8(p + 2)]
          : [view.getUint8(p + 2), view.getUint8(p + 1), view.getInt8(p)];
        v = (b0 | (b1 << 8) | (b2 << 16)) / 8388608;
      } else v = view.getInt32(p, littleEndian) / 2147483648;
      (out[c] as Float32Array)[i] = v;
      p += bytesPer;
    }
  }
  return { sampleRate, channels: out };
}
