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
  context: AudioContext,
  out: AudioNode,
  source: ABSource,
  side: Side,
  trimsDb: Record<Side, number>,
  onEnded: () => void,
  /** Shared sides play on this stage (made ready ahead); it is closed when the A/B stops. */
  stage: () => ABStage,
): ABPlayer {
  return source.kind === 'shared'
    ? new WorkletABPlayer(stage(), source.sides, side, trimsDb, onEnded)
    : new BufferABPlayer(context, out, source, side, trimsDb, onEnded);
}

/**
 * Where the A/B's worklet runs: an AudioContext of its own (the desk's rate), its sound brought into
 * the desk's graph (the meter, the speakers) by a media stream. It is closed when the A/B stops: its
 * worklet thread goes with it, and with it the views it read. In the desk's own context they would
 * stay held after Discard: a worklet's thread allocates so little that V8 may not collect there for
 * minutes (measured: not within 40 s for a 10-minute song), and Chromium's memory pressure signal
 * does not reach it. A stage is made ready ahead (its worklet loaded) so that Play starts at once.
 */
export class ABStage {
  readonly context: AudioContext;
  readonly output: MediaStreamAudioDestinationNode;
  readonly ready: Promise<void>;
  private readonly input: MediaStreamAudioSourceNode;

  constructor(
    readonly desk: AudioContext,
    out: AudioNode,
    url: string,
  ) {
    this.context = new AudioContext({ latencyHint: 'interactive', sampleRate: desk.sampleRate });
    this.output = this.context.createMediaStreamDestination();
    this.output.channelCount = 2;
    this.input = desk.createMediaStreamSource(this.output.stream);
    this.input.connect(out);
    this.ready = this.context.audioWorklet.addModule(url);
    // Whoever plays on it hears of a failed load; nobody else need.
    this.ready.catch(() => undefined);
  }

  close(): void {
    this.input.disconnect();
    void this.context.close();
  }
}

/**
 * The A/B in an AudioWorklet (ab.worklet.ts) on a stage of its own, reading the master's shared
 * memory: no AudioBuffer, no copy of the song on this side. The stage is closed when the A/B stops.
 * The node comes once the stage is ready; a side or trims chosen meanwhile are the ones it starts
 * with.
 */
export class WorkletABPlayer implements ABPlayer {
  private node: AudioWorkletNode | null = null;
  private stopped = false;
  /** The views until they are posted to the worklet: in a field, never in a closure left behind. */
  private sides: ABSides | null;

  constructor(
    private readonly stage: ABStage,
    sides: ABSides,
    private side: Side,
    private trimsDb: Record<Side, number>,
    private readonly onEnded: () => void,
  ) {
    this.sides = sides;
    // Made ahead, outside a click: it may wait to be allowed to sound.
    void stage.context.resume();
    stage.ready.then(
      () => this.attach(),
      (error: unknown) => {
        // Without its worklet the A/B cannot sound: it ends at once rather than seem to play.
        console.error('The A/B player could not start:', error);
        const stopped = this.stopped;
        this.release();
        if (!stopped) this.onEnded();
      },
    );
  }

  private attach(): void {
    const sides = this.sides;
    this.sides = null;
    if (this.stopped || !sides) return;
    const own = this.stage.context;
    const node = new AudioWorkletNode(own, 'siberia-ab', {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [2],
    });
    node.port.onmessage = (event: MessageEvent<FromABWorklet>) => this.receive(event.data);
    node.connect(this.stage.output);
    this.node = node;
    const atFrame = Math.round((own.currentTime + START_LEAD_SEC) * own.sampleRate);
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

  /** Silence at once, then the stage closed: its worklet thread and the views go with it. */
  private release(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.sides = null;
    this.post({ type: 'stop' });
    this.node?.port.close();
    this.node = null;
    this.stage.close();
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
