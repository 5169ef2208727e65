import { AudioFormatError } from '../audio-data';
import type { ByteSource } from './pcm';
import { type FrameSource, fileSource } from './sources';

/**
 * Compressed sources (FLAC, MP3, Ogg Vorbis) decoded as they are read, by the registry's WebAssembly
 * decoders (@wasm-audio-decoders/flac, mpg123-decoder, @wasm-audio-decoders/ogg-vorbis), loaded only
 * when such a file is opened. The input is fed 64 KiB at a time and the decoded audio kept only
 * until it is read, so memory does not grow with length.
 *
 * A FrameSource must know its length up front (mixLength uses it): FLAC says it in STREAMINFO; an
 * MP3 in its Xing/LAME frame (frames, delay, padding) or else by counting its frames (a header hop
 * through the file); Ogg in its last page's granule position. The decoded audio is cut or padded
 * with silence to that length.
 *
 * FLAC and Ogg decoders only offer Promise-returning calls although their work is synchronous;
 * FrameSource.read is synchronous, so their synchronous inner decoder (`_decoder`) is used, with the
 * package versions pinned. Their frames are split by codec-parser, as the packages do themselves.
 */
const CHUNK = 65536;
/** A copy of what a ByteSource lent (its buffer may be reused, or be a Node Buffer's pooled memory). */
const copy = (bytes: Uint8Array) => new Uint8Array(bytes);

type Chunk = { channels: Float32Array[]; frames: number };

/** A decoder pulled a chunk at a time, served as a FrameSource of exactly `frames` frames. */
function pulledSource(spec: {
  sampleRate: number;
  channelCount: number;
  frames: number;
  notice?: string;
  pull(): Chunk | null;
  /** Called once when the decoder has nothing more and the length is still short. */
  short?(decoded: number): void;
}): FrameSource {
  let queue: Chunk | null = null;
  let offset = 0;
  let position = 0;
  let done = false;
  return {
    sampleRate: spec.sampleRate,
    channelCount: spec.channelCount,
    frames: spec.frames,
    notice: spec.notice,
    read(into, count) {
      const n = Math.min(count, spec.frames - position);
      if (n <= 0) return 0;
      let got = 0;
      while (got < n) {
        if (!queue || offset >= queue.frames) {
          queue = done ? null : spec.pull();
          offset = 0;
          if (!queue) {
            if (!done) spec.short?.(position + got);
            done = true;
            for (const ch of into) ch.fill(0, got, n);
            break;
          }
          continue;
        }
        const take = Math.min(n - got, queue.frames - offset);
        for (let c = 0; c < spec.channelCount; c++) {
          const from = queue.channels[Math.min(c, queue.channels.length - 1)] as Float32Array;
          (into[c] as Float32Array).set(from.subarray(offset, offset + take), got);
        }
        offset += take;
        got += take;
      }
      position += n;
      return n;
    },
  };
}

const ascii = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
const seconds = (frames: number, rate: number) => `${(frames / rate).toFixed(1)} s`;

/** The decoders' own logging (console.error) would reach the musician raw; their errors are reported here. */
function quietly<T>(f: () => T): T {
  const host = globalThis as unknown as { console: { error: (...args: unknown[]) => void } };
  const error = host.console.error;
  host.console.error = () => {};
  try {
    return f();
  } finally {
    host.console.error = error;
  }
}

/** Everything an iterator yields (codec-parser's generators). */
function drain<T>(it: Iterator<T>): T[] {
  const out: T[] = [];
  for (let r = it.next(); !r.done; r = it.next()) out.push(r.value);
  return out;
}

/**
 * Any audio file the engine reads, by its signature: WAV/RF64/BW64 and AIFF (read in place), FLAC,
 * MP3 (with or without an ID3v2 tag), Ogg Vorbis.
 */
