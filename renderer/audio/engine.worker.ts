/// <reference lib="webworker" />
import { type ExportSettings, exportRate } from '../../contracts/export';
import {
  AudioFormatError,
  type ByteSink,
  encodeSourceTo,
  masterAudio,
  resampledSource,
  SINK_PIECE_BYTES,
} from '../../engine/index';
import { decodePlanar } from '../../engine/io/planar-decode';
import { type PlanarMixSource, planarMixFrameSource } from '../../engine/mix/planar-render';
import { type FrameSource, memorySource } from '../../engine/io/sources';
import type { AudioData } from '../../engine/audio-data';
import { stemIds, stemTracks } from '../../engine/mix/stems';
import { buildPyramid, pyramidBuffers } from './peak-pyramid';
import type { Clipping, FromEngine, MixInput, ToEngine } from './protocol';
import { isShared, postable, type SharedSource, sourceBuffer } from './shared-source';

// The engine's Worker: keeps every track's decoded audio, renders and masters off the main thread.
// A render cannot be interrupted from inside (the engine runs synchronously), so the desk cancels
// by terminating this Worker and starting a fresh one.
declare const self: DedicatedWorkerGlobalScope;

/** The sources by track: the very memory the desk and the preview's worklet hold (shared-source.ts). */
const sources = new Map<string, SharedSource>();
/** The master waiting for the musician's Save or Discard, by the id of its request. */
const masters = new Map<number, AudioData>();

