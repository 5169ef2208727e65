import type { ExportTags } from '../../contracts/export';
import { type ExportFormat, FORMATS } from '../../contracts/formats';
import type { AudioData } from '../audio-data';
import { FlacWriter, STREAMINFO_OFFSET } from './flac-encoder';
import { Mp3Writer } from './mp3-encoder';
import { type FrameSource, memorySource, resampledSource } from './sources';
import { riffInfo } from './tags';
import { type Clipping, WavEncoder, type WavFormat } from './wav';

/**
 * One way to write every export format, for the app's Worker and the CLI alike: the header, then
 * each block's bytes in order, then finish()'s tail. When the header could only be guessed before
 * the end (FLAC's STREAMINFO totals and MD5, MP3's Info frame, a WAV of unknown length), finish()
 * also gives `headerPatch`: bytes to write over the file at `offset` (a writer that can seek goes
 * back; a writer in memory patches its buffer).
 *
 * The bytes returned by encode() may be a buffer the encoder reuses: write them out before the next call.
 */
export interface AudioEncoder {
  readonly extension: 'wav' | 'flac' | 'mp3';
  readonly mimeType: string;
  /** The file's beginning (may be empty). */
  header(): Uint8Array;
  encode(block: readonly Float32Array[], count: number): Uint8Array;
  finish(): EncoderFinish;
  /** Samples beyond what the format holds (fixed point: full scale), and the largest |sample| met. */
  readonly clipping: Clipping;
}

export type EncoderFinish = { tail: Uint8Array[]; headerPatch?: { offset: number; bytes: Uint8Array } };

export type EncoderOptions = {
  sampleRate: number;
  channelCount: 1 | 2;
  /** The length when known up front (a WAV then needs no patch). */
  frames?: number;
  tags?: ExportTags;
  /** 16-bit TPDF dither's seed: the same seed gives the same samples in WAV and FLAC. */
  ditherSeed?: number;
};

const MIME = { wav: 'audio/wav', flac: 'audio/flac', mp3: 'audio/mpeg' } as const;

export async function createEncoder(format: ExportFormat, opts: EncoderOptions): Promise<AudioEncoder> {
  const facts = FORMATS[format];
  if (opts.channelCount !== 1 && opts.channelCount !== 2) throw new RangeError('Exports are mono or stereo.');
  if (facts.file === 'mp3') return mp3Encoder(format, opts);
  if (facts.file === 'flac') return flacEncoder(facts.bits === 16 ? 'wav16' : 'wav24', opts);
  return wavEncoder(format as WavFormat, opts);
}

/**
 * The encoders that need no WebAssembly (WAV and FLAC) made at once, for a writer that must start a
 * file again mid-run (the streaming master's rewind); null for MP3, whose LAME instance loads
 * asynchronously.
 */
export function createEncoderNow(format: ExportFormat, opts: EncoderOptions): AudioEncoder | null {
  const facts = FORMATS[format];
  if (opts.channelCount !== 1 && opts.channelCount !== 2) throw new RangeError('Exports are mono or stereo.');
  if (facts.file === 'mp3') return null;
  if (facts.file === 'flac') return flacEncoder(facts.bits === 16 ? 'wav16' : 'wav24', opts);
  return wavEncoder(format as WavFormat, opts);
}

function wavEncoder(format: WavFormat, opts: EncoderOptions): AudioEncoder {
  const known = opts.frames ?? null;
  const wav = new WavEncoder(
    { sampleRate: opts.sampleRate, channelCount: opts.channelCount, frames: known },
    { format, ditherSeed: opts.ditherSeed },
  );
  const info = riffInfo(opts.tags);
  // The tags follow the samples, so the RIFF size must count them: in the header when the length is
  // known, in the patch otherwise.
  const withInfo = (head: Uint8Array) => {
    if (info.byteLength === 0) return head;
    const out = head.slice();
    const view = new DataView(out.buffer);
    const rf64 = out[0] === 0x52 && out[1] === 0x46 && out[2] === 0x36;
    if (rf64) {
      const at = 20;
      const riff = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32 + info.byteLength;
      view.setUint32(at, riff % 2 ** 32, true);
      view.setUint32(at + 4, Math.floor(riff / 2 ** 32), true);
    } else view.setUint32(4, view.getUint32(4, true) + info.byteLength, true);
    return out;
  };
  return {
    extension: 'wav',
    mimeType: MIME.wav,
    clipping: wav.clipping,
    header: () => withInfo(wav.header),
    encode: (block, count) => wav.encode(block, count),
    finish() {
      const tail = [wav.trailer(), info].filter((b) => b.byteLength > 0);
      if (known !== null) {
        if (wav.framesWritten !== known)
          throw new RangeError(`The WAV announced ${known} frames; ${wav.framesWritten} were written.`);
        return { tail };
      }
      return { tail, headerPatch: { offset: 0, bytes: withInfo(wav.finalHeader()) } };
    },
  };
}

