// `npm run --silent audio -- <command>`: the engine on the command line. Results go to stdout as
// JSON; errors to stderr, in words a musician can act on, with a non-zero exit.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseProjectFile } from '../../contracts/project';
import {
  AudioFormatError,
  decodeAudioFile,
  encodeWav,
  DEFAULT_MAX_LIMITING_DB,
  masterAudio,
  measureLoudness,
  renderMix,
  type WavFormat,
} from '../index';

const USAGE = `Usage:
  npm run --silent audio -- loudness <file.wav>
      loudness report as JSON (EBU R128)
  npm run --silent audio -- mix <project.json> -o <out.wav> [--bits 16|24|32f] [--rate 44100|48000]
      renders a project file (source paths relative to it)
  npm run --silent audio -- master <in.wav> -o <out.wav> [--target -14] [--ceiling -1]
                                 [--max-limiting 9] [--bits 16|24|32f]
      one-click master at the input's sample rate; prints the before/after report as JSON and warns
      on stderr when the cap on limiting keeps it short of the target`;

class UsageError extends Error {}

function readAudio(file: string) {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' ? `No such file: ${file}` : `Cannot read ${file} (${code ?? 'error'}).`,
    );
  }
  return decodeAudioFile(bytes);
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

function writeOut(file: string | undefined, bytes: Uint8Array): void {
  if (!file) throw new UsageError('Say where to write the result with -o <out.wav>.');
  writeFileSync(file, bytes);
}

const FORMATS: Record<string, WavFormat> = { '16': 'wav16', '24': 'wav24', '32f': 'wav32f' };

function formatFlag(flags: Record<string, string>): WavFormat {
  const format = FORMATS[flags['--bits'] ?? '24'];
  if (!format) throw new UsageError('--bits must be 16, 24 or 32f.');
  return format;
}

export function run(argv: string[]): { stdout: string; stderr?: string } {
  const [command, ...rest] = argv;
  switch (command) {
    case 'loudness': {
      if (rest.length !== 1 || !rest[0]) throw new UsageError(`loudness takes one file.\n${USAGE}`);
      return { stdout: JSON.stringify(measureLoudness(readAudio(rest[0]))) };
    }
    case 'mix': {
      const { positional, flags } = options(rest, ['-o', '--bits', '--rate']);
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
      const parsed = parseProjectFile(json);
      if (!parsed.ok) throw new UsageError(parsed.message);
      const format = formatFlag(flags);
      const rate = Number(flags['--rate'] ?? parsed.project.sampleRate);
      if (rate !== 44100 && rate !== 48000) throw new UsageError('--rate must be 44100 or 48000.');
      const base = path.dirname(path.resolve(projectPath));
      const sources = parsed.project.tracks.map((t) => ({
        trackId: t.id,
        audio: readAudio(path.resolve(base, t.source.path)),
      }));
      const mix = renderMix({
        tracks: parsed.project.tracks,
        master: parsed.project.master,
        sampleRate: rate,
        sources,
      });
      writeOut(flags['-o'], encodeWav(mix, { format }));
      return { stdout: JSON.stringify(measureLoudness(mix)) };
    }
    case 'master': {
      const { positional, flags } = options(rest, [
        '-o',
        '--target',
        '--ceiling',
        '--max-limiting',
        '--bits',
      ]);
      if (positional.length !== 1 || !positional[0])
        throw new UsageError(`master takes one input file.\n${USAGE}`);
      const targetLufs = numberFlag(flags, '--target', -14, -23, -9);
      const ceilingDbtp = numberFlag(flags, '--ceiling', -1, -9, 0);
      const maxLimitingDb = numberFlag(flags, '--max-limiting', DEFAULT_MAX_LIMITING_DB, 0, 40);
      const format = formatFlag(flags);
      // The master keeps the input's rate: resampling is a choice for the mix, not for mastering.
      const { audio: mastered, report } = masterAudio(readAudio(positional[0]), {
        targetLufs,
        ceilingDbtp,
        glue: false,
        tilt: 'neutral',
        maxLimitingDb,
      });
      writeOut(flags['-o'], encodeWav(mastered, { format }));
      const reached = report.after.integratedLufs;
      const stderr =
        report.limitingCapped && reached !== null
          ? `Warning: ${targetLufs} LUFS needs more than ${maxLimitingDb} dB of limiting; the master stops there, at ${reached.toFixed(1)} LUFS. Allow more with --max-limiting, or aim lower.\n`
          : undefined;
      return { stdout: JSON.stringify(report), stderr };
    }
    case undefined:
    case '--help':
    case '-h':
      throw new UsageError(USAGE);
    default:
      throw new UsageError(`Unknown command "${command}".\n${USAGE}`);
  }
}

try {
  const result = run(process.argv.slice(2));
  if (result.stderr) process.stderr.write(result.stderr);
  process.stdout.write(`${result.stdout}\n`);
} catch (e) {
  if (e instanceof AudioFormatError) process.stderr.write(`Cannot read this audio: ${e.message}\n`);
  else if (e instanceof UsageError) process.stderr.write(`${e.message}\n`);
  else process.stderr.write(`Unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof UsageError ? 2 : 1);
}