export async function openSource(src: ByteSource): Promise<FrameSource> {
  const head = copy(src.read(0, 12));
  const magic = ascii(head.subarray(0, 4));
  if (magic === 'RIFF' || magic === 'RF64' || magic === 'BW64' || magic === 'FORM') return fileSource(src);
  if (magic === 'fLaC') return flacSource(src);
  if (magic === 'OggS') return oggSource(src);
  if (magic.startsWith('ID3') || ((head[0] as number) === 0xff && ((head[1] as number) & 0xe0) === 0xe0))
    return mp3Source(src);
  if (src.size === 0) throw new AudioFormatError('truncated', 'The file is empty.');
  throw new AudioFormatError(
    'not_audio',
    `This file starts with "${ascii(head.subarray(0, 8))}" (${hex(head.subarray(0, 8))}): it is not WAV, AIFF, FLAC, MP3 or Ogg Vorbis.`,
  );
}

// ---------- FLAC ----------

async function flacSource(src: ByteSource): Promise<FrameSource> {
  const info = copy(src.read(8, 18));
  if (info.byteLength < 18 || ((src.read(4, 1)[0] ?? 1) & 0x7f) !== 0)
    throw new AudioFormatError('bad_chunk', 'The FLAC file has no STREAMINFO block where it should start.');
  const sampleRate = ((info[10] as number) << 12) | ((info[11] as number) << 4) | ((info[12] as number) >> 4);
  const channelCount = (((info[12] as number) >> 1) & 7) + 1;
  const total =
    ((info[13] as number) & 0xf) * 2 ** 32 +
    (((info[14] as number) << 24) >>> 0) +
    ((info[15] as number) << 16) +
    ((info[16] as number) << 8) +
    (info[17] as number);
  if (sampleRate === 0) throw new AudioFormatError('bad_rate', 'The FLAC file gives no sample rate.');
  // FLAC 1.4 added 32-bit samples, whose frames the parser here does not know: it would find none
  // and report the whole file missing.
  const bits = ((((info[12] as number) & 1) << 4) | ((info[13] as number) >> 4)) + 1;
  if (bits > 24)
    throw new AudioFormatError(
      'unsupported_format',
      `The FLAC file holds ${bits}-bit samples, which the engine cannot decode; re-encode it at 24-bit (or export it as WAV).`,
    );
  if (total === 0)
    throw new AudioFormatError(
      'unsupported_format',
      'The FLAC file does not say how long it is (a stream without a total); re-encode it with flac.',
    );
  const [{ FLACDecoder }, parser] = await Promise.all([
    import('@wasm-audio-decoders/flac'),
    import('codec-parser'),
  ]);
  const decoder = new FLACDecoder();
  await decoder.ready;
  const inner = (decoder as unknown as { _decoder: { decodeFrames(f: Uint8Array[]): Decoded } })._decoder;
  const CodecParser = parser.default;
  const codec = new CodecParser('audio/flac', { enableFrameCRC32: false });
  let at = 0;
  let decoded = 0;
  let ended = false;
  return pulledSource({
    sampleRate,
    channelCount,
    frames: total,
    pull() {
      while (!ended) {
        const bytes = at < src.size ? copy(src.read(at, CHUNK)) : null;
        at += CHUNK;
        const frames = bytes ? drain(codec.parseChunk(bytes)) : drain(codec.flush());
        if (!bytes) ended = true;
        if (frames.length === 0) continue;
        const out = quietly(() => inner.decodeFrames(frames.map((f) => f[parser.data] as Uint8Array)));
        if (out.errors.length > 0) {
          const e = out.errors[0] as { message: string; outputSamples: number; frameNumber: number };
          throw new AudioFormatError(
            'bad_chunk',
            `The FLAC file is damaged at ${seconds(Math.max(decoded, e.outputSamples), sampleRate)} (frame ${e.frameNumber + 1}): ${flacProblem(e.message)}.`,
          );
        }
        decoded += out.samplesDecoded;
        if (out.samplesDecoded > 0) return { channels: out.channelData, frames: out.samplesDecoded };
      }
      return null;
    },
    short(got) {
      throw new AudioFormatError(
        at >= src.size && src.size < 1 ? 'truncated' : 'bad_chunk',
        `The FLAC file stops at ${seconds(got, sampleRate)} of its ${seconds(total, sampleRate)}: frames from there on are missing or damaged.`,
      );
    },
  });
}

