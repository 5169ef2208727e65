// Bundled into a blank Chromium page: renders a session with every control moved through the desk's
// preview (the mix worklet, as Vite built it, in an OfflineAudioContext) and through the engine's
// renderMix, and reports how far apart the two are.
import { DEFAULT_CLIP, newProject, newTrack, type ProjectFile, type Track } from '../../contracts/project';
import { mulberry32, renderMix } from '../../engine/index';
import { PreviewGraph } from '../../renderer/audio/preview';

const RATE = 48000;

export type NullResult = {
  frames: number;
  /** Where the song starts in the preview's render (the frame play() scheduled). */
  startFrame: number;
  scheduledFrame: number;
  /** Peak of preview − export over the song, dBFS (−Infinity when identical). */
  diffDb: number;
  /** Peak of the preview before its start, dBFS. */
  leadDb: number;
  /** Peak and RMS of the export, dBFS: the difference is read against a real signal. */
  peakDb: number;
  /** Peak of the export with the send bus off minus the export: the bus is really in there. */
  busDb: number;
  sameSamples: number;
};

/** A deterministic "instrument": noise through a resonance with a beat, so every stage works. */
function voice(seconds: number, rate: number, seed: number, channels: number): Float32Array[] {
  const n = Math.round(seconds * rate);
  const rng = mulberry32(seed);
  return Array.from({ length: channels }, (_, c) => {
    const x = new Float32Array(n);
    let lp = 0;
    for (let i = 0; i < n; i++) {
      lp += 0.08 * (rng() * 2 - 1 - lp);
      const beat = i % Math.round(rate / 3) < rate / 30 ? 1 : 0.3;
      x[i] = (0.6 * lp + 0.25 * Math.sin((2 * Math.PI * (180 + 70 * c + seed * 13) * i) / rate)) * beat;
    }
    return x;
  });
}

/** The voice as a 16-bit file holds it: the preview reads the Int16Array, the export the same values. */
function int16(channels: Float32Array[]): Int16Array[] {
  return channels.map((x) =>
    Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768)))),
  );
}

type NullSource = { id: string; rate: number; channels: Float32Array[] | Int16Array[] };

function session(): { project: ProjectFile; sources: NullSource[] } {
  const base = newProject('null test', RATE as 48000);
  const t = (id: string, patch: Partial<Track>): Track => ({ ...newTrack(id, id, `${id}.wav`), ...patch });
  const tracks: Track[] = [
    t('drums', {
      gainDb: -3.5,
      pan: -0.3,
      startOffsetSec: 0.0123,
      eq: {
        low: { gainDb: 5, freqHz: 85 },
        mid: { gainDb: -4, freqHz: 900, q: 1.6 },
        high: { gainDb: 2.5, freqHz: 7500 },
      },
      compressor: { enabled: true, thresholdDb: -22, ratio: 4, attackMs: 3, releaseMs: 90, makeupDb: 4 },
      clip: {
        ...DEFAULT_CLIP,
        trimStartSec: 0.071,
        lengthSec: 1.1,
        fadeInSec: 0.04,
        fadeInCurve: 'linear',
        fadeOutSec: 0.25,
        fadeOutCurve: 'equalPower',
      },
      send: { enabled: true, levelDb: -10, preFader: false },
    }),
    t('bass', {
      gainDb: 2,
      pan: 0.15,
      startOffsetSec: 0.2,
      eq: {
        low: { gainDb: -3, freqHz: 60 },
        mid: { gainDb: 6, freqHz: 220, q: 0.9 },
        high: { gainDb: 0, freqHz: 8000 },
      },
      compressor: { enabled: true, thresholdDb: -18, ratio: 2.5, attackMs: 10, releaseMs: 200, makeupDb: 1 },
      clip: {
        ...DEFAULT_CLIP,
        fadeInSec: 0.01,
        fadeInCurve: 'equalPower',
        fadeOutSec: 0.1,
        fadeOutCurve: 'linear',
      },
      send: { enabled: true, levelDb: -4, preFader: true },
    }),
    // A mono voice at 44.1 kHz: resampled to the mix rate on both sides.
    t('voice', {
      gainDb: -1,
      pan: 0.7,
      startOffsetSec: 0.35,
      eq: {
        low: { gainDb: 0, freqHz: 120 },
        mid: { gainDb: 3, freqHz: 2500, q: 2 },
        high: { gainDb: -6, freqHz: 10000 },
      },
      clip: { ...DEFAULT_CLIP, trimStartSec: 0.02, fadeOutSec: 0.3 },
      send: { enabled: true, levelDb: 0, preFader: false },
    }),
    t('muted', { mute: true, send: { enabled: true, levelDb: 6, preFader: true } }),
  ];
  const project: ProjectFile = {
    ...base,
    tracks,
    master: { ...base.master, gainDb: -2.5 },
    reverb: { returnDb: -4, size: 0.7, decaySec: 1.3, damping: 0.55, preDelayMs: 27 },
  };
  return {
    project,
    sources: [
      { id: 'drums', rate: RATE, channels: voice(1.4, RATE, 1, 2) },
      // 16-bit: at the mix's rate (read through the worklet's per-block scratch) and at 44.1 kHz
      // (converted to the context's rate from the 16-bit values).
      { id: 'bass', rate: RATE, channels: int16(voice(1.2, RATE, 2, 2)) },
      { id: 'voice', rate: 44100, channels: int16(voice(1.1, 44100, 3, 1)) },
      { id: 'muted', rate: RATE, channels: voice(1, RATE, 4, 2) },
    ],
  };
}

