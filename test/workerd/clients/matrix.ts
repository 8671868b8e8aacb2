// The client matrix: which demo model (scripts/dev-env.ts, what `npm start` serves) can serve
// which client call, and why the other pairs are left out. Every suite in this folder runs its
// client against every model this table allows.
import { demoModels } from "../../../scripts/dev-env.ts";
import { startWorkerdProxy, TEST_KEYS, type WorkerdProxy } from "../harness.ts";

/** What a client call needs from the model behind it. */
export type Need =
  /** Text in, text out (plain and streamed): every model. */
  | "text"
  /** Calls a tool it is offered, and answers from the tool's result. */
  | "tools"
  /** Calls a tool when the request forces one (tool_choice "required" or a named function). */
  | "forced-tools"
  /** Answers JSON that fits a response_format json_schema. */
  | "structured";

interface DemoModel {
  /** The emulator format behind the name, as its answers spell it. */
  format: string;
  can: readonly Need[];
}

/**
 * demo-deepseek-r1, demo-llama and demo-qwen2 answer with text only: their emulated models have
 * no `tool` option (scripts/dev-env.ts), so nothing there would ever call a tool. demo-qwen3 and
 * demo-openai call the tools they are offered.
 */
export const DEMO_MODELS: Readonly<Record<string, DemoModel>> = {
  "demo-deepseek-r1": { format: "r1", can: ["text"] },
  "demo-llama": { format: "llama", can: ["text"] },
  "demo-qwen3": { format: "qwen3", can: ["text", "tools"] },
  "demo-qwen2": { format: "qwen2", can: ["text"] },
  "demo-openai": { format: "openai", can: ["text", "tools", "forced-tools"] },
};

/** The demo models that can serve a call with this need. */
export function modelsFor(need: Need): string[] {
  return Object.entries(DEMO_MODELS)
    .filter(([, model]) => model.can.includes(need))
    .map(([name]) => name);
}

/** The emulator's answer to a plain prompt, on this demo model. */
export function greetingOf(name: string): RegExp {
  return new RegExp(`Hello from the Bedrock emulator \\(${DEMO_MODELS[name]?.format}\\)`);
}

/** What the emulated model answers once it has a tool's result. */
export const AFTER_TOOL = /the tool answered/;

export const API_KEY = TEST_KEYS[0];

/** The Worker in workerd with the demo models, as `npm start` configures them. */
export function startDemoProxy(): Promise<WorkerdProxy> {
  return startWorkerdProxy({ main: { MODELS: JSON.stringify(demoModels()) } });
}
