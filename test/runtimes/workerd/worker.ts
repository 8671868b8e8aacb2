// workerd entry: a Worker module whose fetch runs the scenario and answers its report. The
// emulator URLs come in as bindings, as a deployed Worker gets its configuration.
import { createBedrock } from "../../../src/index.ts";
import { runScenario } from "../scenario.ts";

interface Env {
  EMULATOR_URL: string;
  STATS_URL: string;
}

export default {
  async fetch(_request: Request, env: Env): Promise<Response> {
    const report = await runScenario(createBedrock, { emulatorUrl: env.EMULATOR_URL, statsUrl: env.STATS_URL });
    return Response.json(report);
  },
};
