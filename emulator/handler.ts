// The Bedrock Runtime emulator as a web fetch handler: no node:* imports here or below, so it
// serves from Node, workerd, Deno, Bun or a service worker alike.
//
//   POST /model/{modelId}/invoke                       imported models (invoke.ts)
//   POST /model/{modelId}/invoke-with-response-stream
//   POST /model/{modelId}/converse                     foundation models, inference profiles,
//   POST /model/{modelId}/converse-stream              provisioned and imported models (converse.ts)
//   POST /model/{modelId}/invoke                       Titan and Cohere embedding models (embeddings.ts)
//   POST /model/{modelId}/invoke                       Nova Canvas, Titan Image Generator v2 and Stability's
//                                                      SD3.5 Large, Stable Image Core, Ultra and Inpaint (images.ts)
//
// Order of checks, as AWS does it: route, authentication, model id, body, then the faults the
// model id asks for, then the answer.

import { type AuthResult, authenticate } from "./auth.ts";
import type { Call, Config } from "./call.ts";
import { converse } from "./converse.ts";
import { parseConverseModelId } from "./converse-model-id.ts";
import { preflightResponse } from "./cors.ts";
import {
  EMULATOR_API_KEY,
  EMULATOR_CREDENTIALS,
  EMULATOR_SESSION_CREDENTIALS,
  type EmulatorCredentials,
} from "./credentials.ts";
import { awsError, errorResponse, MESSAGES } from "./errors.ts";
import { embed, embeddingModel } from "./embeddings.ts";
import { generateImages, imageModel } from "./images.ts";
import { invoke } from "./invoke.ts";
import { parseJsonBody } from "./json-body.ts";
import { UnsatisfiableSchemaError } from "./json-schema-instance.ts";
import { fitsOperation, type Operation, parseModelId } from "./model-id.ts";
import { fail } from "./responses.ts";
import { createStats, type EmulatorStats, type StatsRecorder } from "./stats.ts";

export { CONTEXT_WINDOW } from "./invoke.ts";

export interface EmulatorOptions {
  /** Accepted SigV4 credentials; default: the fixed test credentials (both kinds). */
  credentials?: readonly EmulatorCredentials[] | undefined;
  /** Accepted Bedrock API keys (`Authorization: Bearer`); default: `EMULATOR_API_KEY`. */
  apiKeys?: readonly string[] | undefined;
  /** Clock for signature-age checks and `created` fields; default `Date.now`. */
  now?: (() => number) | undefined;
  /** Delay between stream frames (ms) unless the model id says `slow<ms>`; default 0. */
  chunkDelayMs?: number | undefined;
}

export interface Emulator {
  fetch(request: Request): Promise<Response>;
  readonly stats: EmulatorStats;
}

const OPERATIONS: readonly Operation[] = ["invoke", "invoke-with-response-stream", "converse", "converse-stream"];

const PATH = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream|converse|converse-stream)$/;
const STREAMS: ReadonlySet<Operation> = new Set(["invoke-with-response-stream", "converse-stream"]);

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const config: Config = {
    credentials: options.credentials ?? [EMULATOR_CREDENTIALS, EMULATOR_SESSION_CREDENTIALS],
    apiKeys: options.apiKeys ?? [EMULATOR_API_KEY],
    now: options.now ?? Date.now,
    chunkDelayMs: options.chunkDelayMs ?? 0,
  };
  const { stats, recorder } = createStats();
  return {
    stats,
    fetch: (request) => handle(request, config, recorder),
  };
}

async function handle(request: Request, config: Config, recorder: StatsRecorder): Promise<Response> {
  const url = new URL(request.url);
  const call: Call = { request, url, requestId: crypto.randomUUID(), config, recorder };
  const match = PATH.exec(url.pathname);
  const modelId = match ? decodeModelId(match[1] ?? "") : null;
  const operation = OPERATIONS.find((candidate) => candidate === match?.[2]);
  let response: Response;
  if (request.method === "OPTIONS") response = preflightResponse();
  else if (!operation || modelId === null || request.method !== "POST") {
    response = errorResponse(awsError("UnknownOperationException", MESSAGES.unknownOperation), call.requestId);
  } else {
    response = await operate(call, modelId, operation).catch((error: unknown) =>
      fail(
        call,
        // A schema no instance of a sane size satisfies is the request's fault, as Bedrock would say.
        error instanceof UnsatisfiableSchemaError
          ? awsError("ValidationException", error.message)
          : awsError(
              "InternalServerException",
              `The emulator failed: ${error instanceof Error ? error.message : "unknown error"}`,
            ),
      ),
    );
  }
  // As every AWS answer does: a client with a wrong clock learns Bedrock's time from it.
  response.headers.set("date", new Date(config.now()).toUTCString());
  recorder.log({
    method: request.method,
    path: url.pathname,
    modelId,
    status: response.status,
    stream: operation !== undefined && STREAMS.has(operation) && response.ok,
  });
  return response;
}

function decodeModelId(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}

async function operate(call: Call, modelId: string, operation: Operation): Promise<Response> {
  const body = new Uint8Array(await call.request.arrayBuffer());
  const auth = await authenticate(call.request, call.url, body, call.config);
  if (!auth.ok) return fail(call, auth.error);
  const stream = STREAMS.has(operation);
  if (operation === "converse" || operation === "converse-stream") {
    const target = parseConverseModelId(modelId);
    // An option asking for what the operation cannot carry (fitsOperation) is as unknown here.
    if (!target || !fitsOperation(target, operation)) {
      return fail(call, awsError("ResourceNotFoundException", MESSAGES.converseModelNotFound));
    }
    const parsed = readBody(call, auth, target.region, modelId, body);
    return "json" in parsed ? converse(call, target, parsed.json, parsed.text, stream) : parsed.response;
  }
  // Bedrock's embedding models, by their foundation ids (embeddings.ts).
  const embedding = embeddingModel(modelId);
  if (embedding) {
    const parsed = readBody(call, auth, undefined, modelId, body);
    return "json" in parsed ? embed(call, embedding, parsed.json, stream) : parsed.response;
  }
  // Bedrock's image models, by their foundation ids (images.ts).
  const image = imageModel(modelId);
  if (image) {
    const parsed = readBody(call, auth, undefined, modelId, body);
    return "json" in parsed ? generateImages(call, image, parsed.json, stream) : parsed.response;
  }
  const spec = parseModelId(modelId);
  // Bedrock says "The provided model identifier is invalid." as a 400 ValidationException.
  if (!spec || !fitsOperation(spec, operation))
    return fail(call, awsError("ValidationException", MESSAGES.modelNotFound));
  const parsed = readBody(call, auth, spec.region, modelId, body);
  return "json" in parsed ? invoke(call, spec, parsed.json, parsed.text, stream) : parsed.response;
}

/** The region check (an ARN names its region; a bare id runs in any), then the body as JSON. */
function readBody(
  call: Call,
  auth: AuthResult & { ok: true },
  region: string | undefined,
  modelId: string,
  body: Uint8Array,
): { json: unknown; text: string } | { response: Response } {
  if (auth.kind === "sigv4" && region !== undefined && auth.region !== region) {
    const message = `The model ARN's region (${region}) does not match the region the request was signed for (${auth.region}).`;
    return { response: fail(call, awsError("ValidationException", message)) };
  }
  const parsed = parseJsonBody(body);
  if (!parsed.ok) return { response: fail(call, awsError("ValidationException", parsed.complaint)) };
  call.recorder.body(modelId, parsed.json);
  return { json: parsed.json, text: parsed.text };
}