function flacEncoder(pcm: 'wav16' | 'wav24', opts: EncoderOptions): AudioEncoder {
  // The WAV writer makes the integer samples (rounding, TPDF dither on 16-bit, the clip count), so a
  // FLAC holds exactly the PCM of the WAV at the same depth and seed.
  const wav = new WavEncoder(
    { sampleRate: opts.sampleRate, channelCount: opts.channelCount, frames: null },
    { format: pcm, ditherSeed: opts.ditherSeed },
  );
  const flac = new FlacWriter({
    sampleRate: opts.sampleRate,
    channelCount: opts.channelCount,
    bits: pcm === 'wav16' ? 16 : 24,
    frames: opts.frames,
    tags: opts.tags,
  });
  return {
    extension: 'flac',
    mimeType: MIME.flac,
    clipping: wav.clipping,
    header: () => flac.header(),
    encode: (block, count) => flac.push(wav.encode(block, count), count),
    finish() {
      const { tail, streamInfo } = flac.finish();
      return { tail: [tail], headerPatch: { offset: STREAMINFO_OFFSET, bytes: streamInfo } };
    },
  };
}

async function mp3Encoder(format: ExportFormat, opts: EncoderOptions): Promise<AudioEncoder> {
  const mp3 = await Mp3Writer.create({
    sampleRate: opts.sampleRate,
    channelCount: opts.channelCount,
    mode: format === 'mp3-v0' ? 'v0' : 'cbr320',
    tags: opts.tags,
  });
  // MP3 decodes to floats, but players and most decoders end in 16-bit: beyond full scale clips.
  const clipping: Clipping = { samples: 0, peak: 0 };
  const top = 32767 / 32768;
  return {
    extension: 'mp3',
    mimeType: MIME.mp3,
    clipping,
    header: () => mp3.header(),
    encode(block, count) {
      let { samples, peak } = clipping;
      for (const ch of block)
        for (let i = 0; i < count; i++) {
          const x = ch[i] as number;
          const m = x < 0 ? -x : x;
          if (m > peak) peak = m;
          if (x > top || x < -1) samples++;
        }
      clipping.samples = samples;
      clipping.peak = peak;
      return mp3.encode(block, count);
    },
    finish() {
      const { tail, infoOffset, info } = mp3.finish();
      return { tail: [tail], headerPatch: { offset: infoOffset, bytes: info } };
    },
  };
}

/**
 * A whole buffer to a file in memory (the app's export): brought to `rate` by the engine's
 * resampler, then encoded. Mono stays mono; more than two channels is the caller's downmix.
 */
export async function encodeAudio(
  audio: AudioData,
  format: ExportFormat,
  opts: { rate?: number; tags?: ExportTags; ditherSeed?: number } = {},
): Promise<{ bytes: Uint8Array; clipping: Clipping }> {
  const channelCount = audio.channels.length;
  if (channelCount !== 1 && channelCount !== 2)
    throw new RangeError(`Exports are mono or stereo; this audio has ${channelCount} channels.`);
  return encodeSource(resampledSource(memorySource(audio), opts.rate ?? audio.sampleRate), format, opts);
}

/**
 * Where an encoded stream goes: its bytes in order (`write`), then, where the format's header can
 * only be completed at the end, bytes over the ones at `at` (`patch`). Each call may wait (a file
 * written elsewhere): nothing more is encoded until it settles, so what is held stays bounded.
 * What `write` is given is the sink's from then on (the encoder keeps no reference to it); a sink
 * done with an earlier piece's memory can offer it back through `recycled`, so a long stream is
 * written through the same few buffers instead of a new one per piece.
 */
export type ByteSink = {
  write(bytes: Uint8Array): void | Promise<void>;
  patch(at: number, bytes: Uint8Array): void | Promise<void>;
  /**
   * A buffer the sink no longer needs (an earlier piece, written), for the next piece; none (or one
   * of another size than the pieces'), the encoder makes a new one.
   */
  recycled?(): ArrayBuffer | undefined;
};

