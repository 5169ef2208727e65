// AudioWorklet playing the master's A/B (ab-mix.ts) from the views the engine Worker posted: the
// mix and the master in shared memory, read in place, resampled block by block when the context
// runs at another rate. Web Audio only says when to start and carries the sound out.
import { ABMix } from './ab-mix';
import type { FromABWorklet, ToABWorklet } from './protocol';

declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;
declare const sampleRate: number;
declare const currentFrame: number;

class ABProcessor extends AudioWorkletProcessor {
  private mix: ABMix | null = null;
  private startFrame = 0;
  /** Stopped (or ended): the views are let go of and the processor ends. */
  private done = false;

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent<ToABWorklet>) => this.receive(event.data);
  }

  private receive(message: ToABWorklet): void {
    switch (message.type) {
      case 'play':
        this.mix = new ABMix(message.sides, sampleRate, message.side, message.trimsDb);
        this.mix.seek(message.fromFrame);
        this.startFrame = message.atFrame;
        return;
      case 'side':
        this.mix?.setSide(message.side);
        return;
      case 'trims':
        this.mix?.setTrims(message.trimsDb);
        return;
      case 'stop':
        this.mix = null;
        this.done = true;
        return;
    }
  }

  private post(message: FromABWorklet): void {
    this.port.postMessage(message);
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    if (this.done) return false;
    const out = outputs[0] ?? [];
    const mix = this.mix;
    const first = out[0];
    if (!mix || !first) return true;
    // The A/B may start inside this quantum: silence before, the song from there on.
    const lead = Math.max(0, this.startFrame - currentFrame);
    if (lead >= first.length) return true;
    mix.render(out, lead, first.length - lead);
    if (mix.ended) {
      this.post({ type: 'ended' });
      this.mix = null;
      this.done = true;
      return false;
    }
    return true;
  }
}

registerProcessor('siberia-ab', ABProcessor);
