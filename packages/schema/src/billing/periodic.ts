/**
 * Runs `pass` every `intervalMs`, one pass at a time (a slow pass skips the ticks it overlaps), without
 * keeping the process alive. A failed pass goes to `onError` and does not stop the next one. Returns a
 * function that stops it.
 */
export function runPeriodically(intervalMs: number, pass: () => Promise<unknown>, onError: (error: unknown) => void) {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    pass()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
