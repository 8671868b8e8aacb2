// The side-by-side table of npm run bench: a row per figure that names a peer cell, and nothing at
// all for a run whose suites have no peer (--only=cpu printed a header with no rows).
import { describe, expect, it } from "vitest";
import type { Figure } from "../bench/lib/figure.ts";
import { renderPeerTable } from "../bench/lib/peer-table.ts";
import { exact } from "../bench/lib/stats.ts";

const information: Figure = {
  id: "cpu.plain.ours",
  name: "CPU ms per plain request",
  unit: "ms",
  ours: exact(1.58),
  goal: "(information)",
  pass: null,
};

describe("the side-by-side table", () => {
  it("is empty when no figure names a peer", () => {
    expect(renderPeerTable([information])).toEqual([]);
    expect(renderPeerTable([])).toEqual([]);
  });

  it("has a header, its rule and a row per figure with a peer, only the used peers' columns", () => {
    const portkey: Figure = {
      ...information,
      id: "proxy.workerd.plain",
      reference: { label: "Portkey", value: exact(2.44) },
      ratio: 0.99,
      ratioRuns: [0.9, 0.98, 0.99, 1.02, 1.05],
      peer: { row: "proxy in workerd, added p50, plain, ms", peer: "portkey" },
    };
    const lines = renderPeerTable([information, portkey]);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe("| figure | bedrock-edge | Portkey gateway 1.15 |");
    expect(lines[2]).toBe("| proxy in workerd, added p50, plain, ms | 1.58 | 2.44 (0.99×, 3 of 5 runs < 1, 2 > 1) |");
  });
});
