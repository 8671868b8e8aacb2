// Browser entry, bundled to one script for the test page: it exposes the scenario to the page,
// where Playwright calls it. The page and the emulator are on different origins, so every call
// goes through CORS, as it would from a real web app.
import { createBedrock } from "../../../src/index.ts";
import { runScenario, type ScenarioReport, type ScenarioTarget } from "../scenario.ts";

declare global {
  // A global the test calls through page.evaluate().
  var runBedrockScenario: (target: ScenarioTarget) => Promise<ScenarioReport>;
}

globalThis.runBedrockScenario = (target) => runScenario(createBedrock, target);