/** libFLAC's error status in words. */
function flacProblem(message: string): string {
  if (/MISSING_FRAME/.test(message)) return 'a frame is missing or unreadable';
  if (/FRAME_CRC_MISMATCH/.test(message)) return "a frame's checksum does not match its samples";
  if (/BAD_HEADER/.test(message)) return 'a frame header is corrupt';
  if (/LOST_SYNC/.test(message)) return 'the decoder lost its place in the stream';
  if (/UNPARSEABLE_STREAM/.test(message)) return 'the stream uses something this decoder cannot parse';
  return `the decoder stopped (${message.replace(/\s+/g, ' ').trim()})`;
}

type Decoded = { channelData: Float32Array[]; samplesDecoded: number; sampleRate: number; errors: unknown[] };

// ---------- MP3 ----------

const MPEG_RATES = [
  [11025, 12000, 8000], // MPEG 2.5
  [0, 0, 0],
  [22050, 24000, 16000], // MPEG 2
  [44100, 48000, 32000], // MPEG 1
];
const BITRATES_V1 = [
  [],
  [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320], // layer III
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384], // layer II
  [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448], // layer I
];
const BITRATES_V2 = [
  [],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
];

type MpegFrame = { size: number; samples: number; rate: number; channels: number; sideInfo: number };

function mpegFrame(b0: number, b1: number, b2: number, b3: number): MpegFrame | null {
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const version = (b1 >> 3) & 3;
  const layer = (b1 >> 1) & 3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (version === 1 || layer === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3)
    return null;
  const rate = MPEG_RATES[version]?.[rateIndex] as number;
  const kbps = ((version === 3 ? BITRATES_V1 : BITRATES_V2)[layer] as number[])[bitrateIndex] as number;
  const pad = (b2 >> 1) & 1;
  const mono = b3 >> 6 === 3;
  let size: number;
  let samples: number;
  if (layer === 3) {
    size = (Math.floor((12000 * kbps) / rate) + pad) * 4;
    samples = 384;
  } else {
    const perFrame = layer === 1 && version !== 3 ? 72 : 144;
    size = Math.floor((perFrame * 1000 * kbps) / rate) + pad;
    samples = layer === 1 && version !== 3 ? 576 : 1152;
  }
  const sideInfo = version === 3 ? (mono ? 17 : 32) : mono ? 9 : 17;
  return { size, samples, rate, channels: mono ? 1 : 2, sideInfo };
}

