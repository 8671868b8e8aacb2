// The JSON body of a POST: read within the key's limits, scanned before it is parsed, and its
// model resolved before anything validates the rest, so that an unknown model is a cheap 404. A
// model the key may not call is answered exactly as one that does not exist, limits included.
import type { MiddlewareHandler } from "hono";
import {
  CHAT_MEDIA,
  invalidRequest,
  type MediaPlaces,
  NO_MEDIA,
  RESPONSES_MEDIA,
  redactSecrets,
} from "../../src/core.ts";
import { readJsonBody } from "../body.ts";
import { type BodyHold, bodiesInFlight } from "../body-budget.ts";
import { byLength, modelNotServed, quotedWhole } from "../http.ts";
import type { AppContext, AppEnv, JsonRequest } from "../context.ts";
import { mayCall } from "../keys.ts";
import { streamsOn } from "../library-refusal.ts";
import { apiOfPath } from "../token-estimate.ts";

export const jsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { bodyLimits } = c.get("ready");
  const limits = bodyLimits(c.get("key").models);
  const value = await readHeld(c, (hold) => readJsonBody(c.req.raw, limits, mediaPlacesOf(c.req.path), hold));
  admitBody(c, value);
  await next();
};

/**
 * Reads a body with its bytes counted in the isolate's account (worker/body-budget.ts): they are
 * given back when the request's log line is written (its answer delivered, or its client gone),
 * for the body read is held as long as the request is (the parsed request, the prompt), or at once
 * when the read refuses the body, whose bytes are then dropped.
 */
export async function readHeld<T>(c: AppContext, read: (hold: BodyHold) => Promise<T>): Promise<T> {
  const hold = bodiesInFlight.hold(c.get("ready").config.maxBodyBytesInFlight);
  void c.get("log").done.then(hold.release, hold.release);
  try {
    return await read(hold);
  } catch (error) {
    hold.release();
    throw error;
  }
}

/** Where a JSON body of this endpoint holds media: chat's and the Responses API's content parts only. */
export function mediaPlacesOf(path: string): MediaPlaces {
  const api = apiOfPath(path);
  return api === "chat" ? CHAT_MEDIA : api === "responses" ? RESPONSES_MEDIA : NO_MEDIA;
}

/**
 * A read body's model checked (a configured one this key may call) and noted in the log line,
 * and the body set for the endpoint: a JSON body's, or a multipart one's fields (form-body.ts).
 */
export function admitBody(c: AppContext, value: Record<string, unknown>): void {
  const { config } = c.get("ready");
  const key = c.get("key");
  const { model } = value;
  // Noted first, so that the line of a refused request still says what it asked for.
  const { line } = c.get("log");
  // A model this proxy does not serve is the client's text: a key pasted there must not reach the
  // log, a trace or a usage row. A configured name is kept as it is, whatever a secret spells.
  const served = typeof model === "string" && Object.hasOwn(config.models, model);
  if (typeof model === "string") {
    line.model = served ? model : (byLength(model) ?? redactSecrets(model, c.get("state").secrets));
  }
  line.stream = value.stream === true && streamsOn(apiOfPath(c.req.path));
  if (typeof model !== "string" || model === "") {
    throw invalidRequest("model must be the name of one of this proxy's models (GET /v1/models lists them).", "model");
  }
  // The same words for a model kept from this key as for one that does not exist, quoting what the
  // client sent (quotedWhole).
  if (!served || !mayCall(key, model)) throw modelNotServed(byLength(model) ?? quotedWhole(model, "name"));
  c.set("body", value as JsonRequest);
}
