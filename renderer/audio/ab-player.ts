import { gainOf } from '../state/loudness-match';
import type { ABSides, Side } from './ab-mix';
import type { FromABWorklet, ToABWorklet } from './protocol';

export type { ABSides, Side } from './ab-mix';

/** Lead time of a start: the worklet hears of it before the context's clock gets there. */
const START_LEAD_SEC = 0.02;

/**
 * Plays the original (A) and the master (B) from the same instant. Both run in sync; switching only
 * crossfades the two gains (~10 ms), so the comparison is instant. Each side has a trim (dB)
 * besides: the loudness match turns the louder one down. A player plays once: stop it and make
 * another. `onEnded` is called once the song's end was played (not after stop()).
 */
export interface ABPlayer {
  setSide(side: Side): void;
  setTrims(trimsDb: Record<Side, number>): void;
  stop(): void;
}

/**
 * What the A/B plays: the Worker's shared views (cross-origin isolated: read in place by a worklet),
 * or, not isolated, AudioBuffers made once from the copies the Worker posted.
 */
export type ABSource =
  | { kind: 'shared'; sides: ABSides }
  | { kind: 'buffers'; A: AudioBuffer; B: AudioBuffer };

export function startAB(
  context: BaseAudioContext,
  out: AudioNode,
  source: ABSource,
  side: Side,
  trimsDb: Record<Side, number>,
  onEnded: () => void,
  workletUrl: string,
): ABPlayer {
  return source.kind === 'shared'
    ? new WorkletABPlayer(context, out, source.sides, side, trimsDb, onEnded, workletUrl)
    : new BufferABPlayer(context, out, source, side, trimsDb, onEnded);
}

/** A worklet module is added once per context: every A/B after the first starts at once. */
const loaded = new WeakMap<BaseAudioContext, Map<string, Promise<void>>>();
function loadModule(context: BaseAudioContext, url: string): Promise<void> {
  let byUrl = loaded.get(context);
  if (!byUrl) {
    byUrl = new Map();
    loaded.set(context, byUrl);
  }
  let loading = byUrl.get(url);
  if (!loading) {
    loading = context.audioWorklet.addModule(url);
    // A failed load may be retried by the next A/B.
    loading.catch(() => byUrl.delete(url));
    byUrl.set(url, loading);
  }
  return loading;
}

/**
 * The A/B in an AudioWorklet (ab.worklet.ts) reading the master's shared memory: no AudioBuffer, no
 * copy of the song on this side. The node comes once the module is loaded (at once after the first
 * A/B); a side or trims chosen meanwhile are the ones it starts with.
 */
export class WorkletABPlayer implements ABPlayer {
  private node: AudioWorkletNode | null = null;
  private stopped = false;
  /**
   * The views until they are posted to the worklet. Kept in a field, never in a closure: a closure
   * left on the node's port would hold the song as long as the port lives.
   */
  private sides: ABSides | null;

  constructor(
    context: BaseAudioContext,
    out: AudioNode,
    sides: ABSides,
    private side: Side,
    private trimsDb: Record<Side, number>,
    private readonly onEnded: () => void,
    url: string,
  ) {
    this.sides = sides;
    loadModule(context, url).then(
      () => this.attach(context, out),
      (error: unknown) => {
        // Without its worklet the A/B cannot sound: it ends at once rather than seem to play.
        console.error('The A/B player could not start:', error);
        this.sides = null;
        if (!this.stopped) onEnded();
      },
    );
  }

  private attach(context: BaseAudioContext, out: AudioNode): void {
    const sides = this.sides;
    this.sides = null;
    if (this.stopped || !sides) return;
    const node = new AudioWorkletNode(context, 'siberia-ab', {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [2],
    });
    node.port.onmessage = (event: MessageEvent<FromABWorklet>) => this.receive(event.data);
    node.connect(out);
    this.node = node;
    const atFrame = Math.round((context.currentTime + START_LEAD_SEC) * context.sampleRate);
    this.post({ type: 'play', sides, side: this.side, trimsDb: this.trimsDb, atFrame, fromFrame: 0 });
  }

  private receive(message: FromABWorklet): void {
    if (message.type === 'ended' && !this.stopped) {
      this.release();
      this.onEnded();
    }
  }

  private post(message: ToABWorklet): void {
    this.node?.port.postMessage(message);
  }

  setSide(side: Side): void {
    this.side = side;
    this.post({ type: 'side', side });
  }

  setTrims(trimsDb: Record<Side, number>): void {
    this.trimsDb = trimsDb;
    this.post({ type: 'trims', trimsDb });
  }

  stop(): void {
    this.release();
  }

  /**
   * The worklet lets go of the views and ends; the node leaves the graph. The views' memory goes
   * once the worklet's thread collects its garbage (V8 does so lazily there: some seconds later).
   */
  private release(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.sides = null;
    const node = this.node;
    this.node = null;
    if (!node) return;
    node.port.postMessage({ type: 'stop' } satisfies ToABWorklet);
    node.port.onmessage = null;
    node.disconnect();
  }
}

/**
 * Not cross-origin isolated (no shared memory): two AudioBufferSourceNodes started together, each
 * through its side gain and trim.
 */
export class BufferABPlayer implements ABPlayer {
  private readonly gains: Record<Side, GainNode>;
  private readonly trims: Record<Side, GainNode>;
  private readonly sources: AudioBufferSourceNode[];

  constructor(
    private readonly context: BaseAudioContext,
    out: AudioNode,
    buffers: Record<Side, AudioBuffer>,
    side: Side,
    trimsDb: Record<Side, number>,
    onEnded: () => void,
  ) {
    this.gains = { A: context.createGain(), B: context.createGain() };
    this.trims = { A: context.createGain(), B: context.createGain() };
    this.sources = (['A', 'B'] as const).map((s) => {
      const source = context.createBufferSource();
      source.buffer = buffers[s];
      this.gains[s].gain.value = s === side ? 1 : 0;
      this.trims[s].gain.value = gainOf(trimsDb[s]);
      source.connect(this.trims[s]).connect(this.gains[s]).connect(out);
      return source;
    });
    const when = context.currentTime + START_LEAD_SEC;
    for (const s of this.sources) s.start(when);
    this.sources[0]?.addEventListener('ended', onEnded);
  }

  setSide(side: Side): void {
    const now = this.context.currentTime;
    this.gains.A.gain.setTargetAtTime(side === 'A' ? 1 : 0, now, 0.01);
    this.gains.B.gain.setTargetAtTime(side === 'B' ? 1 : 0, now, 0.01);
  }

  setTrims(trimsDb: Record<Side, number>): void {
    const now = this.context.currentTime;
    this.trims.A.gain.setTargetAtTime(gainOf(trimsDb.A), now, 0.01);
    this.trims.B.gain.setTargetAtTime(gainOf(trimsDb.B), now, 0.01);
  }

  stop(): void {
    for (const s of this.sources) {
      s.stop();
      s.disconnect();
    }
    for (const node of [this.gains.A, this.gains.B, this.trims.A, this.trims.B]) node.disconnect();
  }
}
