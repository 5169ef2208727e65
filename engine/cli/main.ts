// `npm run --silent audio -- <command>`: the engine on the command line. Results go to stdout as
// JSON; errors and warnings to stderr, in words a musician can act on, with a non-zero exit on error.
// Files are read and written a block at a time: a mix or a loudness measurement holds a few blocks
// per source whatever the length.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MasterReport } from '../../contracts/audio';
import type { ExportTags } from '../../contracts/export';
import { type ExportFormat, FORMATS, formatFor, MASTER_PRESETS } from '../../contracts/formats';
import {
  type AudioEncoder,
  DEFAULT_MAX_LIMITING_DB,
  type FrameSource,
  fileSource,
  gainToDb,
  isAudioFormatError,
  LoudnessMeter,
  loudnessReport,
  type MixStream,
  mixLength,
  resampledSource,
  stereoDownmix,
  stereoSource,
  streamMaster,
  streamMix,
  WavEncoder,
} from '../index';
import type { Track } from '../../contracts/project';
import { fileSeriesStore, openBytes, openWriter } from './files';
import { writeOut } from './output';

const USAGE = `Usage:
  npm run --silent audio -- loudness <file>
      loudness report as JSON (EBU R128); reads WAV, AIFF, FLAC, MP3 and Ogg Vorbis
  npm run --silent audio -- mix <project.json> -o <out.wav|out.flac|out.mp3> [--bits 16|24|32f]
                                 [--mp3 320|v0] [--rate 44100|48000] [--headroom <dB>]
                                 [--stems <dir>] [--title <text>] [--artist <text>]
      renders a project file (source paths relative to it) and prints its length and sample peak as
      JSON; the format comes from the extension (WAV 16/24/32f, FLAC 16/24, MP3 320 kbit/s or V0);
      --stems writes each track through its own strip into <dir> as well (-o may then be left out);
      --headroom lowers the master by that much; a file that clips is written anyway, with a warning
  npm run --silent audio -- master <in> -o <out.wav|out.flac|out.mp3>
                                 [--preset streaming|apple|club|broadcast | --target -14 --ceiling -1]
                                 [--max-limiting 9] [--bits 16|24|32f] [--mp3 320|v0]
                                 [--title <text>] [--artist <text>]
      one-click master at the input's sample rate (an MP3 of another rate is written at 48 kHz);
      prints the before/after report as JSON and warns on stderr when the cap on limiting keeps it
      short of the target`;

class UsageError extends Error {}

type Opened = { source: FrameSource; close(): void };

const COMPRESSED = /\.(flac|mp3|ogg|oga)$/i;

/** WAV or AIFF, read in place (no decoder): by its signature, unless its name says otherwise. */
function isPlainAudio(file: string): boolean {
  if (COMPRESSED.test(file)) return false;
  let bytes: ReturnType<typeof openBytes>;
  try {
    bytes = openBytes(file);
  } catch {
    return true; // openPlainAudio says why in words
  }
  try {
    return ['RIFF', 'RF64', 'BW64', 'FORM'].includes(String.fromCharCode(...bytes.read(0, 4)));
  } finally {
    bytes.close();
  }
}

/** The file's bytes, or why they cannot be read, in words. */
function openFileBytes(file: string): ReturnType<typeof openBytes> {
  try {
    return openBytes(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' ? `No such file: ${file}` : `Cannot read ${file} (${code ?? 'error'}).`,
    );
  }
}

/** A WAV or AIFF file opened synchronously (the master's passes reopen it as they go). */
function openPlainAudio(file: string): Opened {
  const bytes = openFileBytes(file);
  try {
    return { source: fileSource(bytes), close: () => bytes.close() };
  } catch (e) {
    bytes.close();
    throw e;
  }
}

