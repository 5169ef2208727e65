import { useEffect } from 'react';
import { useController } from './context';

/** Calls `draw(seconds)` every frame while the page is visible; no React render per frame. */
export function usePlayhead(draw: (seconds: number) => void): void {
  const controller = useController();
  useEffect(() => {
    let frame = 0;
    const tick = () => {
      draw(controller.audio.position());
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [controller, draw]);
}
