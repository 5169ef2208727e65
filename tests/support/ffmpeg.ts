import { spawnSync } from 'node:child_process';

/** ffmpeg's own EBU R128 measurement of a file (the reference the engine is checked against). */
export function ffmpegEbur128(file: string): { integrated: number; lra: number; truePeak: number } {
  const run = spawnSync(
    'ffmpeg',
    ['-hide_banner', '-nostats', '-i', file, '-af', 'ebur128=peak=true', '-f', 'null', '-'],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (run.status !== 0) throw new Error(`ffmpeg failed: ${run.stderr.slice(-2000)}`);
  // The summary comes last on stderr.
  const summary = run.stderr.slice(run.stderr.lastIndexOf('Summary:'));
  const num = (re: RegExp) => Number(re.exec(summary)?.[1]);
  return {
    integrated: num(/I:\s+(-?[\d.]+) LUFS/),
    lra: num(/LRA:\s+(-?[\d.]+) LU/),
    truePeak: num(/Peak:\s+(-?[\d.]+) dBFS/),
  };
}

export type Probe = {
  format: string;
  codec: string;
  sampleRate: number;
  channels: number;
  /** Bits of the samples stored (PCM, FLAC); 0 for MP3. */
  bits: number;
  /** The stream's bit rate in bit/s (MP3), or null when ffprobe gives none. */
  bitRate: number | null;
  seconds: number;
  /** The file's tags, keys in lower case (ID3 and Vorbis comments spell them differently). */
  tags: Record<string, string>;
};

/** What ffprobe reads in a file: the container, the codec, rate, channels, bits and tags. */
export function ffprobe(file: string): Probe {
  const run = spawnSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`ffprobe failed on ${file}: ${run.stderr.slice(-2000)}`);
  const json = JSON.parse(run.stdout) as {
    format: { format_name: string; duration?: string; tags?: Record<string, string> };
    streams: Array<{
      codec_name: string;
      sample_rate: string;
      channels: number;
      bits_per_sample?: number;
      bits_per_raw_sample?: string;
      bit_rate?: string;
      tags?: Record<string, string>;
    }>;
  };
  const stream = json.streams[0];
  if (!stream) throw new Error(`ffprobe found no stream in ${file}`);
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...stream.tags, ...json.format.tags })) tags[k.toLowerCase()] = v;
  return {
    format: json.format.format_name,
    codec: stream.codec_name,
    sampleRate: Number(stream.sample_rate),
    channels: stream.channels,
    bits: Number(stream.bits_per_raw_sample ?? 0) || stream.bits_per_sample || 0,
    bitRate: stream.bit_rate ? Number(stream.bit_rate) : null,
    seconds: Number(json.format.duration ?? 0),
    tags,
  };
}
