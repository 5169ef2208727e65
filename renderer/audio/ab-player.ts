import { gainOf } from '../state/loudness-match';

export type Side = 'A' | 'B';

/**
 * Plays the original (A) and the master (B) from the same instant. Both run in sync; switching only
 * crossfades the two gains, so the comparison is instant. Each side has a trim (dB) besides: the
 * loudness match turns the louder one down. A player plays once: stop it and make another.
 */
export class ABPlayer {
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
    const when = context.currentTime + 0.02;
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
