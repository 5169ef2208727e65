/// <reference lib="webworker" />
import { LoudnessMeter } from '../../engine/index';
import type { FromMeter, ToMeter } from './protocol';

// The master meter: the engine's incremental LoudnessMeter fed by the worklet tap, read ten times a
// second. Silence reads −∞ in the engine; it crosses as null.
declare const self: DedicatedWorkerGlobalScope;

let meter: LoudnessMeter | null = null;
let dirty = false;

const finite = (x: number) => (Number.isFinite(x) ? x : null);
/** Loudness under the BS.1770 absolute gate (−70 LUFS) reads as silence, not as −2,000 LUFS of decay. */
const audible = (lufs: number) => (Number.isFinite(lufs) && lufs > -70 ? lufs : null);

self.onmessage = (event: MessageEvent<ToMeter>) => {
  const message = event.data;
  if (message.type === 'connect') {
    meter = new LoudnessMeter(message.sampleRate, 2);
    message.port.onmessage = (e: MessageEvent<[Float32Array, Float32Array]>) => {
      meter?.push(e.data);
      dirty = true;
    };
  } else if (message.type === 'reset') {
    meter?.reset();
    dirty = true;
  }
};

setInterval(() => {
  if (!meter || !dirty) return;
  dirty = false;
  const reading: FromMeter = {
    type: 'reading',
    reading: {
      momentary: audible(meter.momentary()),
      shortTerm: audible(meter.shortTerm()),
      truePeak: finite(meter.truePeak()),
    },
  };
  self.postMessage(reading);
}, 100);
