import { besselI0 } from '../dsp/kaiser';

/**
 * The reference the true-peak meter is held to: 16× oversampling through a 256-tap Kaiser-windowed
 * sinc (β = 12) per phase, every point of every interval, no folding, no skipping, no refinement.
 * Slow on purpose; for short test signals only.
 */
export function referenceTruePeak(x: Float32Array, factor = 16, taps = 256): number {
  const half = taps / 2;
  const beta = 12;
  const norm = besselI0(beta);
  const phases: Float64Array[] = [];
  for (let k = 1; k < factor; k++) {
    const tau = k / factor;
    const phase = new Float64Array(taps);
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const u = tau - (t - half + 1);
      const r = u / half;
      const v =
        Math.abs(u) >= half
          ? 0
          : ((u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u)) * besselI0(beta * Math.sqrt(1 - r * r))) /
            norm;
      phase[t] = v;
      sum += v;
    }
    for (let t = 0; t < taps; t++) phase[t] = (phase[t] as number) / sum;
    phases.push(phase);
  }
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  for (let n = -half; n < x.length + half; n++) {
    for (const phase of phases) {
      let acc = 0;
      for (let t = 0; t < taps; t++) {
        const i = n - half + 1 + t;
        if (i >= 0 && i < x.length) acc += (phase[t] as number) * (x[i] as number);
      }
      peak = Math.max(peak, Math.abs(acc));
    }
  }
  return peak;
}
