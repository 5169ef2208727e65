// AudioWorklet running the engine's own Mixer (engine/mix/mixer.ts) on 128-frame blocks: the
// preview makes the export's samples. Web Audio only schedules (the context's clock says when the
// song starts and where) and carries the output to the meter tap and the speakers.
import { clipSpan } from '../../engine/mix/clip-span';
import { Mixer, type StripBlock } from '../../engine/mix/mixer';
import type { FromMixWorklet, ToMixWorklet, WorkletMix } from './protocol';
import { isShared, type SourceChannel } from './shared-source';
import { type HeldSource, holdSource, sourceBlock } from './strip-source';

declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;
declare const sampleRate: number;
declare const currentFrame: number;

const QUANTUM = 128;
/** Frames between two reports of the strips' peaks (about 21 ms at 48 kHz). */
const METER_FRAMES = 1024;

class MixProcessor extends AudioWorkletProcessor {
  /** By track: the shared source itself (at the context's rate) or the converted copy made for it. */
  private readonly sources = new Map<string, SourceChannel[]>();
  private mix: WorkletMix | null = null;
  private mixer: Mixer | null = null;
  private trackIds: string[] = [];
  /** Per strip: its source and clip, or null with nothing to play; and its reusable block. */
  private held: Array<HeldSource | null> = [];
  private slots: StripBlock[] = [];
  private blocks: Array<StripBlock | null> = [];
  private playing = false;
  private startFrame = 0;
  private songFrame = 0;
  private metered = 0;

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent<ToMixWorklet>) => this.receive(event.data);
  }

  private receive(message: ToMixWorklet): void {
    switch (message.type) {
      case 'source':
        this.sources.set(message.trackId, message.channels);
        this.place();
        return;
      case 'forget':
        for (const trackId of message.trackIds) this.sources.delete(trackId);
        this.place();
        return;
      case 'clear':
        this.sources.clear();
        this.place();
        return;
      case 'mix': {
        this.mix = message.mix;
        const input = { ...message.mix, sampleRate };
        if (this.mixer) this.mixer.update(input);
        else this.mixer = new Mixer(input, QUANTUM, true);
        this.place();
        return;
      }
      case 'play':
        // A start (or a seek) begins as an export does: every filter, envelope and tail at rest.
        this.mixer?.reset();
        this.startFrame = message.atFrame;
        this.songFrame = message.songFrame;
        this.metered = 0;
        this.playing = true;
        return;
      case 'stop':
        this.playing = false;
        return;
      case 'ping':
        this.post({ type: 'pong', id: message.id });
        return;
      case 'handBack': {
        // The preview moves to a new context: the copies made for this one go back, transferred, so
        // they need not be made again; shared sources the desk has already. Nothing is held after.
        const sources: { trackId: string; channels: SourceChannel[] }[] = [];
        for (const [trackId, channels] of this.sources)
          if (!channels.some(isShared)) sources.push({ trackId, channels });
        this.sources.clear();
        this.playing = false;
        this.place();
        this.post(
          { type: 'handedBack', sources },
          sources.flatMap((s) => s.channels.map((c) => c.buffer as ArrayBuffer)),
        );
        return;
      }
    }
  }

  private post(message: FromMixWorklet, transfer: Transferable[] = []): void {
    this.port.postMessage(message, transfer);
  }

  /** Where each strip's clip sits on its source (after a new source, or a moved, trimmed clip). */
  private place(): void {
    if (!this.mixer || !this.mix) return;
    this.trackIds = this.mixer.trackIds;
    const tracks = new Map(this.mix.tracks.map((t) => [t.id, t]));
    this.held = this.trackIds.map((id) => {
      const channels = this.sources.get(id);
      const track = tracks.get(id);
      if (!channels || !track) return null;
      return holdSource(channels, clipSpan(track, channels[0]?.length ?? 0, sampleRate), QUANTUM);
    });
    while (this.slots.length < this.held.length)
      this.slots.push({ channels: [], start: 0, n: 0, at: 0, clipFrame: 0, fades: NO_FADES });
    // A slot keeps the channels of the last block it carried: a forgotten source must not stay
    // reachable through it (the next block played fills it again).
    for (const slot of this.slots) slot.channels = [];
    this.blocks = this.held.map(() => null);
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0] ?? [];
    const left = out[0];
    const right = out[1];
    const mixer = this.mixer;
    if (!this.playing || !mixer || !left || !right) return true;
    // The song may start inside this quantum: silence before, the mix from there on.
    const lead = Math.max(0, this.startFrame - currentFrame);
    if (lead >= left.length) return true;
    const frames = Math.min(QUANTUM, left.length - lead);
    const position = this.songFrame + currentFrame + lead - this.startFrame;
    for (let i = 0; i < this.held.length; i++) {
      const held = this.held[i];
      this.blocks[i] = held ? sourceBlock(this.slots[i] as StripBlock, held, position, frames) : null;
    }
    const [l, r] = mixer.process(this.blocks, frames);
    left.set(l.subarray(0, frames), lead);
    right.set(r.subarray(0, frames), lead);
    this.metered += frames;
    if (this.metered >= METER_FRAMES) {
      const peaks = mixer.peaks().slice();
      mixer.clearPeaks();
      this.metered = 0;
      this.post({ type: 'peaks', trackIds: this.trackIds, peaks }, [peaks.buffer]);
    }
    return true;
  }
}

const NO_FADES = {
  lengthFrames: 0,
  inFrames: 0,
  outFrames: 0,
  inCurve: 'linear',
  outCurve: 'linear',
} as const;

registerProcessor('siberia-mix', MixProcessor);