/** Frames of an MP3 (its length and format) from its Xing/LAME frame, or by hopping through its headers. */
function scanMp3(src: ByteSource): { rate: number; channels: number; frames: number; cut: number | null } {
  let at = 0;
  const id3 = copy(src.read(0, 10));
  if (ascii(id3.subarray(0, 3)) === 'ID3') {
    const size =
      (((id3[6] as number) & 0x7f) << 21) |
      (((id3[7] as number) & 0x7f) << 14) |
      (((id3[8] as number) & 0x7f) << 7) |
      ((id3[9] as number) & 0x7f);
    at = 10 + size + ((id3[5] as number) & 0x10 ? 10 : 0);
  }
  // The first frame: a valid header whose successor is one too (a lone 0xFFE is not enough).
  let first: MpegFrame | null = null;
  const window = copy(src.read(at, CHUNK));
  for (let p = 0; p + 4 <= window.byteLength; p++) {
    const f = mpegFrame(
      window[p] as number,
      window[p + 1] as number,
      window[p + 2] as number,
      window[p + 3] as number,
    );
    if (!f) continue;
    const next = copy(src.read(at + p + f.size, 4));
    if (
      next.byteLength < 4 ||
      mpegFrame(next[0] as number, next[1] as number, next[2] as number, next[3] as number)
    ) {
      first = f;
      at += p;
      break;
    }
  }
  if (!first)
    throw new AudioFormatError(
      'not_audio',
      'The file looks like an MP3 but no MPEG audio frame was found in it.',
    );
  const frame = copy(src.read(at, first.size));
  const tagAt = 4 + first.sideInfo;
  const tag = ascii(frame.subarray(tagAt, tagAt + 4));
  if ((tag === 'Xing' || tag === 'Info') && frame.byteLength >= tagAt + 16) {
    const view = new DataView(frame.buffer);
    const flags = view.getUint32(tagAt + 4);
    if (flags & 1) {
      const count = view.getUint32(tagAt + 8);
      let delay = 0;
      let padding = 0;
      let lame =
        tagAt + 8 + (flags & 1 ? 4 : 0) + (flags & 2 ? 4 : 0) + (flags & 4 ? 100 : 0) + (flags & 8 ? 4 : 0);
      if (frame.byteLength >= lame + 24 && /^(LAME|Lavf|Lavc)/.test(ascii(frame.subarray(lame, lame + 4)))) {
        lame += 21;
        delay = ((frame[lame] as number) << 4) | ((frame[lame + 1] as number) >> 4);
        padding = (((frame[lame + 1] as number) & 0xf) << 8) | (frame[lame + 2] as number);
      }
      // The file must hold what the tag promises: else it was cut.
      const bytes = flags & 2 ? view.getUint32(tagAt + 12) : 0;
      const cut =
        bytes > 0 && at + bytes > src.size
          ? Math.max(0, Math.floor(((src.size - at) / bytes) * count))
          : null;
      return {
        rate: first.rate,
        channels: first.channels,
        frames: Math.max(0, count * first.samples - delay - padding),
        cut: cut === null ? null : cut * first.samples,
      };
    }
  }
  let frames = 0;
  let cut: number | null = null;
  let buffer = new Uint8Array(0);
  let bufferAt = 0;
  while (at + 4 <= src.size) {
    if (at + 4 > bufferAt + buffer.byteLength) {
      buffer = copy(src.read(at, CHUNK));
      bufferAt = at;
    }
    const p = at - bufferAt;
    const f = mpegFrame(
      buffer[p] as number,
      buffer[p + 1] as number,
      buffer[p + 2] as number,
      buffer[p + 3] as number,
    );
    if (!f) break; // an ID3v1 tag or junk at the end
    if (at + f.size > src.size) {
      cut = frames * first.samples;
      break;
    }
    frames += f.samples;
    at += f.size;
  }
  return { rate: first.rate, channels: first.channels, frames, cut };
}

async function mp3Source(src: ByteSource): Promise<FrameSource> {
  const scan = scanMp3(src);
  const { MPEGDecoder } = await import('mpg123-decoder');
  const decoder = new MPEGDecoder();
  await decoder.ready;
  let at = 0;
  let ended = false;
  const frames = scan.cut ?? scan.frames;
  const notice =
    scan.cut !== null
      ? `The MP3 file is cut short: it ends inside a frame at ${seconds(scan.cut, scan.rate)}${scan.frames > scan.cut ? ` of the ${seconds(scan.frames, scan.rate)} it announces` : ''}; read to there.`
      : undefined;
  return pulledSource({
    sampleRate: scan.rate,
    channelCount: scan.channels,
    frames,
    notice,
    pull() {
      while (!ended && at < src.size) {
        const bytes = copy(src.read(at, CHUNK));
        at += CHUNK;
        const out = quietly(() => decoder.decode(bytes));
        if (out.samplesDecoded > 0) return { channels: out.channelData, frames: out.samplesDecoded };
      }
      ended = true;
      decoder.free();
      return null;
    },
  });
}

// ---------- Ogg Vorbis ----------

