// Bundled into a Chromium page by bench/worklet.ts: the desk's preview (the built mix worklet) renders
// a benchmark session in an OfflineAudioContext; the wall time of that render, per 128-frame quantum,
// is the worklet's cost in the browser (the Web Audio graph's own work included).
import { PreviewGraph } from '../renderer/audio/preview';
import { benchSession, RATE } from './worklet-session';

async function renderTime(
  workletCode: string,
  count: number,
  seconds: number,
): Promise<{ ms: number; quanta: number }> {
  const { project, sources } = benchSession(count, seconds);
  const frames = Math.round(seconds * RATE);
  const offline = new OfflineAudioContext(2, frames, RATE);
  const url = URL.createObjectURL(new Blob([workletCode], { type: 'text/javascript' }));
  const graph = new PreviewGraph(offline, offline.destination, url);
  for (const s of sources)
    graph.setSource(s.id, { sampleRate: RATE, frames: s.channels[0]?.length ?? 0, channels: s.channels });
  graph.sync(project);
  await graph.play();
  await graph.settled();
  const started = performance.now();
  await offline.startRendering();
  const ms = performance.now() - started;
  graph.dispose();
  URL.revokeObjectURL(url);
  return { ms, quanta: Math.ceil(frames / 128) };
}

(globalThis as unknown as { __renderTime: typeof renderTime }).__renderTime = renderTime;
