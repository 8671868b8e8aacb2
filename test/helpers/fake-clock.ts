import { onTestFinished, vi } from "vitest";

/**
 * Fakes the timers and the monotonic clock together (setTimeout, clearTimeout, performance.now)
 * and leaves Date alone: for code that times silences on performance.now(), tested without a
 * loaded machine's late timers deciding the result.
 */
export function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
}

/** useFakeClock() for the running test alone: real timers again once it ends. */
export function onFakeClock(): void {
  useFakeClock();
  onTestFinished(() => void vi.useRealTimers());
}

/**
 * Moves the fake clock `ms` in steps of 1 ms, letting promises settle after each, so timers that
 * the steps make due (a source's pause, a watchdog, a keep-alive) run in the order they would.
 */
export async function passMs(ms: number): Promise<void> {
  for (let i = 0; i < ms; i++) await vi.advanceTimersByTimeAsync(1);
}
