// A library client wired to an in-process emulator: no sockets, real signatures, real frames.
import { createBedrock, type BedrockOptions, type RouteName as AnyRouteName } from "../../src/index.ts";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { converseModelId } from "../../emulator/converse-model-id.ts";
import { createEmulator, type Emulator, type EmulatorOptions } from "../../emulator/handler.ts";
import { emulatorModelId, type ModelFormat, type ModelIdOption } from "../../emulator/model-id.ts";

/**
 * The converse route's emulator model: a foundation model by its ARN (which carries the region,
 * as an imported model's does), the emulator's options after `+`.
 */
export const CONVERSE_MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0";

/**
 * The emulator's answer format for each route (for converse, the model its answers name): a
 * route without one does not compile.
 */
export const ROUTE_FORMATS = {
  deepseek_r1: "r1",
  llama: "llama",
  qwen3: "qwen3",
  qwen2: "qwen2",
  openai: "openai",
  converse: CONVERSE_MODEL,
} as const satisfies Record<RouteName, ModelFormat | typeof CONVERSE_MODEL>;

/** The chat routes: the embed and image routes answer embeddings and images only (test/embeddings.test.ts, test/images.test.ts). */
export type RouteName = Exclude<AnyRouteName, "embed" | "image">;

/** `bedrock/<route>/<emulator model id with options>`. */
export function model(route: RouteName, ...options: ModelIdOption[]): string {
  if (route === "converse") return `bedrock/converse/${converseModelId(CONVERSE_MODEL, options)}`;
  return `bedrock/${route}/${emulatorModelId(ROUTE_FORMATS[route], options)}`;
}

export function emulated(options: Partial<BedrockOptions> = {}, emulatorOptions: EmulatorOptions = {}) {
  const emulator: Emulator = createEmulator(emulatorOptions);
  const bedrock = createBedrock({
    endpoint: "http://bedrock.emulator",
    credentials: EMULATOR_CREDENTIALS,
    fetch: (input, init) => emulator.fetch(new Request(input, init)),
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    ...options,
  });
  return { emulator, bedrock };
}