function post(message: FromEngine, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function mixSources(mix: MixInput): PlanarMixSource[] {
  const list: PlanarMixSource[] = [];
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

/** The settings' rate in Hz, and the tags (empty ones are left out of the file). */
function encodeOptions(settings: ExportSettings, sessionRate: number) {
  const title = settings.tags.title.trim();
  const artist = settings.tags.artist.trim();
  return { rate: exportRate(settings.rate, sessionRate), tags: { title, artist } };
}

/**
 * A mix (or a stem) encoded as it is rendered, resampled on the way to the export's rate: the
 * Worker holds the encoded file, never the whole mix as samples.
 */
/** A mix (or a stem) resampled to the export's rate and encoded into `sink` as it renders. */
function encodeMix(mixed: FrameSource, settings: ExportSettings, sessionRate: number, sink: ByteSink) {
  const { rate, tags } = encodeOptions(settings, sessionRate);
  return encodeSourceTo(resampledSource(mixed, rate), settings.format, sink, { tags });
}

/**
 * Renders waiting for the desk to take what was posted (flow control: one piece of the mix or of a
 * stem at a time); the desk gives the piece's buffer back with `taken` once it is written.
 */
const taken = new Map<number, (buffer: ArrayBuffer | undefined) => void>();
const handedOver = (id: number) => new Promise<ArrayBuffer | undefined>((resolve) => taken.set(id, resolve));

/**
 * Posts a piece (its buffer transferred) and waits until the desk has written it; answers the
 * buffer the desk gave back, if any. `mine`: the bytes' buffer is the sink's (a piece the encoder
 * wrote, see ByteSink), transferred whole; else (a patch, maybe a view into the encoder's own
 * memory) the bytes go as a copy of their own.
 */
async function handOver(
  message: Extract<FromEngine, { type: 'piece' | 'stem' }>,
  mine: boolean,
): Promise<ArrayBuffer | undefined> {
  const next = handedOver(message.id);
  const { bytes } = message;
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const own = (mine && bytes.buffer instanceof ArrayBuffer) || whole ? bytes : bytes.slice();
  post({ ...message, bytes: own }, [own.buffer as ArrayBuffer]);
  return next;
}

/**
 * The piece buffers of one render: those the desk gave back, for the encoder to fill again, so a
 * render of any length goes through the same one or two buffers (not a new one per piece, each left
 * for the garbage collector). Only buffers of the pieces' size are kept.
 */
function piecePool() {
  const spare: ArrayBuffer[] = [];
  return {
    recycled: () => spare.pop(),
    giveBack(buffer: ArrayBuffer | undefined) {
      if (buffer && buffer.byteLength === SINK_PIECE_BYTES && spare.length < 2) spare.push(buffer);
    },
  };
}

/** The mix's file, a piece at a time. */
function pieceSink(id: number): ByteSink {
  const pool = piecePool();
  return {
    write: async (bytes) => pool.giveBack(await handOver({ type: 'piece', id, bytes }, true)),
    patch: async (at, bytes) => pool.giveBack(await handOver({ type: 'piece', id, bytes, at }, false)),
    recycled: pool.recycled,
  };
}

/**
 * A stem's file, a piece at a time: each piece is held until the next one comes, so the last one
 * goes out marked as the end of the stem (`more: false`), with no empty piece after it. The stems
 * of one render share `pool`.
 */
function stemSink(
  stem: { id: number; trackId: string; index: number; count: number },
  pool: ReturnType<typeof piecePool>,
) {
  type Held = { bytes: Uint8Array; at?: number; mine: boolean };
  let held: Held | null = null;
  const send = async ({ mine, ...piece }: Held, more: boolean) =>
    pool.giveBack(await handOver({ type: 'stem', ...stem, ...piece, more }, mine));
  const next = async (piece: Held) => {
    if (held) await send(held, true);
    held = piece;
  };
  const sink: ByteSink = {
    write: (bytes) => next({ bytes, mine: true }),
    patch: (at, bytes) => next({ bytes, at, mine: false }),
    recycled: pool.recycled,
  };
  const end = () => send(held ?? { bytes: new Uint8Array(0), mine: false }, false);
  return { sink, end };
}

/**
 * Each stem in turn: rendered through its own strip with the others muted (the mix's length),
 * encoded and posted a piece at a time, each piece written before the next is encoded, so only a
 * piece of one stem's file is ever held. Progress runs across all of them.
 */
async function renderStems(id: number, mix: MixInput, settings: ExportSettings): Promise<void> {
  const ids = stemIds(mix.tracks, settings.stemTrackIds);
  if (ids.length === 0) throw new Error('No track to write as a stem.');
  const clipping: Clipping = { samples: 0, peak: 0 };
  // Taken once: a source the desk lets go of between two stems (forget) still sounds in the rest.
  const sources = mixSources(mix);
  const pool = piecePool();
  for (const [index, trackId] of ids.entries()) {
    const span = 1 / ids.length;
    const stem = planarMixFrameSource(
      {
        tracks: stemTracks(mix.tracks, trackId),
        master: mix.master,
        // Each stem carries its own share of the reverb return: the stems still sum to the mix.
        reverb: mix.reverb,
        sampleRate: mix.sampleRate,
        // Every source, so the stem keeps the mix's length; the muted ones are not rendered.
        sources,
      },
      { onProgress: progress(id, index * span, span * 0.95) },
    );
    const { sink, end } = stemSink({ id, trackId, index, count: ids.length }, pool);
    const encoded = await encodeMix(stem, settings, mix.sampleRate, sink);
    await end();
    clipping.samples += encoded.clipping.samples;
    clipping.peak = Math.max(clipping.peak, encoded.clipping.peak);
    post({ type: 'progress', id, fraction: (index + 1) * span });
  }
  post({ type: 'stemsDone', id, clipping });
}

async function handle(message: ToEngine): Promise<void> {
  switch (message.type) {
    case 'decode': {
      // Decoded straight into shared memory, 16-bit files as 16-bit: the desk gets the same views.
      const audio = decodePlanar(new Uint8Array(message.bytes), sourceBuffer);
      const frames = audio.channels[0]?.length ?? 0;
      const source: SharedSource = { sampleRate: audio.sampleRate, frames, channels: audio.channels };
      sources.set(message.trackId, source);
      const peaks = buildPyramid(source.channels);
      const { channels, transfer } = postable(source.channels);
      const { recovered } = audio;
      post({ type: 'decoded', id: message.id, source: { ...source, channels }, peaks, recovered }, [
        ...transfer,
        ...pyramidBuffers(peaks),
      ]);
      return;
    }
    case 'store': {
      sources.set(message.trackId, message.source);
      const peaks = buildPyramid(message.source.channels);
      post({ type: 'stored', id: message.id, peaks }, pyramidBuffers(peaks));
      return;
    }
    case 'forget':
      for (const trackId of message.trackIds) sources.delete(trackId);
      return;
    case 'taken': {
      const resolve = taken.get(message.id);
      taken.delete(message.id);
      resolve?.(message.buffer);
      return;
    }
    case 'render': {
      const { mix, id, settings } = message;
      if (settings.stems) {
        await renderStems(id, mix, settings);
        return;
      }
      const mixed = planarMixFrameSource(
        {
          tracks: mix.tracks,
          master: mix.master,
          reverb: mix.reverb,
          sampleRate: mix.sampleRate,
          sources: mixSources(mix),
        },
        { onProgress: progress(id, 0, 0.95) },
      );
      const { bytes: size, clipping } = await encodeMix(mixed, settings, mix.sampleRate, pieceSink(id));
      post({ type: 'rendered', id, size, clipping });
      return;
    }
    case 'master': {
      const { mix, id } = message;
      // The master works on the mix before the master fader, as the one-click master sets the level.
      const mixed = planarMixFrameSource(
        {
          tracks: mix.tracks,
          master: { gainDb: 0 },
          reverb: mix.reverb,
          sampleRate: mix.sampleRate,
          sources: mixSources(mix),
        },
        { onProgress: progress(id, 0, 0.4) },
      );
      // The mix and the master in shared memory (plain when not isolated, see sourceBuffer): the
      // A/B's worklet reads both in place, and Save encodes the master from there, without a copy.
      // The Worker keeps the master only.
      const sharedFloats = (frames: number) => new Float32Array(sourceBuffer(4 * frames));
      const block = 65536;
      const frames = mixed.frames;
      const audio = { sampleRate: mix.sampleRate, channels: [0, 1].map(() => sharedFloats(frames)) };
      for (let at = 0; at < frames; ) {
        const n = mixed.read(
          audio.channels.map((c) => c.subarray(at, Math.min(frames, at + block))),
          Math.min(block, frames - at),
        );
        if (n === 0) break;
        at += n;
      }
      const into = audio.channels.map(() => sharedFloats(frames));
      const result = masterAudio(audio, mix.master, { onProgress: progress(id, 0.4, 0.6), into });
      // One master waits for Save or Discard at a time.
      masters.clear();
      masters.set(id, result.audio);
      const mastered = postable(result.audio.channels);
      const original = audio.channels;
      // Not isolated, the mix is plain memory the Worker no longer needs: handed over, not copied.
      const handed = original.filter((c) => !isShared(c)).map((c) => c.buffer as ArrayBuffer);
      post(
        {
          type: 'mastered',
          id,
          report: result.report,
          sampleRate: mix.sampleRate,
          original,
          mastered: mastered.channels as Float32Array[],
        },
        [...handed, ...mastered.transfer],
      );
      return;
    }
    case 'saveMaster': {
      const { id, settings, sessionRate } = message;
      const kept = masters.get(message.master);
      if (!kept) throw new Error('This master is no longer held: master the mix again.');
      const { bytes: size, clipping } = await encodeMix(
        memorySource(kept),
        settings,
        sessionRate,
        pieceSink(id),
      );
      masters.delete(message.master);
      post({ type: 'rendered', id, size, clipping });
      return;
    }
    case 'dropMaster':
      masters.delete(message.master);
      return;
  }
}

function fail(message: ToEngine, error: unknown): void {
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

self.onmessage = (event: MessageEvent<ToEngine>) => {
  const message = event.data;
  handle(message).catch((error) => fail(message, error));
};
