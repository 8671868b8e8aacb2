// One row of the results table: our value, the reference measured in the same run, their
// ratio, the goal and whether it is met. `pass: null` marks a figure shown for information.
import type { Summary } from "./stats.ts";

export type Unit = "KiB" | "MB/s" | "tokens/s" | "ms" | "ms/MB" | "sig/s" | "req/s" | "MiB" | "x" | "%";

export interface Figure {
  /** Stable key for results.json, e.g. "size.library.main". */
  id: string;
  name: string;
  unit: Unit;
  ours: Summary;
  reference?: { label: string; value: Summary };
  /**
   * How ours relates to the reference, as the goal states it (see `ratioLabel`): the median of
   * per-run comparisons, each run measuring both sides back to back, so load that drifts during
   * the benchmark cancels out. It can differ slightly from the ratio of the two medians.
   */
  ratio?: number;
  ratioLabel?: string;
  goal: string;
  pass: boolean | null;
  note?: string;
}

export interface SuiteResult {
  suite: string;
  figures: Figure[];
  /** Extra lines printed under the table (bundle contributors, profiles, caveats). */
  details: string[];
  seconds: number;
}
