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
