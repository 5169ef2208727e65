import type { ProjectFile, Track } from '../../contracts/project';
import { dbToGain } from '../../engine/index';
import { type ClipFades, fadeGain } from '../../engine/dsp/fades';
import { clipSpan } from '../../engine/mix/clip-span';
import { clipBounds } from '../state/clip-edit';
import { anySoloOf, type StripParams, stripParams } from './params';

/** Smoothing of every parameter change: fast enough to feel direct, slow enough not to click. */
const RAMP = 0.015;
/** Samples a strip's meter looks back over (about 85 ms at 48 kHz: longer than a dropped frame). */
const METER_WINDOW = 4096;

function meterTap(c: BaseAudioContext): AnalyserNode {
  const analyser = c.createAnalyser();
  analyser.fftSize = METER_WINDOW;
  analyser.channelCount = 1;
  analyser.channelCountMode = 'explicit';
  return analyser;
}

function peakOf(analyser: AnalyserNode, scratch: Float32Array<ArrayBuffer>): number {
  analyser.getFloatTimeDomainData(scratch);
  let peak = 0;
  for (let i = 0; i < scratch.length; i++) {
    const x = Math.abs(scratch[i] as number);
    if (x > peak) peak = x;
  }
  return peak;
}

type StripNodes = {
  input: GainNode;
  low: BiquadFilterNode;
  mid: BiquadFilterNode;
  high: BiquadFilterNode;
  compressor: DynamicsCompressorNode;
  makeup: GainNode;
  splitter: ChannelSplitterNode;
  panLeft: GainNode;
  panRight: GainNode;
  merger: ChannelMergerNode;
  /** Post-fader, post-pan taps for the strip's peak meter. */
  meterLeft: AnalyserNode;
  meterRight: AnalyserNode;
  source: AudioBufferSourceNode | null;
  /** The clip's fades, scheduled on this gain for each playback. */
  fade: GainNode | null;
  wiredChannels: number;
  /** Where and what the clip plays, as last started: a change while playing restarts the sources. */
  clipKey: string;
};

/** Points per second of a scheduled fade curve: finer than a click, coarser than the samples. */
const FADE_POINTS_PER_SEC = 500;

/**
 * The live preview: per track source → gain → low shelf → peak → high shelf → compressor → makeup →
 * constant-power pan → master gain → meter tap → speakers. The graph is built once per track and
 * only its parameters move while playing (setTargetAtTime), so controls never click.
 */
export class PreviewGraph {
  readonly context: BaseAudioContext;
  readonly master: GainNode;
  private readonly strips = new Map<string, StripNodes>();
  private readonly buffers = new Map<string, AudioBuffer>();
  private project: ProjectFile | null = null;
  private readonly scratch = new Float32Array(new ArrayBuffer(METER_WINDOW * 4));
  private playing = false;
  /** Context time at which position 0 of the song would have played. */
  private origin = 0;
  private pausedAt = 0;
  private endTimer: ReturnType<typeof setTimeout> | null = null;
  onEnded: (() => void) | null = null;

  /** An AudioContext for the desk; an OfflineAudioContext renders the same graph for tests. */
  constructor(context: BaseAudioContext, output: AudioNode) {
    this.context = context;
    this.master = context.createGain();
    this.master.connect(output);
  }

  setBuffer(trackId: string, buffer: AudioBuffer): void {
    this.buffers.set(trackId, buffer);
    if (this.playing) this.restart();
  }

  /** Forgets every track's audio (another project is opened); playback should be stopped first. */
  clearBuffers(): void {
    this.buffers.clear();
  }

  hasBuffer(trackId: string): boolean {
    return this.buffers.has(trackId);
  }

  getBuffer(trackId: string): AudioBuffer | undefined {
    return this.buffers.get(trackId);
  }

  /** Follows the project: creates and removes strips, ramps every parameter to its new value. */
  sync(project: ProjectFile): void {
    this.project = project;
    const anySolo = anySoloOf(project.tracks);
    const live = new Set(project.tracks.map((t) => t.id));
    for (const [id, nodes] of this.strips) {
      if (!live.has(id)) {
        this.disposeStrip(nodes);
        this.strips.delete(id);
      }
    }
    let moved = false;
    for (const track of project.tracks) {
      const nodes = this.strips.get(track.id) ?? this.createStrip(track.id);
      this.apply(nodes, stripParams(track, anySolo));
      const key = JSON.stringify([track.startOffsetSec, track.clip]);
      if (nodes.clipKey !== key) {
        moved = moved || nodes.clipKey !== '';
        nodes.clipKey = key;
      }
    }
    this.ramp(this.master.gain, dbToGain(project.master.gainDb));
    // A clip moved, trimmed or faded while playing: heard at once, from where the playhead is.
    if (moved && this.playing) this.restart();
  }

