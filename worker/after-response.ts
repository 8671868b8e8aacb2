// Work that must not delay the answer: settling a key's limits, the usage record, the trace.
// It runs once the request's log line is written (the answer has been delivered, or the client
// has gone), kept alive in a Worker with ctx.waitUntil. A failure there cannot reach the client
// or the request's line any more: it gets a line of its own (no `status`: not a request's line).
import { redactSecrets } from "../src/core.ts";
import type { AppContext } from "./context.ts";

/**
 * Runs `task` once the request's line is written. Should it fail, it is tried again after each of
 * `retryWaitsMs` (a task that may be tried twice: one whose failure may come after it was applied
 * must be idempotent), and only its last failure is logged.
 */
export function afterResponse(
  c: AppContext,
  what: string,
  task: () => Promise<unknown>,
  retryWaitsMs: readonly number[] = [],
): void {
  const { line, done } = c.get("log");
  const work = done
    .then(() => retried(task, retryWaitsMs))
    .catch((error: unknown) => {
      const message = redactSecrets(error instanceof Error ? error.message : String(error), c.get("state").secrets);
      console.error(
        JSON.stringify({ time: new Date().toISOString(), request_id: line.request_id, failed: what, error: message }),
      );
    });
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // Not a Worker (Node, Deno, Bun): the process lives on by itself.
  }
}

async function retried(task: () => Promise<unknown>, waitsMs: readonly number[]): Promise<unknown> {
  for (const wait of waitsMs) {
    try {
      return await task();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  return task();
}