const db = (x: number) => 20 * Math.log10(x);

async function nullTest(workletCode: string): Promise<NullResult> {
  const { project, sources } = session();
  const mixInput = {
    tracks: project.tracks,
    master: project.master,
    sampleRate: RATE,
    // The export's renderMix reads float: 16-bit sources as their values / 32768, as the decoders make them.
    sources: sources.map((s) => ({
      trackId: s.id,
      audio: {
        sampleRate: s.rate,
        channels: s.channels.map((ch) =>
          ch instanceof Int16Array ? Float32Array.from(ch, (v) => v / 32768) : ch,
        ),
      },
    })),
  };
  const exported = renderMix({ ...mixInput, reverb: project.reverb });
  const dry = renderMix(mixInput);
  const frames = exported.channels[0]?.length ?? 0;
  const offline = new OfflineAudioContext(2, frames + 2048, RATE);
  const url = URL.createObjectURL(new Blob([workletCode], { type: 'text/javascript' }));
  const graph = new PreviewGraph(offline, offline.destination, url);
  for (const s of sources)
    graph.setSource(s.id, { sampleRate: s.rate, frames: s.channels[0]?.length ?? 0, channels: s.channels });
  graph.sync(project);
  await graph.play();
  await graph.settled();
  const rendered = await offline.startRendering();
  const preview = [rendered.getChannelData(0), rendered.getChannelData(1)];
  const firstSound = (x: Float32Array) => x.findIndex((v) => v !== 0);
  const startFrame =
    firstSound(preview[0] as Float32Array) - firstSound(exported.channels[0] as Float32Array);
  let diff = 0;
  let lead = 0;
  let peak = 0;
  let bus = 0;
  let same = 0;
  for (let c = 0; c < 2; c++) {
    const p = preview[c] as Float32Array;
    const e = exported.channels[c] as Float32Array;
    const d = dry.channels[c] as Float32Array;
    for (let i = 0; i < startFrame; i++) lead = Math.max(lead, Math.abs(p[i] as number));
    for (let i = 0; i < frames; i++) {
      const x = p[startFrame + i] as number;
      const y = e[i] as number;
      diff = Math.max(diff, Math.abs(x - y));
      if (x === y) same++;
      peak = Math.max(peak, Math.abs(y));
      bus = Math.max(bus, Math.abs(y - (d[i] as number)));
    }
  }
  graph.dispose();
  return {
    frames,
    startFrame,
    scheduledFrame: Math.round(0.02 * RATE),
    diffDb: db(diff),
    leadDb: db(lead),
    peakDb: db(peak),
    busDb: db(bus),
    sameSamples: same / (2 * frames),
  };
}

(globalThis as unknown as { __mixNull: typeof nullTest }).__mixNull = nullTest;