  /**
   * The track's peaks (linear, post-fader and pan) over the last ~85 ms: read once a frame, the
   * window overlaps the previous read, so no peak slips between two frames.
   */
  peaks(trackId: string): { left: number; right: number } | null {
    const nodes = this.strips.get(trackId);
    if (!nodes) return null;
    return { left: peakOf(nodes.meterLeft, this.scratch), right: peakOf(nodes.meterRight, this.scratch) };
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  /** Song length in seconds: the longest track with its offset. */
  duration(): number {
    let end = 0;
    for (const track of this.project?.tracks ?? []) {
      const buffer = this.buffers.get(track.id);
      if (buffer) end = Math.max(end, clipBounds(track, buffer.duration).end);
    }
    return end;
  }

  position(): number {
    if (!this.playing) return this.pausedAt;
    return Math.min(this.duration(), this.context.currentTime - this.origin);
  }

  async play(): Promise<void> {
    if (this.context instanceof AudioContext && this.context.state !== 'running') await this.context.resume();
    if (this.pausedAt >= this.duration()) this.pausedAt = 0;
    this.playing = true;
    this.startSources(this.pausedAt);
  }

  pause(): void {
    if (!this.playing) return;
    this.pausedAt = this.position();
    this.playing = false;
    this.stopSources();
  }

  stop(): void {
    this.playing = false;
    this.pausedAt = 0;
    this.stopSources();
  }

  seek(seconds: number): void {
    const at = Math.max(0, Math.min(this.duration(), seconds));
    this.pausedAt = at;
    if (this.playing) this.startSources(at);
  }

  dispose(): void {
    this.stop();
    for (const nodes of this.strips.values()) this.disposeStrip(nodes);
    this.strips.clear();
    this.master.disconnect();
  }

  private restart(): void {
    const at = this.position();
    this.startSources(at);
  }

  private ramp(param: AudioParam, value: number): void {
    const now = this.context.currentTime;
    if (Math.abs(param.value - value) < 1e-7) return;
    param.cancelScheduledValues(now);
    param.setValueAtTime(param.value, now);
    param.setTargetAtTime(value, now, RAMP);
  }

  private apply(n: StripNodes, p: StripParams): void {
    this.ramp(n.input.gain, p.gain);
    this.ramp(n.low.frequency, p.low.frequency);
    this.ramp(n.low.gain, p.low.gain);
    this.ramp(n.mid.frequency, p.mid.frequency);
    this.ramp(n.mid.gain, p.mid.gain);
    this.ramp(n.mid.Q, p.mid.Q);
    this.ramp(n.high.frequency, p.high.frequency);
    this.ramp(n.high.gain, p.high.gain);
    this.ramp(n.compressor.threshold, p.compressor.threshold);
    this.ramp(n.compressor.ratio, p.compressor.ratio);
    this.ramp(n.compressor.attack, p.compressor.attack);
    this.ramp(n.compressor.release, p.compressor.release);
    this.ramp(n.makeup.gain, p.compressor.makeup);
    this.ramp(n.panLeft.gain, p.panLeft);
    this.ramp(n.panRight.gain, p.panRight);
  }

  private createStrip(id: string): StripNodes {
    const c = this.context;
    const filter = (type: BiquadFilterType) => {
      const f = c.createBiquadFilter();
      f.type = type;
      return f;
    };
    const nodes: StripNodes = {
      input: c.createGain(),
      low: filter('lowshelf'),
      mid: filter('peaking'),
      high: filter('highshelf'),
      compressor: c.createDynamicsCompressor(),
      makeup: c.createGain(),
      splitter: c.createChannelSplitter(2),
      panLeft: c.createGain(),
      panRight: c.createGain(),
      merger: c.createChannelMerger(2),
      meterLeft: meterTap(c),
      meterRight: meterTap(c),
      source: null,
      fade: null,
      wiredChannels: 0,
      clipKey: '',
    };
    nodes.compressor.knee.value = 0;
    nodes.input.connect(nodes.low).connect(nodes.mid).connect(nodes.high).connect(nodes.compressor);
    nodes.compressor.connect(nodes.makeup).connect(nodes.splitter);
    nodes.panLeft.connect(nodes.merger, 0, 0);
    nodes.panRight.connect(nodes.merger, 0, 1);
    nodes.merger.connect(this.master);
    nodes.panLeft.connect(nodes.meterLeft);
    nodes.panRight.connect(nodes.meterRight);
    this.strips.set(id, nodes);
    return nodes;
  }

  /** A mono source feeds both sides of the pan, as in the engine; stereo keeps left and right. */
  private wire(nodes: StripNodes, channels: number): void {
    if (nodes.wiredChannels === channels) return;
    nodes.splitter.disconnect();
    nodes.splitter.connect(nodes.panLeft, 0);
    nodes.splitter.connect(nodes.panRight, channels >= 2 ? 1 : 0);
    nodes.wiredChannels = channels;
  }

  private startSources(at: number): void {
    this.stopSources();
    const now = this.context.currentTime + 0.02;
    this.origin = now - at;
    for (const track of this.project?.tracks ?? []) this.startTrack(track, at, now);
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

  private startTrack(track: Track, at: number, when: number): void {
    const nodes = this.strips.get(track.id);
    const buffer = this.buffers.get(track.id);
    if (!nodes || !buffer) return;
    // The clip in the buffer's frames, read as the export reads it (clip-span).
    const rate = buffer.sampleRate;
    const span = clipSpan(track, buffer.length, rate);
    const length = span.length / rate;
    const into = at - span.offset / rate;
    if (into >= length) return;
    this.wire(nodes, buffer.numberOfChannels);
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    const fade = this.context.createGain();
    // The splitter keeps the first two channels (discrete), as the engine's render does.
    source.connect(fade).connect(nodes.input);
    const skip = Math.max(0, into);
    // Context time of the clip's second x: when + x − into.
    const at0 = when + Math.max(0, -into);
    source.start(at0, span.trim / rate + skip, length - skip);
    scheduleFades(fade.gain, span.fades, rate, skip, at0);
    nodes.source = source;
    nodes.fade = fade;
  }

  private stopSources(): void {
    if (this.endTimer !== null) clearTimeout(this.endTimer);
    this.endTimer = null;
    for (const nodes of this.strips.values()) {
      if (!nodes.source) continue;
      try {
        nodes.source.stop();
      } catch {
        // Already stopped: nothing to do.
      }
      nodes.source.disconnect();
      nodes.source = null;
      nodes.fade?.disconnect();
      nodes.fade = null;
    }
  }

  private disposeStrip(nodes: StripNodes): void {
    nodes.source?.stop();
    for (const node of [
      nodes.source,
      nodes.input,
      nodes.low,
      nodes.mid,
      nodes.high,
      nodes.compressor,
      nodes.makeup,
      nodes.splitter,
      nodes.panLeft,
      nodes.panRight,
      nodes.merger,
      nodes.meterLeft,
      nodes.meterRight,
    ])
      node?.disconnect();
  }
}

/**
 * The clip's fades as gain curves from clip second `from` (played at context time `at0`) on, with
 * the engine's own fade law. A fade in and a fade out that overlap become one curve.
 */
function scheduleFades(gain: AudioParam, fades: ClipFades, rate: number, from: number, at0: number): void {
  const length = fades.lengthFrames / rate;
  const fadeIn = fades.inFrames / rate;
  const fadeOutStart = length - fades.outFrames / rate;
  gain.setValueAtTime(fadeGain(fades, from * rate), at0);
  const segments: [number, number][] =
    fadeIn > fadeOutStart
      ? [[0, length]]
      : ([
          [0, fadeIn],
          [fadeOutStart, length],
        ] as [number, number][]);
  for (const [a, b] of segments) {
    if (b <= a || b <= from) continue;
    const start = Math.max(a, from);
    const points = Math.max(2, Math.ceil((b - start) * FADE_POINTS_PER_SEC));
    const curve = new Float32Array(points);
    for (let k = 0; k < points; k++)
      curve[k] = fadeGain(fades, (start + ((b - start) * k) / (points - 1)) * rate);
    gain.setValueCurveAtTime(curve, at0 + (start - from), b - start);
  }
}
