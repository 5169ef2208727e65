// Bundled into a blank Chromium page: renders one track through the desk's preview (the mix worklet) in an
// OfflineAudioContext and through the engine's renderMix, and reports the steady-state level of
// each side, so the test can hold the two to the same gain, pan and EQ laws.
import { newProject, newTrack, type Track } from '../../contracts/project';
import { renderMix } from '../../engine/index';
import { PreviewGraph } from '../../renderer/audio/preview';

export type LawCase = { freq: number; channels: 1 | 2; patch: Partial<Pick<Track, 'gainDb' | 'pan' | 'eq'>> };

const RATE = 48000;
const SECONDS = 1;

function rmsDb(x: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (x[i] as number) ** 2;
  return 10 * Math.log10(sum / (to - from));
}

async function measure(c: LawCase, workletCode: string): Promise<{ preview: number[]; engine: number[] }> {
  const frames = RATE * SECONDS;
  const channels = Array.from({ length: c.channels }, (_, ch) => {
    const data = new Float32Array(frames);
    // The second channel a little quieter, so left and right are told apart.
    const amp = ch === 0 ? 0.5 : 0.25;
    for (let i = 0; i < frames; i++) data[i] = amp * Math.sin((2 * Math.PI * c.freq * i) / RATE);
    return data;
  });
  const track = { ...newTrack('t', 'T', 't.wav'), ...c.patch };
  const project = {
    ...newProject('', RATE as 48000),
    tracks: [track],
  };
  const offline = new OfflineAudioContext(2, frames, RATE);
  const url = URL.createObjectURL(new Blob([workletCode], { type: 'text/javascript' }));
  const graph = new PreviewGraph(offline, offline.destination, url);
  graph.setSource('t', { sampleRate: RATE, frames, channels });
  graph.sync(project);
  await graph.play();
  await graph.settled();
  const rendered = await offline.startRendering();
  const engine = renderMix({
    tracks: [track],
    master: project.master,
    sampleRate: RATE,
    sources: [{ trackId: 't', audio: { sampleRate: RATE, channels } }],
  });
  // Steady state only: past the 20 ms start, the parameter ramps and the compressor's look-ahead.
  const from = Math.round(0.5 * RATE);
  const to = Math.round(0.9 * RATE);
  return {
    preview: [0, 1].map((ch) => rmsDb(rendered.getChannelData(ch), from, to)),
    engine: [0, 1].map((ch) => rmsDb(engine.channels[ch] as Float32Array, from, to)),
  };
}

(globalThis as unknown as { __previewLaws: typeof measure }).__previewLaws = measure;
