import type { AudioData } from '../audio-data';
import { applyDownmix, type Downmix, stereoDownmix } from '../dsp/downmix';
import { RateConverter, resampledLength } from '../dsp/resample';
import { parseAudioFile } from './decode';
import { planarSource } from './planar';
import { type ByteSource, bytesPerFrame, decodeFrames } from './pcm';
import { int16Views, wordViews } from './scratch';

/**
 * Audio read front to back a block at a time: a decoded buffer, a file read as it goes, or either
 * of those downmixed or resampled on the way. A render holds one block per source, whatever the
 * length of the song.
 */
export interface FrameSource {
  readonly sampleRate: number;
  readonly channelCount: number;
  readonly frames: number;
  /** What the reader had to work around (a wrong size, a downmix), for the musician. */
  readonly notice?: string;
  /** Writes the next frames, at most `count` (fewer only at the end), into into[c][0 …); returns how many. */
  read(into: readonly Float32Array[], count: number): number;
}

export function memorySource(audio: AudioData): FrameSource {
  // Float channels are planar audio whose every channel is float: one reader for both.
  return planarSource(audio);
}

/** A WAV or AIFF file decoded as it is read: only the block asked for is ever in memory. */
export function fileSource(src: ByteSource): FrameSource {
  const layout = parseAudioFile(src);
  const frameBytes = bytesPerFrame(layout);
  const views = { words: wordViews(), int16: int16Views() };
  let position = 0;
  return {
    sampleRate: layout.sampleRate,
    channelCount: layout.channels,
    frames: layout.frames,
    notice: layout.notice,
    read(into, count) {
      const n = Math.min(count, layout.frames - position);
      if (n <= 0) return 0;
      const bytes = src.read(layout.dataOffset + position * frameBytes, n * frameBytes);
      const whole = Math.floor(bytes.byteLength / frameBytes);
      decodeFrames(layout, bytes, whole, into, 0, views);
      // A file that shrank while being read ends early; the rest reads as silence.
      if (whole < n) for (const ch of into) ch.fill(0, whole, n);
      position += n;
      return n;
    },
  };
}

/** Mono and stereo as they are; more channels downmixed to stereo (BS.775), saying so. */
export function stereoSource(source: FrameSource, blockSize: number): FrameSource {
  const downmix: Downmix | null = stereoDownmix(source.channelCount);
  if (!downmix) return source;
  const wide = Array.from({ length: source.channelCount }, () => new Float32Array(blockSize));
  return {
    sampleRate: source.sampleRate,
    channelCount: 2,
    frames: source.frames,
    notice: [source.notice, downmix.notice].filter(Boolean).join(' '),
    read(into, count) {
      let done = 0;
      while (done < count) {
        const take = Math.min(blockSize, count - done);
        const n = source.read(wide, take);
        if (n === 0) break;
        applyDownmix(downmix, wide, n, into[0] as Float32Array, into[1] as Float32Array, done);
        done += n;
      }
      return done;
    },
  };
}

/**
 * A source brought to another rate as it is read: a window of the input slides along, holding what
 * the next block of output needs (the kernel's reach either side), never more.
 */
export function resampledSource(source: FrameSource, rate: number): FrameSource {
  if (source.sampleRate === rate) return source;
  const converter = new RateConverter(source.sampleRate, rate);
  const frames = resampledLength(source.frames, source.sampleRate, rate);
  const channelCount = source.channelCount;
  let window = Array.from({ length: channelCount }, () => new Float32Array(0));
  // What the source reads next, before it joins the window (a read writes from index 0).
  let incoming = window;
  let windowStart = 0;
  let windowEnd = 0;
  let position = 0;
  return {
    sampleRate: rate,
    channelCount,
    frames,
    notice: source.notice,
    read(into, count) {
      const n = Math.min(count, frames - position);
      if (n <= 0) return 0;
      const start = Math.max(0, converter.inputStart(position));
      const end = Math.min(source.frames, converter.inputEnd(position, n));
      if ((window[0]?.length ?? 0) < end - start) {
        const size = Math.ceil((end - start) * 1.25);
        window = window.map((old) => {
          const grown = new Float32Array(size);
          grown.set(old.subarray(0, windowEnd - windowStart));
          return grown;
        });
        incoming = window.map(() => new Float32Array(size));
      }
      // Drop what no later output reads, keep the overlap, read on to what this block needs.
      const keep = Math.max(0, windowEnd - Math.max(start, windowStart));
      if (start > windowStart)
        for (let c = 0; c < channelCount; c++)
          (window[c] as Float32Array).copyWithin(
            0,
            Math.min(start, windowEnd) - windowStart,
            windowEnd - windowStart,
          );
      // (A source is read in order: never past what was read, even should a block skip input.)
      windowStart = Math.max(windowStart, Math.min(start, windowEnd));
      windowEnd = windowStart + keep;
      if (end > windowEnd) {
        const got = source.read(incoming, end - windowEnd);
        const at = windowEnd - windowStart;
        for (let c = 0; c < channelCount; c++) {
          const ch = window[c] as Float32Array;
          const read = incoming[c] as Float32Array;
          for (let i = 0; i < got; i++) ch[at + i] = read[i] as number;
        }
        windowEnd += got;
      }
      for (let c = 0; c < channelCount; c++)
        converter.range(
          window[c] as Float32Array,
          position,
          n,
          into[c] as Float32Array,
          windowStart,
          source.frames,
        );
      position += n;
      return n;
    },
  };
}
