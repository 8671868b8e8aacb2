// Shared by the emulator's own tests: one signed call to an in-process emulator, its error, its
// JSON, its stream events, and a JSON Schema validator independent of the emulator (Ajv).

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { createEmulator, type Emulator } from "./handler.ts";
import { type Operation, readEvents, type StreamEvent, signedRequest } from "./testing.ts";

const BASE = "http://127.0.0.1:4010";

export async function send(
  modelId: string,
  body: unknown,
  operation: Operation = "invoke",
  emulator: Emulator = createEmulator(),
  region = "us-east-1",
): Promise<Response> {
  return emulator.fetch(await signedRequest(BASE, modelId, body, { operation, region }));
}

export type Json = Record<string, unknown>;

export async function json(response: Response): Promise<Json> {
  if (response.status !== 200) throw new Error(`status ${response.status}: ${await response.text()}`);
  return (await response.json()) as Json;
}

export async function events(response: Response): Promise<StreamEvent[]> {
  if (response.status !== 200) throw new Error(`status ${response.status}: ${await response.text()}`);
  return readEvents(response.body);
}

/** An error answer as AWS writes it: its status, exception name and message. */
export async function errorAnswer(response: Response): Promise<{ status: number; type: string; message: string }> {
  const body: unknown = await response.json();
  const message = typeof body === "object" && body !== null && "message" in body ? String(body.message) : "";
  return {
    status: response.status,
    type: (response.headers.get("x-amzn-ErrorType") ?? "").split(":")[0] ?? "",
    message,
  };
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

/** Whether `value` validates against `schema`, by Ajv; the errors when it does not. */
export function validates(schema: unknown, value: unknown): string | true {
  const validate = ajv.compile(schema as Record<string, unknown>);
  return validate(value) ? true : ajv.errorsText(validate.errors);
}
