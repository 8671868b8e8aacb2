// Deno entry: `deno run --node-modules-dir=manual --allow-net=127.0.0.1 main.ts <emulatorUrl> <statsUrl>`.
// The library comes straight from its TypeScript sources; bare imports resolve from node_modules.
import { createBedrock } from "../../../src/index.ts";
import { runScenario } from "../scenario.ts";

declare const Deno: { args: string[] };

const [emulatorUrl = "", statsUrl = ""] = Deno.args;
console.log(JSON.stringify(await runScenario(createBedrock, { emulatorUrl, statsUrl })));
