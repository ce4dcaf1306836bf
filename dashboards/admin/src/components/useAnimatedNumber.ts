import { useEffect, useRef, useState } from 'react';

export function prefersReducedMotion(): boolean {
  return window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}

/** Counts from the previous value to `target` (ease-out, 700 ms); jumps when motion is reduced. */
export function useAnimatedNumber(target: number, durationMs = 700): number {
  const [shown, setShown] = useState(prefersReducedMotion() ? target : 0);
  const from = useRef(shown);

  useEffect(() => {
    if (prefersReducedMotion()) {
      setShown(target);
      from.current = target;
      return;
    }
    const start = performance.now();
    const origin = from.current;
    let frame = 0;
    const step = (now: number) => {
      const progress = Math.min(1, (now - start) / durationMs);
      const eased = 1 - (1 - progress) ** 3;
      const value = Math.round(origin + (target - origin) * eased);
      setShown(value);
      from.current = value;
      if (progress < 1) frame = requestAnimationFrame(step);
    };
    frame = requestAnimationFrame(step);
    return () => cancelAnimationFrame(frame);
  }, [target, durationMs]);

  return shown;
}
