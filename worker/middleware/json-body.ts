// The JSON body of a POST: read within the key's limits, scanned before it is parsed, and its
// model resolved before anything validates the rest, so that an unknown model is a cheap 404. A
// model the key may not call is answered exactly as one that does not exist, limits included.
import type { MiddlewareHandler } from "hono";
import { invalidRequest, modelNotFound, redactSecrets } from "../../src/core.ts";
import { readJsonBody } from "../body.ts";
import { quotedWhole } from "../http.ts";
import type { AppEnv, JsonRequest } from "../context.ts";
import { mayCall } from "../keys.ts";

export const jsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { config, bodyLimits } = c.get("ready");
  const key = c.get("key");
  const value = await readJsonBody(c.req.raw, bodyLimits(key.models));
  const { model } = value;
  // Noted first, so that the line of a refused request still says what it asked for.
  const { line } = c.get("log");
  // A model this proxy does not serve is the client's text: a key pasted there must not reach the
  // log, a trace or a usage row (cut whole, before the line's 200 characters are). A configured
  // name is kept as it is, whatever a secret spells.
  const served = typeof model === "string" && Object.hasOwn(config.models, model);
  if (typeof model === "string") {
    line.model = served ? model : redactSecrets(model, c.get("state").secrets).slice(0, 200);
  }
  line.stream = value.stream === true;
  if (typeof model !== "string" || model === "") {
    throw invalidRequest("model must be the name of one of this proxy's models (GET /v1/models lists them).", "model");
  }
  // The same words for a model kept from this key as for one that does not exist, quoting what the
  // client sent (quotedWhole).
  if (!served || !mayCall(key, model)) throw modelNotFound(quotedWhole(model, "name"));
  c.set("body", value as JsonRequest);
  await next();
};
