// A library client wired to an in-process emulator: no sockets, real signatures, real frames.
import { createBedrock, type BedrockOptions, type RouteName } from "../../src/index.ts";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { createEmulator, type Emulator, type EmulatorOptions } from "../../emulator/handler.ts";
import { emulatorModelId, type ModelFormat } from "../../emulator/model-id.ts";

/** The emulator's answer format for each route: a route without one does not compile. */
export const ROUTE_FORMATS = {
  deepseek_r1: "r1",
  llama: "llama",
  qwen3: "qwen3",
  qwen2: "qwen2",
  openai: "openai",
} as const satisfies Record<RouteName, ModelFormat>;

export type { RouteName };

/** `bedrock/<route>/<emulator arn with options>`. */
export function model(route: RouteName, ...options: string[]): string {
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
