// Tasks run a few at a time: a legacy Completions request of many prompts fans out into as many
// upstream calls, more than a Worker can hold open at once (plan.ts, MAX_OPEN_CALLS).

/**
 * `run` over every item, at most `limit` at a time, the results in the items' order. The first
 * failure rejects at once and no further item starts; the caller stops those still running.
 */
export async function mapPooled<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  let failed = false;
  async function worker(): Promise<void> {
    while (!failed && next < items.length) {
      const at = next++;
      try {
        results[at] = await run(items[at]!, at);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