function oggHeader(src: ByteSource): { rate: number; channels: number } {
  const page = copy(src.read(0, 27 + 255));
  const segments = page[26] as number;
  const body = copy(src.read(27 + segments, 30));
  const id = ascii(body.subarray(0, 8));
  if (id.startsWith('OpusHead'))
    throw new AudioFormatError(
      'unsupported_format',
      'This Ogg file holds Opus audio; the engine reads Ogg Vorbis (convert it to FLAC or WAV).',
    );
  if (id.startsWith('.FLAC'))
    throw new AudioFormatError(
      'unsupported_format',
      'This Ogg file holds FLAC audio; the engine reads plain .flac files and Ogg Vorbis.',
    );
  if (body[0] !== 1 || ascii(body.subarray(1, 7)) !== 'vorbis')
    throw new AudioFormatError('unsupported_format', `This Ogg file holds "${id}" rather than Vorbis audio.`);
  const view = new DataView(body.buffer);
  return { channels: body[11] as number, rate: view.getUint32(12, true) };
}

/** The last page's granule position: the stream's length in frames. */
function oggLength(src: ByteSource): number {
  const from = Math.max(0, src.size - CHUNK);
  const tail = copy(src.read(from, src.size - from));
  for (let p = tail.byteLength - 27; p >= 0; p--) {
    if (tail[p] !== 0x4f || tail[p + 1] !== 0x67 || tail[p + 2] !== 0x67 || tail[p + 3] !== 0x53) continue;
    const view = new DataView(tail.buffer, p);
    const granule = view.getUint32(6, true) + view.getUint32(10, true) * 2 ** 32;
    if (granule > 0 && granule < 2 ** 52) return granule;
  }
  throw new AudioFormatError(
    'truncated',
    'The Ogg file has no page with a length in its last 64 KiB: it is cut short.',
  );
}

async function oggSource(src: ByteSource): Promise<FrameSource> {
  const { rate, channels } = oggHeader(src);
  const frames = oggLength(src);
  const [{ OggVorbisDecoder }, parser] = await Promise.all([
    import('@wasm-audio-decoders/ogg-vorbis'),
    import('codec-parser'),
  ]);
  const decoder = new OggVorbisDecoder();
  await decoder.ready;
  type Inner = {
    sendSetupHeader(b: Uint8Array): void;
    initDsp(): void;
    decodePackets(p: Uint8Array[]): Decoded;
  };
  const inner = (decoder as unknown as { _decoder: Inner })._decoder;
  const codec = new parser.default('audio/ogg', { enableFrameCRC32: false });
  let setup = true;
  let at = 0;
  let ended = false;
  return pulledSource({
    sampleRate: rate,
    channelCount: channels,
    frames,
    pull() {
      while (!ended) {
        const bytes = at < src.size ? copy(src.read(at, CHUNK)) : null;
        at += CHUNK;
        // biome-ignore lint/suspicious/noExplicitAny: codec-parser's page objects, indexed by its own keys.
        const pages: any[] = bytes ? drain(codec.parseChunk(bytes)) : drain(codec.flush());
        if (!bytes) ended = true;
        const packets: Uint8Array[] = [];
        for (const page of pages) {
          // The same setup as the package's own decodeOggPages: identification, then setup header.
          if (setup) {
            if (page[parser.data][0] === 1) inner.sendSetupHeader(page[parser.data]);
            if (page[parser.codecFrames].length) {
              inner.sendSetupHeader(page[parser.codecFrames][0][parser.header][parser.vorbisSetup]);
              inner.initDsp();
              setup = false;
            }
          }
          for (const f of page[parser.codecFrames]) packets.push(f[parser.data]);
        }
        if (packets.length === 0) continue;
        const out = quietly(() => inner.decodePackets(packets));
        if (out.samplesDecoded > 0) return { channels: out.channelData, frames: out.samplesDecoded };
      }
      return null;
    },
  });
}