/** A compressed file decoded once, a block at a time, into a 32-bit float WAV (RF64 past 4 GiB). */
async function decodeToFloatWav(input: string, out: string, notices: string[]): Promise<void> {
  const { source, close } = await openAudio(input);
  try {
    if (source.notice) notices.push(`${input}: ${source.notice}`);
    const encoder = new WavEncoder(source, { format: 'wav32f' });
    const writer = openWriter(out);
    try {
      writer.write(encoder.header);
      const block = Array.from({ length: source.channelCount }, () => new Float32Array(65536));
      for (;;) {
        const n = source.read(block, 65536);
        if (n === 0) break;
        writer.write(encoder.encode(n === 65536 ? block : block.map((ch) => ch.subarray(0, n)), n));
      }
      writer.write(encoder.trailer());
    } finally {
      writer.close();
    }
  } finally {
    close();
  }
}

async function openAudio(file: string): Promise<Opened> {
  const bytes = openFileBytes(file);
  try {
    // WAV and AIFF are read in place; the decoders (WebAssembly) load only for the files that need them.
    const head = String.fromCharCode(...bytes.read(0, 4));
    const plain = ['RIFF', 'RF64', 'BW64', 'FORM'].includes(head) && !COMPRESSED.test(file);
    const source = plain ? fileSource(bytes) : await (await import('../io/decoders')).openSource(bytes);
    return { source, close: () => bytes.close() };
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

/** The export format of `out`, from its extension and --bits / --mp3, or a plain reason why not. */
function formatFlag(flags: Record<string, string>, out: string): ExportFormat {
  const bits = flags['--bits'];
  const mp3 = flags['--mp3'];
  if (bits !== undefined && bits !== '16' && bits !== '24' && bits !== '32f')
    throw new UsageError('--bits must be 16, 24 or 32f.');
  if (mp3 !== undefined && mp3 !== '320' && mp3 !== 'v0')
    throw new UsageError('--mp3 must be 320 (kbit/s, constant) or v0 (variable, best quality).');
  const ext = path.extname(out).slice(1).toLowerCase();
  if (!['wav', 'wave', 'flac', 'mp3'].includes(ext))
    throw new UsageError(
      `Cannot write ${ext ? `.${ext}` : 'a file without extension'} (${out}): write .wav, .flac or .mp3.`,
    );
  if (mp3 !== undefined && ext !== 'mp3') throw new UsageError('--mp3 is for an .mp3 output.');
  const format = formatFor(ext, {
    bits: bits as '16' | '24' | '32f' | undefined,
    mp3: mp3 as '320' | 'v0' | undefined,
  });
  if (!format)
    throw new UsageError(
      ext === 'mp3'
        ? 'An MP3 has no bit depth: leave out --bits (choose --mp3 320 or v0).'
        : 'FLAC holds 16 or 24-bit samples: --bits 16 or 24 (32f is for WAV).',
    );
  return format;
}

function tagFlags(flags: Record<string, string>): ExportTags | undefined {
  const title = flags['--title'] ?? '';
  const artist = flags['--artist'] ?? '';
  if (title.length > 200 || artist.length > 200)
    throw new UsageError('--title and --artist take at most 200 characters.');
  return title || artist ? { title, artist } : undefined;
}

function outFlag(flags: Record<string, string>): string {
  const out = flags['-o'];
  if (!out) throw new UsageError('Say where to write the result with -o <out.wav|out.flac|out.mp3>.');
  return out;
}

/** Writes an encoder's output to `file` as `feed` produces blocks, then its tail and header patch. */
async function writeEncoded(
  file: string,
  encoder: AudioEncoder,
  feed: (write: (block: readonly Float32Array[], count: number) => void) => void,
): Promise<void> {
  const writer = openWriter(file);
  try {
    writer.write(encoder.header());
    feed((block, count) => writer.write(encoder.encode(block, count)));
    const { tail, headerPatch } = encoder.finish();
    for (const piece of tail) writer.write(piece);
    if (headerPatch) writer.patch(headerPatch.offset, headerPatch.bytes);
  } finally {
    writer.close();
  }
}

const formatName = (format: ExportFormat) =>
  FORMATS[format].file === 'mp3'
    ? 'MP3'
    : FORMATS[format].file === 'flac'
      ? `${FORMATS[format].bits}-bit FLAC`
      : `${FORMATS[format].bits}-bit file`;

function clipWarning(
  format: ExportFormat,
  clipping: { samples: number; peak: number },
  headroom: number,
  what: string,
) {
  const over = Math.ceil(gainToDb(clipping.peak) * 10) / 10;
  const needed = (over + headroom).toFixed(1);
  const float = FORMATS[format].file === 'wav' ? ', or write 32-bit float (--bits 32f)' : '';
  return `Warning: ${what} clips in the ${formatName(format)}: ${clipping.samples} samples beyond full scale, peaking at +${over.toFixed(1)} dBFS. Lower the master by ${needed} dB (--headroom ${needed})${float}.`;
}

async function loudness(file: string, notices: string[]): Promise<string> {
  const { source, close } = await openAudio(file);
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
  const { positional, flags } = options(rest, [
    '-o',
    '--bits',
    '--mp3',
    '--rate',
    '--headroom',
    '--stems',
    '--title',
    '--artist',
  ]);
  if (positional.length !== 1 || !positional[0])
    throw new UsageError(`mix takes one project file.\n${USAGE}`);
  const projectPath = positional[0];
  const stemsDir = flags['--stems'];
  const out = stemsDir && !flags['-o'] ? null : outFlag(flags);
  const format = formatFlag(flags, out ?? `stem.${flags['--mp3'] ? 'mp3' : 'wav'}`);
  const tags = tagFlags(flags);
  if (flags['--rate'] !== undefined && flags['--rate'] !== '44100' && flags['--rate'] !== '48000')
    throw new UsageError('--rate must be 44100 or 48000.');
  const headroom = numberFlag(flags, '--headroom', 0, 0, 48);
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
  const project = parsed.project;
  const rate = Number(flags['--rate'] ?? project.sampleRate);
  if (rate !== 44100 && rate !== 48000) throw new UsageError('--rate must be 44100 or 48000.');
  const base = path.dirname(path.resolve(projectPath));

  /** One render of `tracks` (the mix, or a stem) into `file`: every source opened afresh. */
  const render = async (tracks: readonly Track[], file: string, what: string, noticeSources: boolean) => {
    const opened: Array<Opened & { trackId: string; file: string }> = [];
    try {
      for (const t of project.tracks) {
        const source = path.resolve(base, t.source.path);
        opened.push({ ...(await openAudio(source)), trackId: t.id, file: source });
      }
      if (noticeSources)
        for (const o of opened) {
          const notice = [o.source.notice, stereoDownmix(o.source.channelCount)?.notice]
            .filter(Boolean)
            .join(' ');
          if (notice) notices.push(`${o.file}: ${notice}`);
        }
      const sources: MixStream[] = opened.map((o) => ({ trackId: o.trackId, source: o.source }));
      const input = {
        tracks,
        master: { gainDb: project.master.gainDb - headroom },
        reverb: project.reverb,
        sampleRate: rate,
        sources,
      };
      const frames = mixLength(input.tracks, sources, rate);
      const { createEncoder } = await import('../io/encoders');
      const encoder = await createEncoder(format, { sampleRate: rate, channelCount: 2, frames, tags });
      await writeEncoded(file, encoder, (write) =>
        streamMix(input, (block, count) =>
          write(count === block[0].length ? block : block.map((b) => b.subarray(0, count)), count),
        ),
      );
      const { samples, peak } = encoder.clipping;
      if (samples > 0 && !FORMATS[format].float)
        notices.push(clipWarning(format, encoder.clipping, headroom, what));
      return { frames, peak, samples };
    } finally {
      for (const o of opened) o.close();
    }
  };

  const result: Record<string, unknown> = { sampleRate: rate, channels: 2, format };
  if (out) {
    const { frames, peak, samples } = await render(project.tracks, out, 'the mix', true);
    // What the file holds, cheaply; its loudness is one `loudness` away (a meter here would cost
    // more than the mix itself).
    Object.assign(result, {
      durationSec: frames / rate,
      samplePeakDbfs: peak > 0 ? gainToDb(peak) : null,
      clippedSamples: samples,
    });
  }
  if (stemsDir) {
    const { stemFileName, stemIds, stemTracks } = await import('../mix/stems');
    mkdirSync(stemsDir, { recursive: true });
    const stems = [];
    for (const id of stemIds(project.tracks, [])) {
      const file = path.join(stemsDir, `${stemFileName(project.tracks, id)}.${FORMATS[format].file}`);
      const name = project.tracks.find((t) => t.id === id)?.name ?? id;
      const r = await render(
        stemTracks(project.tracks, id),
        file,
        `the stem "${name}"`,
        !out && stems.length === 0,
      );
      result.durationSec = r.frames / rate;
      stems.push({
        trackId: id,
        file,
        samplePeakDbfs: r.peak > 0 ? gainToDb(r.peak) : null,
        clippedSamples: r.samples,
      });
    }
    result.stems = stems;
  }
  return JSON.stringify(result);
}

async function master(rest: string[], notices: string[]): Promise<string> {
  const { positional, flags } = options(rest, [
    '-o',
    '--preset',
    '--target',
    '--ceiling',
    '--max-limiting',
    '--bits',
    '--mp3',
    '--title',
    '--artist',
  ]);
  if (positional.length !== 1 || !positional[0])
    throw new UsageError(`master takes one input file.\n${USAGE}`);
  const presetName = flags['--preset'];
  let preset: { targetLufs: number; ceilingDbtp: number } | undefined;
  if (presetName !== undefined) {
    if ('--target' in flags || '--ceiling' in flags)
      throw new UsageError('Give --preset, or --target and --ceiling, not both.');
    preset = MASTER_PRESETS[presetName as keyof typeof MASTER_PRESETS];
    if (!preset || !Object.hasOwn(MASTER_PRESETS, presetName))
      throw new UsageError('--preset must be streaming, apple, club or broadcast.');
  }
  const targetLufs = preset?.targetLufs ?? numberFlag(flags, '--target', -14, -23, -9);
  const ceilingDbtp = preset?.ceilingDbtp ?? numberFlag(flags, '--ceiling', -1, -9, 0);
  const maxLimitingDb = numberFlag(flags, '--max-limiting', DEFAULT_MAX_LIMITING_DB, 0, 40);
  const out = outFlag(flags);
  const format = formatFlag(flags, out);
  const tags = tagFlags(flags);
  const input = positional[0];
  // The passes open the input afresh each time, synchronously: a compressed file is decoded once
  // into a temporary 32-bit float WAV (a block at a time), and the passes read that. The numbers
  // per chunk of the analysis are kept in the same scratch folder, not in memory.
  // (The second thread's code is imported here: the other commands need not load worker_threads.)
  const { peakWorkFor } = await import('./peak-thread');
  const scratch = mkdtempSync(path.join(tmpdir(), 'siberia-master-'));
  const series = fileSeriesStore(scratch);
  // The oversampled peaks on a second thread, started now so that it is ready by the first pass.
  const peaks = peakWorkFor(new URL('./peak-thread.cjs', import.meta.url));
  const decoded = !isPlainAudio(input);
  let file = input;
  const opened: Opened[] = [];
  const openPlain = (): FrameSource => {
    const o = openPlainAudio(file);
    opened.push(o);
    return o.source;
  };
  try {
    if (decoded) {
      file = path.join(scratch, 'decoded.wav');
      await decodeToFloatWav(input, file, notices);
    }
    const spec = openPlain();
    if (!decoded && spec.notice) notices.push(`${input}: ${spec.notice}`);
    // The master keeps the input's rate (resampling is a choice for the mix, not for mastering),
    // but an MP3 holds 32, 44.1 or 48 kHz only; more than two channels are downmixed (BS.775).
    let rate = spec.sampleRate;
    if (FORMATS[format].file === 'mp3' && ![32000, 44100, 48000].includes(rate)) {
      notices.push(`An MP3 cannot hold ${rate} Hz: the master is made and written at 48000 Hz.`);
      rate = 48000;
    }
    const downmix = stereoDownmix(spec.channelCount);
    if (downmix) notices.push(downmix.notice);
    let unread: FrameSource | null = spec;
    const open = (): FrameSource => {
      const source = unread ?? openPlain();
      unread = null;
      return resampledSource(stereoSource(source, 65536), rate);
    };
    const encoderOptions = {
      sampleRate: rate,
      channelCount: Math.min(2, spec.channelCount) as 1 | 2,
      tags,
    };
    const settings = { targetLufs, ceilingDbtp, glue: false, tilt: 'neutral' as const, maxLimitingDb };
    const writer = openWriter(out);
    let report: MasterReport;
    let encoder: AudioEncoder;
    const { createEncoder, createEncoderNow } = await import('../io/encoders');
    try {
      const now = createEncoderNow(format, encoderOptions);
      const write = (block: readonly Float32Array[], count: number) =>
        writer.write(
          encoder.encode(count === block[0]?.length ? block : block.map((b) => b.subarray(0, count)), count),
        );
      if (now) {
        // WAV and FLAC: each render is written as it is made, and a render that must be redone
        // starts the file again.
        encoder = now;
        writer.write(encoder.header());
        report = streamMaster(open, settings, write, {
          store: series.store,
          peaks: peaks.work,
          rewind: () => {
            writer.rewind();
            encoder = createEncoderNow(format, encoderOptions) as AudioEncoder;
            writer.write(encoder.header());
          },
        });
      } else {
        // MP3 (its encoder loads asynchronously): the renders are measured, and the last one is
        // written, exactly as measured.
        encoder = await createEncoder(format, encoderOptions);
        writer.write(encoder.header());
        report = streamMaster(open, settings, write, { store: series.store, peaks: peaks.work });
      }
      const { tail, headerPatch } = encoder.finish();
      for (const piece of tail) writer.write(piece);
      if (headerPatch) writer.patch(headerPatch.offset, headerPatch.bytes);
    } finally {
      writer.close();
    }
    if (encoder.clipping.samples > 0 && !FORMATS[format].float)
      notices.push(clipWarning(format, encoder.clipping, 0, 'the master'));
    const reached = report.after.integratedLufs;
    if (report.limitingCapped && reached !== null)
      notices.push(
        `Warning: ${targetLufs} LUFS needs more than ${maxLimitingDb} dB of limiting; the master stops there, at ${reached.toFixed(1)} LUFS. Allow more with --max-limiting, or aim lower.`,
      );
    return JSON.stringify(report);
  } finally {
    for (const o of opened) o.close();
    peaks.close();
    series.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Runs one command: its JSON result, and what the musician should know (notices and warnings). */
export async function run(argv: string[]): Promise<{ stdout: string; notices: string[] }> {
  const [command, ...rest] = argv;
  const notices: string[] = [];
  switch (command) {
    case 'loudness':
      if (rest.length !== 1 || !rest[0]) throw new UsageError(`loudness takes one file.\n${USAGE}`);
      return { stdout: await loudness(rest[0], notices), notices };
    case 'mix':
      return { stdout: await mix(rest, notices), notices };
    case 'master':
      return { stdout: await master(rest, notices), notices };
    case undefined:
    case '--help':
    case '-h':
      throw new UsageError(USAGE);
    default:
      throw new UsageError(`Unknown command "${command}".\n${USAGE}`);
  }
}

/** The command line's entry (no top-level await: the bundle is CommonJS, see scripts/build-audio.mjs). */
async function main(): Promise<void> {
  try {
    const result = await run(process.argv.slice(2));
    for (const notice of result.notices) writeOut(2, `${notice}\n`);
    writeOut(1, `${result.stdout}\n`);
  } catch (e) {
    if (isAudioFormatError(e)) writeOut(2, `Cannot read this audio: ${e.message}\n`);
    else if (e instanceof UsageError) writeOut(2, `${e.message}\n`);
    else writeOut(2, `Unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  }
}

void main();
