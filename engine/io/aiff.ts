import { type AudioData, AudioFormatError } from '../audio-data';
import { fourCC } from './bytes';
import { type ByteSource, bytesSource, type PcmLayout } from './pcm';
import { decodeLayout, MAX_CHANNELS, MAX_RATE, MIN_RATE } from './wav';

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
const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Finds the format and the samples of an AIFF or AIFF-C file ('NONE' big-endian PCM, 'sowt'
 * little-endian PCM, 'fl32' float), reading only chunk headers and COMM. A frame count of 0, or a
 * sound chunk whose size is 0 or runs past the file (a recording cut short), is not believed: the
 * samples are read to the file's last whole frame, and `notice` says so.
 */
export function parseAiff(src: ByteSource): PcmLayout {
  const head = viewOf(src.read(0, 12));
  if (head.byteLength < 12 || fourCC(head, 0) !== 'FORM')
    throw new AudioFormatError('not_audio', 'This is not an AIFF file.');
  const kind = fourCC(head, 8);
  if (kind !== 'AIFF' && kind !== 'AIFC')
    throw new AudioFormatError('not_audio', 'This is not an AIFF file.');
  let comm: Comm | null = null;
  let ssnd: { offset: number; size: number; toEnd: boolean } | null = null;
  let offset = 12;
  while (offset + 8 <= src.size) {
    const chunkHead = viewOf(src.read(offset, 8));
    const id = fourCC(chunkHead, 0);
    const declared = chunkHead.getUint32(4);
    const body = offset + 8;
    const available = Math.min(declared, src.size - body);
    let size = declared;
    if (id === 'COMM') {
      if (available < 18)
        throw new AudioFormatError('truncated', 'The AIFF file ends inside its COMM chunk.');
      const view = viewOf(src.read(body, Math.min(available, 64)));
      let compression = 'NONE';
      if (kind === 'AIFC') {
        if (available < 22) throw new AudioFormatError('truncated', 'The AIFF-C COMM chunk is too short.');
        compression = fourCC(view, 18);
      }
      comm = {
        channels: view.getInt16(0),
        frames: view.getUint32(2),
        bits: view.getInt16(6),
        sampleRate: readExtended(view, 8),
        compression,
      };
    } else if (id === 'SSND') {
      if (src.size - body < 8) throw new AudioFormatError('truncated', 'The AIFF sound chunk is too short.');
      const dataOffset = viewOf(src.read(body, 4)).getUint32(0);
      const start = body + 8 + dataOffset;
      const toEnd = declared < 8 || declared > src.size - body;
      const end = toEnd ? src.size : body + declared;
      ssnd = { offset: start, size: Math.max(0, end - start), toEnd };
      if (toEnd) size = src.size - body;
    }
    offset = body + size + (size & 1);
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
  const float = compression === 'fl32';
  if (!['none', 'sowt', 'fl32'].includes(compression)) {
    throw new AudioFormatError(
      'unsupported_format',
      `This AIFF-C compression ("${comm.compression}") is not supported; use uncompressed, sowt or fl32.`,
    );
  }
  const bitsOk = float ? bits === 32 : [8, 16, 24, 32].includes(bits);
  if (!bitsOk) throw new AudioFormatError('unsupported_format', `${bits}-bit AIFF is not supported.`);
  const inFile = Math.floor(ssnd.size / ((bits / 8) * channels));
  const trustFrames = comm.frames > 0 && !ssnd.toEnd;
  const frames = trustFrames ? Math.min(comm.frames, inFile) : inFile;
  const layout: PcmLayout = {
    sampleRate,
    channels,
    float,
    bits,
    bigEndian: compression !== 'sowt',
    unsigned8: false,
    dataOffset: ssnd.offset,
    frames,
  };
  if (!trustFrames && frames > 0 && frames !== comm.frames) {
    layout.notice = `The AIFF file's sizes say ${comm.frames} frames; read to the end of the file instead (${frames} frames).`;
    layout.recovered = { declaredFrames: comm.frames };
  }
  return layout;
}

/** Reads AIFF and AIFF-C ('NONE' big-endian PCM, 'sowt' little-endian PCM, 'fl32' float). */
export function decodeAiff(bytes: Uint8Array): AudioData {
  return decodeLayout(bytes, parseAiff(bytesSource(bytes)));
}
