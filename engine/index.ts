// The engine's public API: pure TypeScript on Float32Array, no DOM and no Node, so the renderer's
// Worker, the command line and the benchmarks all run the same code.
export {
  type AudioData,
  AudioFormatError,
  type AudioFormatErrorCode,
  frameCount,
  isAudioFormatError,
} from './audio-data';
export { type Biquad, biquadCoefficients, biquadMagnitude } from './dsp/biquad';
export { mulberry32 } from './dsp/random';
export { decodeAudioFile, parseAudioFile } from './io/decode';
export { type ByteSource, bytesSource, type PcmLayout } from './io/pcm';
export { type FrameSource, fileSource, memorySource, resampledSource, stereoSource } from './io/sources';
export { stereoDownmix } from './dsp/downmix';
export { type Clipping, decodeWav, encodeWav, encodeWavChunks, WavEncoder, type WavFormat } from './io/wav';
export { LoudnessMeter, loudnessReport, measureLoudness } from './loudness/meter';
export { Compressor } from './dsp/compressor';
export { dbToGain, gainToDb, isAudible, panGains } from './dsp/laws';
export { resample } from './dsp/resample';
export { oversampledPeaks } from './loudness/true-peak';
export { limitTruePeak } from './master/limiter';
export {
  DEFAULT_MAX_LIMITING_DB,
  type MasterChoice,
  masterAudio,
  type StreamMasterOptions,
  streamMaster,
} from './master/master';
export {
  type MixSource,
  type MixStream,
  mixLength,
  RenderCancelledError,
  type RenderOptions,
  renderMix,
  mixFrameSource,
  streamMix,
} from './mix/render';
export { clipBlock, Mixer, type MixerInput, type StripBlock } from './mix/mixer';
export { mixSourceChannels } from './mix/mix-source';
export { type ClipSpan, clipSpan } from './mix/clip-span';
export { computePeaks } from './dsp/peaks';
export { decodeAiff } from './io/aiff';
// Export formats: one encoder interface for the Worker and the CLI (see engine/io/encoders.ts for
// finish()'s header patch), and the compressed sources (FLAC, MP3, Ogg Vorbis) by signature.
export {
  type AudioEncoder,
  createEncoder,
  type EncoderFinish,
  type EncoderOptions,
  encodeAudio,
  type ByteSink,
  encodeSource,
  encodeSourceTo,
  SINK_PIECE_BYTES,
} from './io/encoders';
export { openSource } from './io/decoders';
