// `npm run --silent audio -- <command>`: the engine on the command line. Results go to stdout as
// JSON; errors to stderr, in words a musician can act on, with a non-zero exit.
import { readFileSync } from 'node:fs';
import { AudioFormatError, decodeAudioFile, measureLoudness } from '../index';

const USAGE = `Usage:
  npm run --silent audio -- loudness <file.wav>     loudness report as JSON (EBU R128)`;

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

export function run(argv: string[]): { stdout: string } {
  const [command, ...rest] = argv;
  switch (command) {
    case 'loudness': {
      if (rest.length !== 1 || !rest[0]) throw new UsageError(`loudness takes one file.\n${USAGE}`);
      return { stdout: JSON.stringify(measureLoudness(readAudio(rest[0]))) };
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
  process.stdout.write(`${run(process.argv.slice(2)).stdout}\n`);
} catch (e) {
  if (e instanceof AudioFormatError) process.stderr.write(`Cannot read this audio: ${e.message}\n`);
  else if (e instanceof UsageError) process.stderr.write(`${e.message}\n`);
  else process.stderr.write(`Unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof UsageError ? 2 : 1);
}
