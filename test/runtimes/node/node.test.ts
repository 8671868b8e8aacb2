// Node: the scenario in-process, with Node's own fetch (undici) over a real loopback socket.
import { afterAll, beforeAll, describe, it } from "vitest";
import { createBedrock } from "../../../src/index.ts";
import { startRuntimeEmulator, type RuntimeEmulator } from "../emulator-server.ts";
import { expectScenarioPassed } from "../expectations.ts";
import { runScenario } from "../scenario.ts";

describe("Node", () => {
  let served: RuntimeEmulator;
  beforeAll(async () => {
    served = await startRuntimeEmulator();
  });
  afterAll(() => served?.close());

  it("passes the runtime scenario", async () => {
    const report = await runScenario(createBedrock, { emulatorUrl: served.url, statsUrl: served.statsUrl });
    expectScenarioPassed("Node", report);
  });
});
