// workerd (Miniflare, the Workers runtime itself): the scenario bundled as a Worker would be
// deployed, with the browser/worker conditions and no Node compatibility flag.
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRuntimeEmulator, type RuntimeEmulator } from "../emulator-server.ts";
import { expectScenarioPassed } from "../expectations.ts";
import type { ScenarioReport } from "../scenario.ts";
import { bundleForWeb, unresolvedImports } from "../web-bundle.ts";

describe("workerd (Miniflare)", () => {
  let served: RuntimeEmulator;
  let miniflare: Miniflare | undefined;

  beforeAll(async () => {
    served = await startRuntimeEmulator();
  });
  afterAll(async () => {
    await miniflare?.dispose();
    await served?.close();
  });

  it("passes the runtime scenario", async () => {
    const { code, metafile } = await bundleForWeb("test/runtimes/workerd/worker.ts");
    expect(unresolvedImports(metafile)).toEqual([]);
    miniflare = new Miniflare({
      modules: true,
      script: code,
      compatibilityDate: "2026-04-01",
      bindings: { EMULATOR_URL: served.url, STATS_URL: served.statsUrl },
    });
    const response = await miniflare.dispatchFetch("http://worker.test/");
    expect(response.status).toBe(200);
    expectScenarioPassed("workerd", (await response.json()) as ScenarioReport);
  });
});
