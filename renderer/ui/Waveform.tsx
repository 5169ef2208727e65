import { useEffect, useRef } from 'react';
import type { TrackAudio } from '../app/audio-session';

/**
 * The track's waveform from the peaks computed once at import. The canvas is sized in device pixels
 * (devicePixelRatio) so it stays crisp on HiDPI screens, and redrawn only when its size changes.
 */
export function Waveform(props: {
  audio: TrackAudio;
  offset: number;
  duration: number;
  label: string;
  muted: boolean;
  /** The track's colour (a #rrggbb). */
  colour: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { audio, offset, duration, muted, colour } = props;

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
      const total = Math.max(duration, 1e-6);
      const x0 = (offset / total) * width;
      const span = (audio.duration / total) * width;
      const { min, max } = audio.peaks;
      const mid = height / 2;
      g.fillStyle = muted ? 'rgba(140, 150, 170, 0.35)' : colour;
      const columns = Math.max(1, Math.floor(span));
      for (let x = 0; x < columns; x++) {
        const from = Math.floor((x / columns) * min.length);
        const to = Math.max(from + 1, Math.floor(((x + 1) / columns) * min.length));
        let lo = 0;
        let hi = 0;
        for (let i = from; i < to; i++) {
          lo = Math.min(lo, min[i] as number);
          hi = Math.max(hi, max[i] as number);
        }
        const top = mid - hi * mid * 0.95;
        const bottom = mid - lo * mid * 0.95;
        g.fillRect(Math.floor(x0 + x), top, 1, Math.max(ratio, bottom - top));
      }
    };
    draw();
    const observer = new ResizeObserver(draw);
    observer.observe(el);
    return () => observer.disconnect();
  }, [audio, offset, duration, muted, colour]);

  return <canvas ref={canvas} className="waveform" role="img" aria-label={props.label} />;
}
