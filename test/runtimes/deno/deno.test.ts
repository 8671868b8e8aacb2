// Deno (from npm's `deno` package): the scenario run from the TypeScript sources, network
// limited to loopback; and deno.json proven JSR-ready, offline (npm packages come from
// node_modules, never from a registry).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localBin, runCommand, runForReport } from "../child-process.ts";
import { startRuntimeEmulator, type RuntimeEmulator } from "../emulator-server.ts";
import { expectScenarioPassed } from "../expectations.ts";
import type { ScenarioReport } from "../scenario.ts";

const deno = localBin("deno");
const PUBLISH_TIMEOUT_MS = 120_000;

describe("Deno", () => {
  let served: RuntimeEmulator;
  beforeAll(async () => {
    served = await startRuntimeEmulator();
  });
  afterAll(() => served?.close());

  it.concurrent("passes the runtime scenario", async () => {
    const { report } = await runForReport<ScenarioReport>(deno, [
      "run",
      "--node-modules-dir=manual",
      "--no-lock",
      "--allow-net=127.0.0.1",
      "test/runtimes/deno/main.ts",
      served.url,
      served.statsUrl,
    ]);
    expectScenarioPassed("Deno", report);
  });

  it.concurrent("imports every deno.json export by the package's name", async () => {
    const script = `
      import { createBedrock } from "@bedrock-edge/bedrock-edge";
      import { createApp } from "@bedrock-edge/bedrock-edge/worker";
      import { createEmulator } from "@bedrock-edge/bedrock-edge/emulator";
      console.log(JSON.stringify([typeof createBedrock, typeof createApp, typeof createEmulator]));
    `;
    const { report } = await runForReport<string[]>(deno, [
      "eval",
      "--node-modules-dir=manual",
      "--no-lock",
      "--ext=ts",
      script,
    ]);
    expect(report).toEqual(["function", "function", "function"]);
  });

  // Type-checks every export under Deno's own libs and rejects "slow types" in the public API,
  // as JSR does on publish. Nothing is uploaded and no registry is asked.
  // About 9 s of CPU beside the two other Deno processes: 81 s of wall time at a load of 10 on
  // 2 cores. The test waits a little longer than the command, so that a timeout shows its output.
  it.concurrent(
    "passes deno publish --dry-run",
    async () => {
      const { stdout, stderr } = await runCommand(deno, ["publish", "--dry-run", "--allow-dirty"], {
        timeoutMs: PUBLISH_TIMEOUT_MS,
      });
      expect(stdout + stderr).toContain("Dry run complete");
    },
    PUBLISH_TIMEOUT_MS + 10_000,
  );
});
