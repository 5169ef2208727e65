// `npm run --silent audio -- <command>`: the engine on the command line. Results go to stdout as
// JSON; errors and warnings to stderr, in words a musician can act on, with a non-zero exit on error.
// Files are read and written a block at a time: a mix or a loudness measurement holds a few blocks
// per source whatever the length.
import { readFileSync } from 'node:fs';
import type { MasterReport } from '../../contracts/audio';
import path from 'node:path';
import {
  AudioFormatError,
  DEFAULT_MAX_LIMITING_DB,
  type FrameSource,
  fileSource,
  gainToDb,
  LoudnessMeter,
  loudnessReport,
  type MixStream,
  mixLength,
  stereoDownmix,
  streamMaster,
  streamMix,
  WavEncoder,
  type WavFormat,
} from '../index';
import { openBytes, openWriter } from './files';

const USAGE = `Usage:
  npm run --silent audio -- loudness <file.wav>
      loudness report as JSON (EBU R128)
  npm run --silent audio -- mix <project.json> -o <out.wav> [--bits 16|24|32f] [--rate 44100|48000]
                                 [--headroom <dB>]
      renders a project file (source paths relative to it) and prints its length and sample peak as
      JSON; --headroom lowers the master by that much; a 16/24-bit file that clips is written
      anyway, with a warning on stderr
  npm run --silent audio -- master <in.wav> -o <out.wav> [--target -14] [--ceiling -1]
                                 [--max-limiting 9] [--bits 16|24|32f]
      one-click master at the input's sample rate; prints the before/after report as JSON and warns
      on stderr when the cap on limiting keeps it short of the target`;

class UsageError extends Error {}

type Opened = { source: FrameSource; close(): void };

function openAudio(file: string): Opened {
  let bytes: ReturnType<typeof openBytes>;
  try {
    bytes = openBytes(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' ? `No such file: ${file}` : `Cannot read ${file} (${code ?? 'error'}).`,
    );
  }
  try {
    return { source: fileSource(bytes), close: () => bytes.close() };
  } catch (e) {
    bytes.close();
    throw e;
  }
}

