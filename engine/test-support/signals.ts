import type { AudioData } from '../audio-data';
import { mulberry32 } from '../dsp/random';
import { dbToGain } from '../dsp/laws';

/** Stereo (or n-channel) sine segments: [dBFS peak, seconds] each, the shape of the EBU test signals. */
export function sineSegments(
  segments: Array<[number, number]>,
  opts: { rate?: number; freq?: number; channels?: number } = {},
): AudioData {
  const rate = opts.rate ?? 48000;
  const freq = opts.freq ?? 1000;
  const total = segments.reduce((n, [, sec]) => n + Math.round(sec * rate), 0);
  const mono = new Float32Array(total);
  let i = 0;
  for (const [db, sec] of segments) {
    const amp = dbToGain(db);
    const end = i + Math.round(sec * rate);
    for (; i < end; i++) mono[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  }
  return { sampleRate: rate, channels: Array.from({ length: opts.channels ?? 2 }, () => mono.slice()) };
}

/** Deterministic pink-ish noise with a slow level envelope: "music-like" for loudness checks. */
export function noiseSong(seconds: number, rate = 48000, seed = 1): AudioData {
  const n = Math.round(seconds * rate);
  const rng = mulberry32(seed);
  const channels = [new Float32Array(n), new Float32Array(n)];
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  for (let i = 0; i < n; i++) {
    const white = rng() * 2 - 1;
    b0 = 0.99765 * b0 + white * 0.099046;
    b1 = 0.963 * b1 + white * 0.2965164;
    b2 = 0.57 * b2 + white * 1.0526913;
    const pink = (b0 + b1 + b2 + white * 0.1848) * 0.08;
    const env = 0.6 + 0.4 * Math.sin((2 * Math.PI * i) / (rate * 7));
    const beat = i % Math.round(rate / 2) < rate / 40 ? 2.5 : 1;
    (channels[0] as Float32Array)[i] = pink * env * beat;
    (channels[1] as Float32Array)[i] =
      pink * env * beat * 0.9 + 0.05 * Math.sin((2 * Math.PI * 220 * i) / rate);
  }
  return { sampleRate: rate, channels };
}

/**
 * A drum loop at 120 bpm: a kick (a falling sine), a snare on 2 and 4 (a noise burst with a tone),
 * closed hats on eighths (bright noise). Sparse and peaky, as the drum stems that made the old
 * master pump and overshoot were. `clipAt` hard-clips it there, which puts energy up to Nyquist.
 */
export function drumLoop(
  seconds: number,
  rate = 44100,
  opts: { seed?: number; clipAt?: number; gain?: number } = {},
): AudioData {
  const n = Math.round(seconds * rate);
  const rng = mulberry32(opts.seed ?? 7);
  const beat = Math.round(rate / 2);
  const eighth = Math.round(rate / 4);
  const gain = opts.gain ?? 0.5;
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  let hp = 0;
  let previous = 0;
  for (let i = 0; i < n; i++) {
    const tb = (i % beat) / rate;
    const te = (i % eighth) / rate;
    const bar = Math.floor(i / beat) % 4;
    const kick = Math.sin(2 * Math.PI * (50 * tb + (60 * (1 - Math.exp(-tb * 30))) / 30)) * Math.exp(-tb * 9);
    const white = rng() * 2 - 1;
    // A one-zero high-pass: hats are bright, but not all at Nyquist.
    hp = white - previous;
    previous = white;
    const snare =
      bar % 2 === 1 ? (white * 0.6 + 0.4 * Math.sin(2 * Math.PI * 190 * tb)) * Math.exp(-tb * 18) : 0;
    const hat = hp * 0.15 * Math.exp(-te * 60);
    let l = gain * (kick + snare * 0.8 + hat);
    let r = gain * (kick + snare * 0.7 + hat * 1.2);
    if (opts.clipAt !== undefined) {
      l = Math.max(-opts.clipAt, Math.min(opts.clipAt, l));
      r = Math.max(-opts.clipAt, Math.min(opts.clipAt, r));
    }
    left[i] = l;
    right[i] = r;
  }
  return { sampleRate: rate, channels: [left, right] };
}
