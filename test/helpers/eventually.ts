/**
 * Polls until `find` returns (or resolves to) something: log lines, stream counters and rows
 * written after an answer arrive asynchronously.
 */
export async function eventually<T>(
  find: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 2000,
  what: string | (() => string) = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
