import { useEffect } from 'react';

/** Calls `refresh` now and every `intervalMs` while the page is visible. */
export function usePolling(refresh: () => Promise<void>, intervalMs: number): void {
  useEffect(() => {
    void refresh();
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, intervalMs);
    return () => window.clearInterval(timer);
  }, [refresh, intervalMs]);
}
