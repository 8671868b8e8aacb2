// Bun entry: `bun main.ts <emulatorUrl> <statsUrl>`. Bun runs the TypeScript sources as they are.
import { createBedrock } from "../../../src/index.ts";
import { runScenario } from "../scenario.ts";

declare const Bun: { argv: string[] };

const [emulatorUrl = "", statsUrl = ""] = Bun.argv.slice(2);
console.log(JSON.stringify(await runScenario(createBedrock, { emulatorUrl, statsUrl })));
