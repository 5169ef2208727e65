import type { ProjectFile } from '../../contracts/project';
import { planarMixSourceSteps } from '../../engine/mix/planar-render';
import { clipBounds } from '../state/clip-edit';
import type { FromMixWorklet, ToMixWorklet, WorkletMix } from './protocol';
import { isShared, postable, type SharedSource, type SourceChannel, sourceSeconds } from './shared-source';

/** Reports of the strips' peaks kept for a meter's read (4 × ~21 ms: longer than a dropped frame). */
const METER_REPORTS = 4;
/** Lead time of a start: the worklet hears of it before the context's clock gets there. */
const START_LEAD_SEC = 0.02;

/**
 * The live preview: the engine's own Mixer (gain, pan, EQ, compressor, clip fades, the reverb send
 * and bus, the master gain) running in an AudioWorklet (mix.worklet.ts) on 128-frame blocks, so what
 * is heard is what the export writes. Web Audio keeps the clock (when the song starts, where the
 * playhead is) and the way out: worklet → `output` (the meter tap, then the speakers). The desk's
 * changes reach the worklet as port messages and glide there over ~15 ms, so controls never click.
 */
export class PreviewGraph {
  readonly context: BaseAudioContext;
  private node: AudioWorkletNode | null = null;
  /** Settles once the worklet is loaded and running (or failed to: the desk then plays silence). */
  private readonly ready: Promise<void>;
  /** The desk's sources by track (shared with the worklet): their lengths make the song's. */
  private readonly sources = new Map<string, SharedSource>();
  private project: ProjectFile | null = null;
  private readonly meters = new Map<string, Float32Array>();
  private meterReports = 0;
  private playing = false;
  /** Context time at which position 0 of the song would have played. */
  private origin = 0;
  private pausedAt = 0;
  private endTimer: ReturnType<typeof setTimeout> | null = null;
  private pings = 0;
  private readonly pongs = new Map<number, () => void>();
  /** Sources on their way to the worklet (being converted to the context's rate). */
  private readonly pending = new Set<Promise<void>>();
  /** By track: the source the worklet was sent (itself, or the copy made of it). */
  private readonly inWorklet = new Map<string, SharedSource>();
  /** Copies a previous preview's worklet made and handed back: sent instead of converting again. */
  private readonly adopted = new Map<string, { source: SharedSource; channels: SourceChannel[] }>();
  private handedBack: ((sources: { trackId: string; channels: SourceChannel[] }[]) => void) | null = null;
  onEnded: (() => void) | null = null;

  /** An AudioContext for the desk; an OfflineAudioContext renders the same worklet for tests. */
  constructor(context: BaseAudioContext, output: AudioNode, workletUrl: string) {
    this.context = context;
    this.ready = this.attach(output, workletUrl);
    // Play awaits it and says why it cannot start; nobody else need hear of a failed load.
    this.ready.catch(() => undefined);
  }

  private async attach(output: AudioNode, url: string): Promise<void> {
    await this.context.audioWorklet.addModule(url);
    const node = new AudioWorkletNode(this.context, 'siberia-mix', {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [2],
    });
    node.port.onmessage = (event: MessageEvent<FromMixWorklet>) => this.receive(event.data);
    node.connect(output);
    this.node = node;
    for (const [id, source] of this.sources) this.sendSource(id, source);
    if (this.project) this.post({ type: 'mix', mix: workletMix(this.project) });
  }

  /** Resolves once every source is in the worklet and it has taken every message sent before. */
  async settled(): Promise<void> {
    await this.ready;
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    const id = ++this.pings;
    await new Promise<void>((resolve) => {
      this.pongs.set(id, resolve);
      this.post({ type: 'ping', id });
    });
  }

  private receive(message: FromMixWorklet): void {
    if (message.type === 'handedBack') {
      this.handedBack?.(message.sources);
      return;
    }
    if (message.type === 'pong') {
      this.pongs.get(message.id)?.();
      this.pongs.delete(message.id);
      return;
    }
    if (!this.playing) return;
    const slot = this.meterReports++ % METER_REPORTS;
    message.trackIds.forEach((id, i) => {
      let history = this.meters.get(id);
      if (!history) {
        history = new Float32Array(2 * METER_REPORTS);
        this.meters.set(id, history);
      }
      history[2 * slot] = message.peaks[2 * i] as number;
      history[2 * slot + 1] = message.peaks[2 * i + 1] as number;
    });
  }

