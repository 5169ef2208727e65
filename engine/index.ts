// The engine's public API: pure TypeScript on Float32Array, no DOM and no Node, so the renderer's
// Worker, the command line and the benchmarks all run the same code.
export { type AudioData, AudioFormatError, type AudioFormatErrorCode, frameCount } from './audio-data';
export { type Biquad, biquadCoefficients, biquadMagnitude } from './dsp/biquad';
export { mulberry32 } from './dsp/random';
export { decodeAudioFile } from './io/decode';
export { decodeWav, encodeWav, encodeWavChunks, type WavFormat } from './io/wav';
export { LoudnessMeter, measureLoudness } from './loudness/meter';
export { Compressor } from './dsp/compressor';
export { dbToGain, isAudible, panGains } from './dsp/laws';
export { resample } from './dsp/resample';
export { oversampledPeaks } from './loudness/true-peak';
export { limitTruePeak } from './master/limiter';
export { DEFAULT_MAX_LIMITING_DB, type MasterChoice, masterAudio } from './master/master';
export { type MixSource, mixLength, RenderCancelledError, type RenderOptions, renderMix } from './mix/render';
export { computePeaks } from './dsp/peaks';
export { decodeAiff } from './io/aiff';
