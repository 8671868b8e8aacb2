// One row of the results table: our value, the reference measured in the same run, their
// ratio, the goal and whether it is met. `pass: null` marks a figure shown for information.
import type { Summary } from "./stats.ts";

export type Unit =
  | "KiB"
  | "MB/s"
  | "tokens/s"
  | "ms"
  | "µs"
  | "ms/MB"
  | "sig/s"
  | "req/s"
  | "MiB"
  | "x"
  | "%"
  | "M instr"
  | "samples";

/** The peers of the comparison table (issue 15): other clients, another proxy, and the floor. */
export type Peer = "aiSdk" | "awsSdk" | "portkey" | "floor";

export const PEER_LABELS: Record<Peer, string> = {
  aiSdk: "AI SDK (ai + @ai-sdk/amazon-bedrock)",
  awsSdk: "AWS SDK (@aws-sdk/client-bedrock-runtime)",
  portkey: "Portkey gateway 1.15",
  floor: "bare pass-through Worker (floor)",
};

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
  /**
   * Ours ÷ reference in each run, both measured back to back in it: `ratio` is their median,
   * and whether every run fell on the same side of 1 says how firm it is.
   */
  ratioRuns?: number[];
  goal: string;
  pass: boolean | null;
  note?: string;
  /** Where this figure sits in the peer table: its row, and the peer whose column it fills. */
  peer?: { row: string; peer: Peer };
}

export interface SuiteResult {
  suite: string;
  figures: Figure[];
  /** Extra lines printed under the table (bundle contributors, profiles, caveats). */
  details: string[];
  /**
   * What makes this run's figures not comparable as they stand (the instructions suite's counts
   * out of their Workers' order, say): printed with the details and kept in results.json.
   */
  flags?: string[];
  seconds: number;
}
