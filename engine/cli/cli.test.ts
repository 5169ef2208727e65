import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LoudnessReport } from '../../contracts/audio';
import { encodeWav } from '../io/wav';
import { sineSegments } from '../test-support/signals';

const dir = mkdtempSync(path.join(tmpdir(), 'siberia-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) =>
  spawnSync('npx', ['--no-install', 'tsx', 'engine/cli/main.ts', ...args], { encoding: 'utf8' });

describe('audio CLI', () => {
  it('loudness prints one JSON report', () => {
    const file = path.join(dir, 'tone.wav');
    writeFileSync(file, encodeWav(sineSegments([[-23, 5]]), { format: 'wav24' }));
    const run = cli('loudness', file);
    expect(run.status).toBe(0);
    const report = LoudnessReport.parse(JSON.parse(run.stdout));
    expect(Math.abs((report.integratedLufs as number) + 23)).toBeLessThan(0.1);
    expect(report).toMatchObject({ sampleRate: 48000, channels: 2, durationSec: 5 });
  });

  it('says plainly what is wrong, on stderr, with a non-zero exit', () => {
    const broken = path.join(dir, 'broken.wav');
    writeFileSync(broken, 'RIFF\u0000\u0000\u0000\u0000WAVEjunk');
    const cases: Array<[string[], RegExp]> = [
      [['loudness', path.join(dir, 'missing.wav')], /No such file/],
      [['loudness', broken], /Cannot read this audio/],
      [['frobnicate'], /Unknown command/],
      [[], /Usage/],
    ];
    for (const [args, message] of cases) {
      const run = cli(...args);
      expect(run.status).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
    }
  });
});
