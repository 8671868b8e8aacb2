// GET /v1/models and /v1/models/{name}: the openai SDK's models.list() and models.retrieve().
// Public names only (the ARNs behind them stay private), and only those the key may call.
import type { AppContext } from "../context.ts";
import { byLength, jsonResponse, modelNotServed, quotedWhole } from "../http.ts";
import { mayCall } from "../keys.ts";
import type { Ready } from "../state.ts";

function modelObject(id: string, ready: Ready) {
  return { id, object: "model", created: ready.created, owned_by: "bedrock-edge" };
}

export function listModels(c: AppContext): Response {
  const ready = c.get("ready");
  const names = ready.bedrock.listModels().filter((name) => mayCall(c.get("key"), name));
  return jsonResponse({ object: "list", data: names.map((id) => modelObject(id, ready)) });
}

export function getModel(c: AppContext): Response {
  const ready = c.get("ready");
  // Names may hold "/" (e.g. "team/r1"): the rest of the path is the name.
  const raw = c.req.path.replace(/^(?:\/v1)?\/models\//, "");
  const name = decodedOr(raw);
  if (!Object.hasOwn(ready.config.models, name) || !mayCall(c.get("key"), name)) {
    // Past any model's length only counted, as the body's model is (json-body.ts), though the path
    // is quoted whole to 200 characters: the same name gets the same 404 either way.
    throw modelNotServed(byLength(name) ?? quotedWhole(name, "name"));
  }
  return jsonResponse(modelObject(name, ready));
}

function decodedOr(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