  private post(message: ToMixWorklet, transfer: Transferable[] = []): void {
    this.node?.port.postMessage(message, transfer);
  }

  setSource(trackId: string, source: SharedSource): void {
    this.sources.set(trackId, source);
    this.sendSource(trackId, source);
  }

  /**
   * The source goes to the worklet once per decode, as the mix hears it (stereo at most, at the
   * context's rate). Already so, the worklet reads the shared source itself (no copy); else the
   * converted copy (resampled, downmixed) is unavoidable and is the source's only other one. A
   * source to convert is converted a chunk per task, so the desk never stalls on it.
   */
  private sendSource(trackId: string, source: SharedSource): void {
    if (!this.node) return;
    const converting = this.convert(trackId, source);
    this.pending.add(converting);
    const done = () => {
      this.pending.delete(converting);
    };
    void converting.then(done, done);
  }

  private async convert(trackId: string, source: SharedSource): Promise<void> {
    if (this.sendAdopted(trackId, source)) return;
    const steps = planarMixSourceSteps(source, this.context.sampleRate);
    let step = steps.next();
    while (!step.done) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      // Replaced or forgotten meanwhile (a new decode for the track): this one is stale.
      if (this.sources.get(trackId) !== source) return;
      if (this.sendAdopted(trackId, source)) return;
      step = steps.next();
    }
    this.adopted.delete(trackId);
    if (this.sources.get(trackId) !== source) return;
    this.inWorklet.set(trackId, source);
    const heard = step.value;
    if (heard === source.channels) {
      // The source itself: shared, the worklet reads the desk's memory; not isolated (no shared
      // memory at all), it gets a copy of its own, transferred.
      const { channels, transfer } = postable(heard);
      this.post({ type: 'source', trackId, channels }, transfer);
      return;
    }
    // The converted copy (fresh float memory) is the worklet's alone: transferred, the desk keeps none.
    const channels = [...heard];
    this.post(
      { type: 'source', trackId, channels },
      channels.map((c) => c.buffer as ArrayBuffer),
    );
  }

  /** The copy a previous worklet made of this source, if it came back: sent (transferred) instead. */
  private sendAdopted(trackId: string, source: SharedSource): boolean {
    const copy = this.adopted.get(trackId);
    if (copy?.source !== source) return false;
    this.adopted.delete(trackId);
    this.inWorklet.set(trackId, source);
    this.post({ type: 'source', trackId, channels: copy.channels }, transferOf(copy.channels));
    return true;
  }

  /**
   * The copy of `source` a previous preview's worklet made (see handBack), for the conversion under
   * way here to send instead of finishing. Too late (already sent) or stale, it is dropped.
   */
  adopt(trackId: string, source: SharedSource, channels: SourceChannel[]): void {
    if (this.sources.get(trackId) === source && !this.inWorklet.has(trackId))
      this.adopted.set(trackId, { source, channels });
  }

  /**
   * The worklet's own copies (converted, or not shared) of the sources still held, transferred back
   * to be adopted by the next preview; the worklet holds nothing after. Settles with none if the
   * worklet does not answer within a second (or never loaded).
   */
  handBack(): Promise<{ trackId: string; source: SharedSource; channels: SourceChannel[] }[]> {
    if (!this.node) return Promise.resolve([]);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done([]), 1000);
      const done = (sources: { trackId: string; channels: SourceChannel[] }[]) => {
        clearTimeout(timer);
        this.handedBack = null;
        const copies = [];
        for (const { trackId, channels } of sources) {
          const source = this.inWorklet.get(trackId);
          if (source && this.sources.get(trackId) === source) copies.push({ trackId, source, channels });
        }
        resolve(copies);
      };
      this.handedBack = done;
      this.post({ type: 'handBack' });
    });
  }

  /** Let go of these tracks' sources (deleted for good): the worklet drops them too. */
  forget(trackIds: readonly string[]): void {
    for (const id of trackIds) {
      this.sources.delete(id);
      this.inWorklet.delete(id);
      this.adopted.delete(id);
    }
    if (trackIds.length > 0) this.post({ type: 'forget', trackIds: [...trackIds] });
  }

  /** Forgets every track's audio (another project is opened); playback should be stopped first. */
  clear(): void {
    this.sources.clear();
    this.inWorklet.clear();
    this.adopted.clear();
    this.post({ type: 'clear' });
  }

  /** Follows the project: the worklet's mixer takes the new settings and glides to them. */
  sync(project: ProjectFile): void {
    this.project = project;
    this.post({ type: 'mix', mix: workletMix(project) });
    // A clip moved or trimmed while playing is heard at once; the song's end may have moved.
    if (this.playing) this.scheduleEnd(this.position());
  }

  /**
   * The track's peaks (linear, post-fader and pan) over the last ~85 ms: read once a frame, the
   * window overlaps the previous read, so no peak slips between two frames.
   */
  peaks(trackId: string): { left: number; right: number } | null {
    if (!this.project?.tracks.some((t) => t.id === trackId)) return null;
    const history = this.meters.get(trackId);
    let left = 0;
    let right = 0;
    if (history)
      for (let k = 0; k < METER_REPORTS; k++) {
        left = Math.max(left, history[2 * k] as number);
        right = Math.max(right, history[2 * k + 1] as number);
      }
    return { left, right };
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  /** Song length in seconds: the longest track with its offset. */
  duration(): number {
    let end = 0;
    for (const track of this.project?.tracks ?? []) {
      const source = this.sources.get(track.id);
      if (source) end = Math.max(end, clipBounds(track, sourceSeconds(source)).end);
    }
    return end;
  }

  position(): number {
    if (!this.playing) return this.pausedAt;
    return Math.min(this.duration(), Math.max(0, this.context.currentTime - this.origin));
  }

  async play(): Promise<void> {
    if (this.context instanceof AudioContext && this.context.state !== 'running') await this.context.resume();
    await this.ready;
    if (this.pausedAt >= this.duration()) this.pausedAt = 0;
    this.playing = true;
    this.start(this.pausedAt);
  }

  pause(): void {
    if (!this.playing) return;
    this.pausedAt = this.position();
    this.halt();
  }

  stop(): void {
    this.pausedAt = 0;
    this.halt();
  }

  seek(seconds: number): void {
    const at = Math.max(0, Math.min(this.duration(), seconds));
    this.pausedAt = at;
    if (this.playing) this.start(at);
  }

  /** Silent and detached; the sources let go of here too (a conversion under way stops). */
  dispose(): void {
    this.stop();
    this.sources.clear();
    this.inWorklet.clear();
    this.adopted.clear();
    this.node?.disconnect();
    this.node?.port.close();
    this.node = null;
  }

  /** Song second `at` plays a moment from now, on the context's clock, to the frame. */
  private start(at: number): void {
    const rate = this.context.sampleRate;
    const when = this.context.currentTime + START_LEAD_SEC;
    const atFrame = Math.round(when * rate);
    const songFrame = Math.round(at * rate);
    this.origin = atFrame / rate - songFrame / rate;
    this.post({ type: 'play', atFrame, songFrame });
    this.scheduleEnd(at);
  }

  private scheduleEnd(at: number): void {
    if (this.endTimer !== null) clearTimeout(this.endTimer);
    const remaining = this.duration() - at;
    this.endTimer = setTimeout(
      () => {
        if (this.playing && this.position() >= this.duration() - 0.05) {
          this.stop();
          this.onEnded?.();
        }
      },
      Math.max(0, remaining * 1000 + 60),
    );
  }

  /** Silence from the worklet, and meters that fall to it at once. */
  private halt(): void {
    this.playing = false;
    if (this.endTimer !== null) clearTimeout(this.endTimer);
    this.endTimer = null;
    this.post({ type: 'stop' });
    this.meters.clear();
  }
}

const transferOf = (channels: readonly SourceChannel[]) =>
  channels.filter((c) => !isShared(c)).map((c) => c.buffer as ArrayBuffer);

function workletMix(project: ProjectFile): WorkletMix {
  return { tracks: project.tracks, master: { gainDb: project.master.gainDb }, reverb: project.reverb };
}
