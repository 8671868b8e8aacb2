// The Worker in workerd with the demo models, as `npm start` configures them, and each demo chat
// model's echo twin.
import { demoModels } from "../../../scripts/dev-env.ts";
import type { ModelEntry } from "../../../src/index.ts";
import { startWorkerdProxy, TEST_KEYS, type WorkerdProxy } from "../harness.ts";
import { DEMO_MODELS } from "./matrix.ts";

export const API_KEY = TEST_KEYS[0];

/**
 * The name of a demo model's echo twin: the same route and settings on an emulated model with
 * the `echo` option instead of `tool`, which answers the last user message. A JSON mode's answer
 * is what the prompt asks for, so only a model that says what it is told can be checked there.
 */
export function echoTwin(name: string): string {
  return `${name}-echo`;
}

function echoEntries(): Record<string, ModelEntry> {
  const demo = demoModels();
  const twins: Record<string, ModelEntry> = {};
  for (const name of Object.keys(DEMO_MODELS)) {
    const entry = demo[name];
    const model = typeof entry === "string" ? entry : entry?.model;
    // The emulator's options end the model id: `.tool` on imports, `+tool` on Converse ids. A
    // demo chat model is one model (no deployments).
    if (entry === undefined || model === undefined || !/[.+]tool$/.test(model)) {
      throw new Error(`${name}: no emulator model with the tool option to twin`);
    }
    const echo = model.replace(/tool$/, "echo");
    if (typeof entry === "string") twins[echoTwin(name)] = echo;
    else if (entry.deployments === undefined) twins[echoTwin(name)] = { ...entry, model: echo };
    else throw new Error(`${name}: a demo chat model with deployments`);
  }
  return twins;
}

export function startDemoProxy(): Promise<WorkerdProxy> {
  return startWorkerdProxy({ main: { MODELS: JSON.stringify({ ...demoModels(), ...echoEntries() }) } });
}