/** The encoded bytes are handed over in pieces of this size (the last one shorter): few calls, little held. */
export const SINK_PIECE_BYTES = 4 * 1024 * 1024;

/**
 * A stream (a mix as it is rendered, say) encoded a block at a time into `sink`, in pieces of
 * exactly `pieceBytes` (the last one shorter): only the piece being filled is held, never the
 * samples nor the file. Each block's bytes are copied straight into that piece; its buffer comes
 * from `sink.recycled()` when the sink has one to give back.
 */
export async function encodeSourceTo(
  source: FrameSource,
  format: ExportFormat,
  sink: ByteSink,
  opts: { tags?: ExportTags; ditherSeed?: number; pieceBytes?: number } = {},
): Promise<{ bytes: number; clipping: Clipping }> {
  const channelCount = source.channelCount;
  if (channelCount !== 1 && channelCount !== 2)
    throw new RangeError(`Exports are mono or stereo; this audio has ${channelCount} channels.`);
  const encoder = await createEncoder(format, {
    sampleRate: source.sampleRate,
    channelCount,
    frames: source.frames,
    tags: opts.tags,
    ditherSeed: opts.ditherSeed,
  });
  const pieceBytes = opts.pieceBytes ?? SINK_PIECE_BYTES;
  if (!Number.isInteger(pieceBytes) || pieceBytes < 1)
    throw new RangeError('A piece is a whole number of bytes.');
  let piece: Uint8Array | null = null;
  let filled = 0;
  let total = 0;
  const nextPiece = (): Uint8Array => {
    const given = sink.recycled?.();
    return given && given.byteLength === pieceBytes ? new Uint8Array(given) : new Uint8Array(pieceBytes);
  };
  const flush = async () => {
    if (!piece || filled === 0) return;
    const out = filled === piece.byteLength ? piece : piece.subarray(0, filled);
    piece = null;
    filled = 0;
    await sink.write(out);
  };
  // encode() may hand back a buffer it reuses: its bytes are copied into the piece at once.
  const add = async (bytes: Uint8Array) => {
    total += bytes.byteLength;
    let from = 0;
    while (from < bytes.byteLength) {
      piece ??= nextPiece();
      const left = bytes.byteLength - from;
      const n = Math.min(piece.byteLength - filled, left);
      piece.set(n === bytes.byteLength ? bytes : bytes.subarray(from, from + n), filled);
      filled += n;
      from += n;
      if (filled === piece.byteLength) await flush();
    }
  };
  await add(encoder.header());
  const blockSize = 65536;
  const block = Array.from({ length: channelCount }, () => new Float32Array(blockSize));
  for (;;) {
    const n = source.read(block, blockSize);
    if (n === 0) break;
    await add(encoder.encode(block, n));
  }
  const { tail, headerPatch } = encoder.finish();
  for (const bytes of tail) await add(bytes);
  await flush();
  if (headerPatch) await sink.patch(headerPatch.offset, headerPatch.bytes);
  return { bytes: total, clipping: { ...encoder.clipping } };
}

/** A stream encoded whole into memory (the CLI's stems, the tests): encodeSourceTo with a buffer as its sink. */
export async function encodeSource(
  source: FrameSource,
  format: ExportFormat,
  opts: { tags?: ExportTags; ditherSeed?: number } = {},
): Promise<{ bytes: Uint8Array; clipping: Clipping }> {
  const pieces: Uint8Array[] = [];
  const patches: { at: number; bytes: Uint8Array }[] = [];
  const { bytes: length, clipping } = await encodeSourceTo(
    source,
    format,
    { write: (piece) => void pieces.push(piece), patch: (at, bytes) => void patches.push({ at, bytes }) },
    opts,
  );
  // One piece that fills its own buffer is the file; else the pieces are joined.
  const only = pieces.length === 1 ? pieces[0] : undefined;
  const bytes =
    only && only.byteLength === length && only.buffer.byteLength === length ? only : new Uint8Array(length);
  if (bytes !== only) {
    let o = 0;
    for (const p of pieces) {
      bytes.set(p, o);
      o += p.byteLength;
    }
  }
  for (const { at, bytes: patch } of patches) bytes.set(patch, at);
  return { bytes, clipping };
}
