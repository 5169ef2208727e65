import { useEffect, useRef } from 'react';
import type { TrackAudio } from '../app/audio-session';

/**
 * The clip's waveform from the peaks computed once at import: the part of the source from `from`
 * seconds, `length` seconds long, over the canvas's width. The canvas is sized in device pixels
 * (devicePixelRatio) so it stays crisp on HiDPI screens, and redrawn only when its size changes.
 */
export function Waveform(props: {
  audio: TrackAudio;
  from: number;
  length: number;
  label: string;
  muted: boolean;
  /** The track's colour (a #rrggbb). */
  colour: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { audio, from, length, muted, colour } = props;

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const draw = () => {
      const ratio = window.devicePixelRatio || 1;
      const width = Math.max(1, Math.round(el.clientWidth * ratio));
      const height = Math.max(1, Math.round(el.clientHeight * ratio));
      if (el.width !== width) el.width = width;
      if (el.height !== height) el.height = height;
      const g = el.getContext('2d');
      if (!g) return;
      g.clearRect(0, 0, width, height);
      const { min, max } = audio.peaks;
      const perSec = min.length / Math.max(audio.duration, 1e-6);
      const first = from * perSec;
      const count = length * perSec;
      const mid = height / 2;
      g.fillStyle = muted ? 'rgba(140, 150, 170, 0.35)' : colour;
      for (let x = 0; x < width; x++) {
        const a = Math.floor(first + (x / width) * count);
        const b = Math.max(a + 1, Math.floor(first + ((x + 1) / width) * count));
        let lo = 0;
        let hi = 0;
        for (let i = a; i < b && i < min.length; i++) {
          lo = Math.min(lo, min[i] as number);
          hi = Math.max(hi, max[i] as number);
        }
        const top = mid - hi * mid * 0.95;
        const bottom = mid - lo * mid * 0.95;
        g.fillRect(x, top, 1, Math.max(ratio, bottom - top));
      }
    };
    draw();
    const observer = new ResizeObserver(draw);
    observer.observe(el);
    return () => observer.disconnect();
  }, [audio, from, length, muted, colour]);

  return <canvas ref={canvas} className="waveform" role="img" aria-label={props.label} />;
}
