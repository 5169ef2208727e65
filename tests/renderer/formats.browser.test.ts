// The file formats a musician brings: WAV and AIFF read by the engine, FLAC, Ogg and MP3 by
// Chromium's own decoder, all in one import. The compressed files are made by ffmpeg (a CI
// dependency, as for the audio suites) from a WAV the engine wrote.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Desk, openDesk, startDesk, toneWav } from './harness';

let desk: Desk;
let dir: string;
beforeAll(async () => {
  desk = await startDesk();
  dir = mkdtempSync(path.join(tmpdir(), 'siberia-formats-'));
});
afterAll(async () => {
  await desk?.close();
  rmSync(dir, { recursive: true, force: true });
});

function convert(name: string, args: string[]): Buffer {
  const source = path.join(dir, 'source.wav');
  writeFileSync(source, toneWav(2, 330, 44100));
  const out = path.join(dir, name);
  const run = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', source, ...args, out], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`ffmpeg could not write ${name}: ${run.stderr}`);
  return readFileSync(out);
}

it('imports WAV, AIFF, FLAC, Ogg and MP3 together, one strip each with its waveform', async () => {
  const files = [
    { name: 'Wav.wav', mimeType: 'audio/wav', buffer: toneWav(2, 330, 44100) },
    { name: 'Aiff.aiff', mimeType: 'audio/aiff', buffer: convert('Aiff.aiff', ['-c:a', 'pcm_s16be']) },
    { name: 'Flac.flac', mimeType: 'audio/flac', buffer: convert('Flac.flac', ['-c:a', 'flac']) },
    {
      name: 'Ogg.ogg',
      mimeType: 'audio/ogg',
      buffer: convert('Ogg.ogg', ['-c:a', 'libvorbis', '-q:a', '4']),
    },
    {
      name: 'Mp3.mp3',
      mimeType: 'audio/mpeg',
      buffer: convert('Mp3.mp3', ['-c:a', 'libmp3lame', '-b:a', '192k']),
    },
  ];
  const page = await openDesk(desk);
  await page.setInputFiles('[data-testid="import-input"]', files);
  for (const name of ['Wav', 'Aiff', 'Flac', 'Ogg', 'Mp3'])
    await page.getByRole('img', { name: `Waveform of ${name}` }).waitFor();
  expect(await page.getByRole('alert').count()).toBe(0);
  // Every format lasts its two seconds (give or take an encoder's padding).
  const clock = await page.getByRole('status', { name: 'Position' }).innerText();
  expect(clock).toMatch(/ \/ 0:02\.[01]$/);
  await page.close();
});

it('a FLAC, Ogg or MP3 Chromium cannot decode is said to be damaged, by its kind, and the others import', async () => {
  /** The encoded file with everything after its first bytes (the signature and headers) destroyed. */
  const damaged = (name: string, args: string[], keep: number) => {
    const bytes = Buffer.from(convert(name, args));
    bytes.fill(0x55, keep);
    return bytes;
  };
  const files = [
    { name: 'Broken.flac', mimeType: 'audio/flac', buffer: damaged('Broken.flac', ['-c:a', 'flac'], 42) },
    {
      name: 'Broken.ogg',
      mimeType: 'audio/ogg',
      buffer: damaged('Broken.ogg', ['-c:a', 'libvorbis', '-q:a', '4'], 40),
    },
    {
      name: 'Broken.mp3',
      mimeType: 'audio/mpeg',
      buffer: damaged('Broken.mp3', ['-c:a', 'libmp3lame', '-b:a', '192k', '-id3v2_version', '3'], 10),
    },
    { name: 'Fine.wav', mimeType: 'audio/wav', buffer: toneWav(1, 330, 44100) },
  ];
  const page = await openDesk(desk);
  await page.setInputFiles('[data-testid="import-input"]', files);
  await page.getByRole('img', { name: 'Waveform of Fine' }).waitFor();
  for (const [file, kind] of [
    ['Broken.flac', 'FLAC'],
    ['Broken.ogg', 'Ogg'],
    ['Broken.mp3', 'MP3'],
  ])
    await page
      .getByText(`Could not read “${file}”: the ${kind} file is damaged (Web Audio could not decode it)`)
      .waitFor({ timeout: 15_000 });
  expect(await page.getByText('this is not an audio file').count()).toBe(0);
  await page.close();
});
