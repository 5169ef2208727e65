/// <reference lib="webworker" />
import {
  type AudioData,
  AudioFormatError,
  decodeAudioFile,
  encodeWav,
  type MixSource,
  masterAudio,
  renderMix,
} from '../../engine/index';
import { EXPORT_FORMAT, type FromEngine, type MixInput, type ToEngine } from './protocol';
import { buildPyramid, pyramidBuffers } from './peak-pyramid';

// The engine's Worker: keeps every track's decoded audio, renders and masters off the main thread.
// A render cannot be interrupted from inside (the engine runs synchronously), so the desk cancels
// by terminating this Worker and starting a fresh one.
declare const self: DedicatedWorkerGlobalScope;

const sources = new Map<string, AudioData>();

function post(message: FromEngine, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function mixSources(mix: MixInput): MixSource[] {
  const list: MixSource[] = [];
  for (const track of mix.tracks) {
    const audio = sources.get(track.id);
    if (audio) list.push({ trackId: track.id, audio });
  }
  return list;
}

function progress(id: number, from: number, span: number): (fraction: number) => void {
  let last = -1;
  return (fraction) => {
    const value = from + fraction * span;
    // One message per percent is plenty for a progress bar.
    if (value - last < 0.01 && fraction < 1) return;
    last = value;
    post({ type: 'progress', id, fraction: value });
  };
}

function handle(message: ToEngine): void {
  switch (message.type) {
    case 'decode': {
      const audio = decodeAudioFile(new Uint8Array(message.bytes));
      sources.set(message.trackId, audio);
      const copies = audio.channels.map((c) => c.slice());
      const peaks = buildPyramid(audio.channels);
      post({ type: 'decoded', id: message.id, sampleRate: audio.sampleRate, channels: copies, peaks }, [
        ...copies.map((c) => c.buffer),
        ...pyramidBuffers(peaks),
      ]);
      return;
    }
    case 'store': {
      const audio = { sampleRate: message.sampleRate, channels: message.channels };
      sources.set(message.trackId, audio);
      const peaks = buildPyramid(audio.channels);
      post({ type: 'stored', id: message.id, peaks }, pyramidBuffers(peaks));
      return;
    }
    case 'render': {
      const { mix, id } = message;
      const audio = renderMix(
        { tracks: mix.tracks, master: mix.master, sampleRate: mix.sampleRate, sources: mixSources(mix) },
        { onProgress: progress(id, 0, 0.9) },
      );
      const wav = encodeWav(audio, { format: EXPORT_FORMAT });
      post({ type: 'rendered', id, wav }, [wav.buffer]);
      return;
    }
    case 'master': {
      const { mix, id } = message;
      // The master works on the mix before the master fader, as the one-click master sets the level.
      const audio = renderMix(
        { tracks: mix.tracks, master: { gainDb: 0 }, sampleRate: mix.sampleRate, sources: mixSources(mix) },
        { onProgress: progress(id, 0, 0.4) },
      );
      const result = masterAudio(audio, mix.master, { onProgress: progress(id, 0.4, 0.55) });
      const wav = encodeWav(result.audio, { format: EXPORT_FORMAT });
      const original = audio.channels;
      // Silence comes back unchanged; a buffer cannot be transferred twice, so such channels are copied.
      const originalBuffers = new Set<ArrayBufferLike>(original.map((c) => c.buffer));
      const mastered = result.audio.channels.map((c) => (originalBuffers.has(c.buffer) ? c.slice() : c));
      post(
        { type: 'mastered', id, wav, report: result.report, sampleRate: mix.sampleRate, original, mastered },
        [wav.buffer, ...original.map((c) => c.buffer), ...mastered.map((c) => c.buffer)],
      );
      return;
    }
  }
}

self.onmessage = (event: MessageEvent<ToEngine>) => {
  const message = event.data;
  try {
    handle(message);
  } catch (error) {
    if (!('id' in message)) return;
    if (error instanceof AudioFormatError) {
      post({ type: 'failed', id: message.id, code: error.code, message: error.message });
    } else {
      post({
        type: 'failed',
        id: message.id,
        code: 'internal',
        message: String((error as Error)?.message ?? error),
      });
    }
  }
};
