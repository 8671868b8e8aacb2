// The emulator as a library (`bedrock-edge/emulator`): the web fetch handler, its fixed test
// credentials and its model-id scheme. No node:* here; serving it from Node is a separate entry
// (`bedrock-edge/emulator/node`), so Workers, Deno and browsers can import this one.
export { createEmulator, CONTEXT_WINDOW } from "./handler.ts";
export type { Emulator, EmulatorOptions } from "./handler.ts";
export type { EmulatorStats, RequestLogEntry } from "./stats.ts";
export { EMULATOR_API_KEY, EMULATOR_CREDENTIALS, EMULATOR_SESSION_CREDENTIALS } from "./credentials.ts";
export type { EmulatorCredentials } from "./credentials.ts";
export { emulatorModelId, STREAM_EXCEPTION_TYPES } from "./model-id.ts";
export type { ModelFormat, ModelIdOption, StreamExceptionType } from "./model-id.ts";
export { converseModelId } from "./converse-model-id.ts";
export type { ConverseModelKind } from "./converse-model-id.ts";
