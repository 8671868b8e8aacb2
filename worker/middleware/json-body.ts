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
import { modelNotServed, quotedWhole } from "../http.ts";
import type { AppContext, AppEnv, JsonRequest } from "../context.ts";
import { mayCall } from "../keys.ts";
import { streamsOn } from "../library-refusal.ts";
import { apiOfPath } from "../token-estimate.ts";

/** The longest name a model can be configured under (PUBLIC_NAME, src/model.ts). */
export const MAX_MODEL_NAME = 128;

/**
 * A name longer than any model's, told by its length: it cannot be served, and with no part of it
 * quoted (in the log or the 404) none needs redacting, which for a body's 4 MiB of name cost a
 * second to keep the log line's 200 characters (inputcost34 #4). GET /v1/models/{name} counts
 * it the same way (codereview49 #4).
 */
export function byLength(name: string): string | undefined {
  return name.length > MAX_MODEL_NAME ? `(a name of ${name.length} characters)` : undefined;
}

export const jsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { bodyLimits } = c.get("ready");
  const value = await readJsonBody(c.req.raw, bodyLimits(c.get("key").models), mediaPlacesOf(c.req.path));
  admitBody(c, value);
  await next();
};

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