function options(args: string[], allowed: string[]): { positional: string[]; flags: Record<string, string> } {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg.startsWith('-')) {
      if (!allowed.includes(arg)) throw new UsageError(`Unknown option ${arg}.\n${USAGE}`);
      const value = args[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value.`);
      flags[arg] = value;
    } else positional.push(arg);
  }
  return { positional, flags };
}

function numberFlag(
  flags: Record<string, string>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (!(name in flags)) return fallback;
  const value = Number(flags[name]);
  if (!Number.isFinite(value) || value < min || value > max)
    throw new UsageError(`${name} must be a number from ${min} to ${max}.`);
  return value;
}

const FORMATS: Record<string, WavFormat> = { '16': 'wav16', '24': 'wav24', '32f': 'wav32f' };

function formatFlag(flags: Record<string, string>): WavFormat {
  const format = FORMATS[flags['--bits'] ?? '24'];
  if (!format) throw new UsageError('--bits must be 16, 24 or 32f.');
  return format;
}

function outFlag(flags: Record<string, string>): string {
  const out = flags['-o'];
  if (!out) throw new UsageError('Say where to write the result with -o <out.wav>.');
  return out;
}

function loudness(file: string, notices: string[]): string {
  const { source, close } = openAudio(file);
  try {
    const meter = new LoudnessMeter(source.sampleRate, source.channelCount);
    const block = Array.from({ length: source.channelCount }, () => new Float32Array(65536));
    for (;;) {
      const n = source.read(block, 65536);
      if (n === 0) break;
      meter.push(n === 65536 ? block : block.map((ch) => ch.subarray(0, n)));
    }
    if (source.notice) notices.push(`${file}: ${source.notice}`);
    return JSON.stringify(loudnessReport(meter));
  } finally {
    close();
  }
}

async function mix(rest: string[], notices: string[]): Promise<string> {
  const { positional, flags } = options(rest, ['-o', '--bits', '--rate', '--headroom']);
  if (positional.length !== 1 || !positional[0])
    throw new UsageError(`mix takes one project file.\n${USAGE}`);
  const projectPath = positional[0];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(projectPath, 'utf8'));
  } catch (e) {
    throw new UsageError(
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? `No such file: ${projectPath}`
        : `${projectPath} is not valid JSON.`,
    );
  }
  // The project's schema (zod) is most of the code: loaded only by the command that needs it, so
  // loudness and master start without it.
  const { parseProjectFile } = await import('../../contracts/project');
  const parsed = parseProjectFile(json);
  if (!parsed.ok) throw new UsageError(parsed.message);
  const format = formatFlag(flags);
  const rate = Number(flags['--rate'] ?? parsed.project.sampleRate);
  if (rate !== 44100 && rate !== 48000) throw new UsageError('--rate must be 44100 or 48000.');
  const headroom = numberFlag(flags, '--headroom', 0, 0, 48);
  const out = outFlag(flags);
  const base = path.dirname(path.resolve(projectPath));
  const opened: Array<Opened & { trackId: string; file: string }> = [];
  try {
    for (const t of parsed.project.tracks) {
      const file = path.resolve(base, t.source.path);
      opened.push({ ...openAudio(file), trackId: t.id, file });
    }
    for (const o of opened) {
      const notice = [o.source.notice, stereoDownmix(o.source.channelCount)?.notice]
        .filter(Boolean)
        .join(' ');
      if (notice) notices.push(`${o.file}: ${notice}`);
    }
    const sources: MixStream[] = opened.map((o) => ({ trackId: o.trackId, source: o.source }));
    const input = {
      tracks: parsed.project.tracks,
      master: { gainDb: parsed.project.master.gainDb - headroom },
      sampleRate: rate,
      sources,
    };
    const frames = mixLength(input.tracks, sources, rate);
    const encoder = new WavEncoder({ sampleRate: rate, channelCount: 2, frames }, { format });
    const writer = openWriter(out);
    try {
      writer.write(encoder.header);
      streamMix(input, (block, count) => {
        writer.write(
          encoder.encode(count === block[0].length ? block : block.map((b) => b.subarray(0, count)), count),
        );
      });
      writer.write(encoder.trailer());
    } finally {
      writer.close();
    }
    const { samples, peak } = encoder.clipping;
    if (samples > 0) {
      const over = Math.ceil(gainToDb(peak) * 10) / 10;
      const needed = (over + headroom).toFixed(1);
      notices.push(
        `Warning: the mix clips in the ${format === 'wav16' ? '16' : '24'}-bit file: ${samples} samples beyond full scale, peaking at +${over.toFixed(1)} dBFS. Lower the master by ${needed} dB (--headroom ${needed}), or write 32-bit float (--bits 32f).`,
      );
    }
    // What the file holds, cheaply; its loudness is one `loudness` away (a meter here would cost
    // more than the mix itself).
    return JSON.stringify({
      sampleRate: rate,
      channels: 2,
      durationSec: frames / rate,
      samplePeakDbfs: peak > 0 ? gainToDb(peak) : null,
      clippedSamples: samples,
    });
  } finally {
    for (const o of opened) o.close();
  }
}

function master(rest: string[], notices: string[]): string {
  const { positional, flags } = options(rest, ['-o', '--target', '--ceiling', '--max-limiting', '--bits']);
  if (positional.length !== 1 || !positional[0])
    throw new UsageError(`master takes one input file.\n${USAGE}`);
  const targetLufs = numberFlag(flags, '--target', -14, -23, -9);
  const ceilingDbtp = numberFlag(flags, '--ceiling', -1, -9, 0);
  const maxLimitingDb = numberFlag(flags, '--max-limiting', DEFAULT_MAX_LIMITING_DB, 0, 40);
  const format = formatFlag(flags);
  const file = positional[0];
  // Two streaming passes (or more) over the input, each opening it afresh: memory stays a few
  // blocks whatever the length. The master keeps the input's rate: resampling is a choice for the
  // mix, not for mastering.
  const opened: Opened[] = [openAudio(file)];
  const spec = (opened[0] as Opened).source;
  if (spec.notice) notices.push(`${file}: ${spec.notice}`);
  let out: string;
  try {
    out = outFlag(flags);
  } catch (e) {
    (opened[0] as Opened).close();
    throw e;
  }
  let unread: FrameSource | null = spec;
  const open = () => {
    const first = unread;
    unread = null;
    if (first) return first;
    const o = openAudio(file);
    opened.push(o);
    return o.source;
  };
  const writer = openWriter(out);
  let encoder = new WavEncoder(spec, { format });
  let report: MasterReport;
  try {
    writer.write(encoder.header);
    report = streamMaster(
      open,
      { targetLufs, ceilingDbtp, glue: false, tilt: 'neutral', maxLimitingDb },
      (block, count) =>
        writer.write(
          encoder.encode(count === block[0]?.length ? block : block.map((b) => b.subarray(0, count)), count),
        ),
      {
        rewind: () => {
          writer.rewind();
          encoder = new WavEncoder(spec, { format });
          writer.write(encoder.header);
        },
      },
    );
    writer.write(encoder.trailer());
  } finally {
    writer.close();
    for (const o of opened) o.close();
  }
  const reached = report.after.integratedLufs;
  if (report.limitingCapped && reached !== null)
    notices.push(
      `Warning: ${targetLufs} LUFS needs more than ${maxLimitingDb} dB of limiting; the master stops there, at ${reached.toFixed(1)} LUFS. Allow more with --max-limiting, or aim lower.`,
    );
  return JSON.stringify(report);
}

/** Runs one command: its JSON result, and what the musician should know (notices and warnings). */
export async function run(argv: string[]): Promise<{ stdout: string; notices: string[] }> {
  const [command, ...rest] = argv;
  const notices: string[] = [];
  switch (command) {
    case 'loudness':
      if (rest.length !== 1 || !rest[0]) throw new UsageError(`loudness takes one file.\n${USAGE}`);
      return { stdout: loudness(rest[0], notices), notices };
    case 'mix':
      return { stdout: await mix(rest, notices), notices };
    case 'master':
      return { stdout: master(rest, notices), notices };
    case undefined:
    case '--help':
    case '-h':
      throw new UsageError(USAGE);
    default:
      throw new UsageError(`Unknown command "${command}".\n${USAGE}`);
  }
}

try {
  const result = await run(process.argv.slice(2));
  for (const notice of result.notices) process.stderr.write(`${notice}\n`);
  process.stdout.write(`${result.stdout}\n`);
} catch (e) {
  if (e instanceof AudioFormatError) process.stderr.write(`Cannot read this audio: ${e.message}\n`);
  else if (e instanceof UsageError) process.stderr.write(`${e.message}\n`);
  else process.stderr.write(`Unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof UsageError ? 2 : 1);
}
