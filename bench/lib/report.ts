/// <reference types="node" />
// The child side of lib/child.ts: a child prints one marked JSON line, so stray output (a
// library's console.log) cannot be mistaken for the result.
export const RESULT_PREFIX = "BENCH_RESULT ";

export function report(result: unknown): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/** Collects garbage when the child runs with --expose-gc, so runs start from the same heap. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
}

/** Whole-number command-line argument `name=value`, or the fallback. */
export function numberArg(name: string, fallback: number): number {
  const found = process.argv.find((arg) => arg.startsWith(`${name}=`));
  const value = found === undefined ? fallback : Number(found.slice(name.length + 1));
  if (!Number.isFinite(value)) throw new Error(`bad ${name}: ${found}`);
  return value;
}
