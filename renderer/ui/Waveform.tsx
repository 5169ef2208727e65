import { useEffect, useRef } from 'react';
import type { TrackAudio } from '../app/audio-session';
import { columnPeaks } from '../audio/peak-pyramid';

/**
 * The clip's waveform from its source's peak pyramid (built once in the engine Worker): the clip
 * plays the source from `from` seconds for `length` seconds, and only its part from `shownFrom` to
 * `shownTo` (clip seconds) is in view, so the canvas covers just that part and each redraw reads one
 * pyramid level's buckets for the pixels it has, whatever the zoom. The canvas is sized in device
 * pixels (devicePixelRatio) so it stays crisp on HiDPI screens, and redrawn when its size changes.
 */
export function Waveform(props: {
  audio: TrackAudio;
  from: number;
  length: number;
  shownFrom: number;
  shownTo: number;
  label: string;
  muted: boolean;
  /** The track's colour (a #rrggbb). */
  colour: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { audio, from, length, shownFrom, shownTo, muted, colour } = props;
  const draw = useRef<() => void>(() => {});
  /** The pixels of the last draw, kept for the next one at the same size. */
  const buffer = useRef<ImageData | null>(null);

  draw.current = () => {
    const el = canvas.current;
    if (!el) return;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(el.clientWidth * ratio));
    const height = Math.max(1, Math.round(el.clientHeight * ratio));
    if (el.width !== width) el.width = width;
    if (el.height !== height) el.height = height;
    const g = el.getContext('2d');
    if (!g) return;
    const pyramid = audio.peaks;
    const framesPerSec = pyramid.frames / Math.max(audio.duration, 1e-9);
    const startFrame = (from + shownFrom) * framesPerSec;
    const framesPerPixel = ((shownTo - shownFrom) * framesPerSec) / width;
    if (!(framesPerPixel > 0)) {
      g.clearRect(0, 0, width, height);
      return;
    }
    const { min, max } = columnPeaks(pyramid, startFrame, framesPerPixel, width);
    // Written as pixels, one column each: a redraw of every strip on each zoom step stays cheap.
    let image = buffer.current;
    if (!image || image.width !== width || image.height !== height) {
      image = g.createImageData(width, height);
      buffer.current = image;
    }
    const pixels = new Uint32Array(image.data.buffer);
    pixels.fill(0);
    const ink = muted ? rgba(140, 150, 170, 0.35) : rgba(...hexRgb(colour), 1);
    const mid = height / 2;
    const least = Math.max(1, Math.round(ratio));
    for (let x = 0; x < width; x++) {
      const top = Math.max(0, Math.floor(mid - (max[x] as number) * mid * 0.95));
      const bottom = Math.min(
        height,
        Math.max(top + least, Math.ceil(mid - (min[x] as number) * mid * 0.95)),
      );
      for (let y = top; y < bottom; y++) pixels[y * width + x] = ink;
    }
    g.putImageData(image, 0, 0);
  };

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const observer = new ResizeObserver(() => draw.current());
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: redrawn when what it shows changes
  useEffect(() => draw.current(), [audio, from, length, shownFrom, shownTo, muted, colour]);

  const shown = length > 0 ? Math.max(0, shownTo - shownFrom) / length : 0;
  return (
    <canvas
      ref={canvas}
      className="waveform"
      role="img"
      aria-label={props.label}
      style={{
        left: `${length > 0 ? (shownFrom / length) * 100 : 0}%`,
        width: `${shown * 100}%`,
        visibility: shown > 0 ? 'visible' : 'hidden',
      }}
    />
  );
}

/**
 * A colour as one ImageData pixel: straight (not premultiplied) RGBA bytes, read as a 32-bit word on
 * a little-endian machine (every desktop the app runs on).
 */
function rgba(r: number, g: number, b: number, a: number): number {
  const alpha = Math.round(a * 255);
  return ((alpha << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

function hexRgb(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return [94, 234, 212];
  return [
    Number.parseInt(m[1] as string, 16),
    Number.parseInt(m[2] as string, 16),
    Number.parseInt(m[3] as string, 16),
  ];
}
