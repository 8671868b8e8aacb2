// Bun (from npm's `bun` package): the scenario run from the TypeScript sources.
import { afterAll, beforeAll, describe, it } from "vitest";
import { localBin, runForReport } from "../child-process.ts";
import { startRuntimeEmulator, type RuntimeEmulator } from "../emulator-server.ts";
import { expectScenarioPassed } from "../expectations.ts";
import type { ScenarioReport } from "../scenario.ts";

describe("Bun", () => {
  let served: RuntimeEmulator;
  beforeAll(async () => {
    served = await startRuntimeEmulator();
  });
  afterAll(() => served?.close());

  it("passes the runtime scenario", async () => {
    const { report } = await runForReport<ScenarioReport>(localBin("bun"), [
      "test/runtimes/bun/main.ts",
      served.url,
      served.statsUrl,
    ]);
    expectScenarioPassed("Bun", report);
  });
});
