import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AudioFormatError } from '../../engine/index';
import { decodePlanar } from '../../engine/io/planar-decode';
import { translator } from '../i18n';
import { type EngineClient, EngineError } from './engine-client';
import { recoveryNotice } from './import-rules';
import { importAudio } from './importer';
import { buildPyramid } from './peak-pyramid';

const dir = mkdtempSync(path.join(tmpdir(), 'siberia-import-'));

/** The engine as its Worker answers the desk, run here in-process on the real readers. */
const engine = {
  async decode(_id: string, bytes: ArrayBuffer) {
    try {
      const audio = decodePlanar(new Uint8Array(bytes));
      const peaks = buildPyramid(audio.channels);
      const { recovered } = audio;
      const frames = audio.channels[0]?.length ?? 0;
      return { source: { sampleRate: audio.sampleRate, frames, channels: audio.channels }, peaks, recovered };
    } catch (e) {
      if (e instanceof AudioFormatError) throw new EngineError({ code: e.code, message: e.message });
      throw e;
    }
  },
  async store(_id: string, source: { channels: Float32Array[] }) {
    return buildPyramid(source.channels);
  },
} as unknown as EngineClient;
const webAudioFails = async () => {
  throw new DOMException('Unable to decode audio data', 'EncodingError');
};

function made(name: string, ...args: string[]): Uint8Array<ArrayBuffer> {
  const file = path.join(dir, name);
  execFileSync('sox', [
    '-n',
    '-r',
    '48000',
    '-c',
    '2',
    ...args,
    file,
    'synth',
    '2',
    'sine',
    '330',
    'vol',
    '0.5',
  ]);
  return new Uint8Array(readFileSync(file));
}

describe('importing, honestly', () => {
  it('a WAV left unfinished by a crash (data size 0) is read whole, with how much against what it says', async () => {
    const wav = made('take.wav', '-b', '24');
    const view = new DataView(wav.buffer, wav.byteOffset);
    const data = Buffer.from(wav).indexOf('data');
    view.setUint32(4, 0, true); // RIFF size
    view.setUint32(data + 4, 0, true); // data size
    const result = await importAudio('t', new Blob([wav]), engine, webAudioFails);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.source.frames).toBe(96000);
    expect(result.recovered).toEqual({ declaredFrames: 0 });
    const notice = recoveryNotice(
      'take.wav',
      96000,
      48000,
      result.recovered ?? { declaredFrames: 0 },
      (s) => `${s.toFixed(1)} s`,
    );
    expect(translator('en')(notice.key, notice.params)).toBe(
      '“take.wav”: recovered 2.0 s of a recording that was not finished (the file says 0.0 s).',
    );
  });

  it('a WAV cut short reads its whole frames and says what the file announced', async () => {
    const wav = made('cut.wav', '-b', '16');
    const cut = wav.slice(0, wav.length - 4 * 48000 - 2); // one second and half a frame gone
    const result = await importAudio('t', new Blob([cut]), engine, webAudioFails);
    expect(result).toMatchObject({ ok: true, recovered: { declaredFrames: 96000 } });
    if (result.ok) expect(result.source.frames).toBe(47999);
  });

  it('a whole WAV has nothing to say', async () => {
    const result = await importAudio('t', new Blob([made('whole.wav', '-b', '16')]), engine, webAudioFails);
    expect(result.ok && result.recovered).toBeUndefined();
  });

  it('a FLAC with broken frames is said to be a damaged FLAC, not "not an audio file"', async () => {
    const wav = path.join(dir, 'for-flac.wav');
    made('for-flac.wav', '-b', '16');
    execFileSync('flac', ['-s', '-f', '-o', path.join(dir, 'x.flac'), wav]);
    const flac = new Uint8Array(readFileSync(path.join(dir, 'x.flac')));
    flac.fill(0x55, 200, flac.length - 100);
    const result = await importAudio('t', new Blob([flac]), engine, webAudioFails);
    expect(result).toEqual({ ok: false, reason: 'audioError.damaged_flac' });
  });

  it('a WAV the engine refuses and Web Audio cannot read keeps the engine’s reason', async () => {
    const wav = made('a.wav', '-b', '16');
    const fmt = Buffer.from(wav).indexOf('fmt ');
    new DataView(wav.buffer, wav.byteOffset).setUint16(fmt + 8, 0x55, true); // an MPEG-in-WAV tag
    expect(await importAudio('t', new Blob([wav]), engine, webAudioFails)).toEqual({
      ok: false,
      reason: 'audioError.unsupported_format',
    });
    expect(await importAudio('t', new Blob(['just some text']), engine, webAudioFails)).toEqual({
      ok: false,
      reason: 'audioError.decode_failed',
    });
  });
});
