// A Web Worker entry for engine/io/worker.test.ts: the export encoders and the compressed-source
// decoders, bundled for the browser as the app's Worker bundles them, run on what the page sends.
import { encodeAudio } from '../io/encoders';
import { openSource } from '../io/decoders';
import { bytesSource } from '../io/pcm';
import { setSimdScan, truePeakOf } from '../loudness/true-peak';
import { simdServes } from '../loudness/true-peak-simd';

// The engine's types know no DOM: the Worker's scope is described as far as it is used.
const scope = globalThis as unknown as {
  postMessage(data: unknown): void;
  onmessage: ((event: { data: { ogg: Uint8Array } }) => void) | null;
};
const post = (data: unknown) => scope.postMessage(data);

scope.onmessage = async (event) => {
  try {
    const n = 48000;
    const left = Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 48000));
    const audio = { sampleRate: 48000, channels: [left, left.slice()] };
    const results: Record<
      string,
      { bytes: number; rate: number; frames: number; read: number; peak: number }
    > = {};
    const decode = async (name: string, bytes: Uint8Array) => {
      const source = await openSource(bytesSource(bytes));
      const block = [new Float32Array(65536), new Float32Array(65536)];
      let read = 0;
      let peak = 0;
      for (;;) {
        const k = source.read(block, 65536);
        if (k === 0) break;
        read += k;
        for (let i = 0; i < k; i++) peak = Math.max(peak, Math.abs(block[0]?.[i] as number));
      }
      results[name] = { bytes: bytes.byteLength, rate: source.sampleRate, frames: source.frames, read, peak };
    };
    for (const format of ['wav16', 'flac16', 'flac24', 'mp3-320', 'mp3-v0'] as const) {
      const { bytes } = await encodeAudio(audio, format, { rate: 44100, ditherSeed: 1 });
      await decode(format, bytes);
    }
    await decode('ogg', event.data.ogg);
    // The true-peak scan's WebAssembly compiles in a browser Worker, and reads what JavaScript reads.
    const tp = [0.3, 0.8, -0.9, 0.95, -0.2];
    const burst = Float32Array.from({ length: 48000 }, (_, i) => (tp[i % 5] as number) * Math.sin(i / 3));
    const simd = simdServes(16) && simdServes(24);
    const simdPeak = truePeakOf([burst], 48000);
    setSimdScan(false);
    const jsPeak = truePeakOf([burst], 48000);
    setSimdScan(true);
    post({ ok: true, results, truePeak: { simd, same: simdPeak === jsPeak, peak: simdPeak } });
  } catch (e) {
    post({ ok: false, error: String((e as Error).stack ?? e) });
  }
};
