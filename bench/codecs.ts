// The engine's encoders and decoders against ffmpeg's, command line against command line, on one
// generated session: `mix` to FLAC and MP3 beside `ffmpeg -c:a flac` / `libmp3lame -b:a 320k` on the
// WAV mix, and `loudness` of FLAC / MP3 / Ogg beside ffmpeg's ebur128 on the same files. Called by
// bench/audio.ts (one row per job); alone: `npx tsx bench/codecs.ts` (BENCH_AUDIO_SECONDS, default 20).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_MASTER, newProject, newTrack } from '../contracts/project';
import { encodeWav } from '../engine/io/wav';
import { drumLoop, noiseSong } from '../engine/test-support/signals';

type Timed = { ms: number; cpuMs: number; maxRssMb: number };

function timed(command: string, args: string[]): Timed {
  const run = spawnSync('/usr/bin/time', ['-f', '\n@@%e %M %U %S', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const at = run.stderr.lastIndexOf('@@');
  if (run.status !== 0 || at < 0) throw new Error(`${command} failed: ${run.stderr.slice(-2000)}`);
  const [s, kb, user, sys] = run.stderr
    .slice(at + 2)
    .trim()
    .split(' ')
    .map(Number) as number[];
  return {
    ms: (s as number) * 1000,
    maxRssMb: (kb as number) / 1024,
    cpuMs: ((user as number) + (sys as number)) * 1000,
  };
}
const engine = (...args: string[]) => timed(process.execPath, ['scripts/audio.cjs', ...args]);
const ffmpeg = (...args: string[]) => timed('ffmpeg', ['-hide_banner', '-nostats', '-y', ...args]);

/** Each pair run `runs` times, turns about, the fastest kept; one row per job with the ratio. */
export function benchCodecs(seconds = 20, runs = 2): Array<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'siberia-codecs-bench-'));
  const rows: Array<Record<string, unknown>> = [];
  try {
    writeFileSync(path.join(dir, 'a.wav'), encodeWav(noiseSong(seconds, 48000, 3), { format: 'wav24' }));
    writeFileSync(path.join(dir, 'b.wav'), encodeWav(drumLoop(seconds, 48000), { format: 'wav24' }));
    const project = {
      ...newProject('codecs', 48000),
      tracks: [newTrack('a', 'A', 'a.wav'), { ...newTrack('b', 'B', 'b.wav'), pan: 0.3 }],
      master: { ...DEFAULT_MASTER, gainDb: -6 },
    };
    const projectFile = path.join(dir, 'song.json');
    writeFileSync(projectFile, JSON.stringify(project));
    const wav = path.join(dir, 'mix.wav');
    engine('mix', projectFile, '-o', wav, '--bits', '24');
    const out = (name: string) => path.join(dir, name);
    const jobs: Array<[string, () => Timed, () => Timed]> = [
      // The engine's side includes the mix itself (a few percent of it: see the mix rows).
      [
        `encode FLAC 24 (mix ${seconds} s)`,
        () => engine('mix', projectFile, '-o', out('e.flac')),
        () => ffmpeg('-i', wav, '-c:a', 'flac', out('f.flac')),
      ],
      [
        `encode MP3 320 (mix ${seconds} s)`,
        () => engine('mix', projectFile, '-o', out('e.mp3')),
        () => ffmpeg('-i', wav, '-c:a', 'libmp3lame', '-b:a', '320k', out('f.mp3')),
      ],
    ];
    ffmpeg('-i', wav, '-c:a', 'libvorbis', '-q:a', '5', out('f.ogg'));
    for (const [kind, file] of [
      ['FLAC', 'f.flac'],
      ['MP3', 'f.mp3'],
      ['Ogg', 'f.ogg'],
    ] as const) {
      if (kind !== 'Ogg') (kind === 'FLAC' ? jobs[0] : jobs[1])?.[2]();
      jobs.push([
        `decode ${kind} (loudness ${seconds} s)`,
        () => engine('loudness', out(file)),
        () => ffmpeg('-i', out(file), '-af', 'ebur128=peak=true', '-f', 'null', '-'),
      ]);
    }
    for (const [job, ours, theirs] of jobs) {
      let best: [Timed, Timed] | null = null;
      for (let r = 0; r < runs; r++) {
        const e = ours();
        const f = theirs();
        best = best ? [e.ms < best[0].ms ? e : best[0], f.ms < best[1].ms ? f : best[1]] : [e, f];
      }
      const [e, f] = best as [Timed, Timed];
      const row = {
        job,
        engineS: +(e.ms / 1000).toFixed(2),
        engineCpuS: +(e.cpuMs / 1000).toFixed(2),
        engineMb: Math.round(e.maxRssMb),
        ffmpegS: +(f.ms / 1000).toFixed(2),
        ffmpegCpuS: +(f.cpuMs / 1000).toFixed(2),
        ffmpegMb: Math.round(f.maxRssMb),
        // Above 1: the engine is that many times faster.
        speedVsFfmpeg: +(f.ms / e.ms).toFixed(2),
        cpuVsFfmpeg: +(f.cpuMs / e.cpuMs).toFixed(2),
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  console.table(
    benchCodecs(Number(process.env.BENCH_AUDIO_SECONDS ?? 20), Number(process.env.BENCH_AUDIO_RUNS ?? 2)),
  );
