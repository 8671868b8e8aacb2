// Summaries of repeated measurements: every figure is the median of several runs, with the
// spread (min–max) shown so a noisy figure is visible as such.

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function summarise(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error("summarise: no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: samples.length };
}

/** A single deterministic value (a bundle size): one run, no spread. */
export function exact(value: number): Summary {
  return { median: value, min: value, max: value, runs: 1 };
}

/** Linear interpolation between the closest ranks; `sorted` must be ascending. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error("quantile: no samples");
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low]!;
  const b = sorted[high]!;
  return a + (b - a) * (position - low);
}

export function percentile(samples: readonly number[], q: number): number {
  return quantile(
    [...samples].sort((a, b) => a - b),
    q,
  );
}

/** a[i] ÷ b[i]: each run's ratio, both sides measured back to back in that run. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`pairedRatios: ${a.length} runs against ${b.length}`);
  return a.map((value, i) => value / b[i]!);
}

/**
 * How many runs' ratios fell below, at and above 1: a ratio is firm when all fall on one side.
 * A run at exactly 1 is on neither side, and said apart.
 */
function sidesOfOne(ratios: readonly number[]): { below: number; at: number; above: number; runs: number } {
  const below = ratios.filter((r) => r < 1).length;
  const above = ratios.filter((r) => r > 1).length;
  return { below, at: ratios.length - below - above, above, runs: ratios.length };
}

/** "5/5 runs < 1", or "3 of 5 runs < 1, 2 > 1" (", 1 at 1" too) when they disagree. */
export function describeSides(ratios: readonly number[]): string {
  const { below, at, above, runs } = sidesOfOne(ratios);
  if (below === runs) return `${runs}/${runs} runs < 1`;
  if (above === runs) return `${runs}/${runs} runs > 1`;
  if (at === runs) return `${runs}/${runs} runs at 1`;
  return `${below} of ${runs} runs < 1, ${above} > 1${at ? `, ${at} at 1` : ""}`;
}
