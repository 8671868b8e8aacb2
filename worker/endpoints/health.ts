// GET /health, open to anyone (load balancers have no key): "ok", or 503 "misconfigured" with
// a count. The problems themselves name bindings, models and endpoints, so they go only to a
// caller with a proxy key, and to the log.
import { BedrockEdgeError } from "../../src/index.ts";
import { authorise } from "../auth.ts";
import type { AppContext } from "../context.ts";
import { jsonResponse, misconfigured } from "../http.ts";

export async function health(c: AppContext): Promise<Response> {
  const state = c.get("state");
  const problems = await state.problems;
  if (problems.length === 0) {
    return jsonResponse({ status: "ok", models: Object.keys(state.ready?.config.models ?? {}).length });
  }
  // The log line says why: it is what an operator watching `wrangler tail` sees.
  c.get("log").record({ error: misconfigured(problems) });
  const authenticated = !(
    (await authorise(c.req.raw.headers, state.keys.count, state.keys.find)) instanceof BedrockEdgeError
  );
  if (authenticated) return jsonResponse({ status: "misconfigured", problems }, 503);
  return jsonResponse(
    { status: "misconfigured", problem_count: problems.length, message: hint(state.keys.count) },
    503,
  );
}

function hint(keys: number): string {
  return keys
    ? "GET /health with a proxy API key lists the problems; so does the Worker's log."
    : "PROXY_API_KEYS is not set, so every call is refused; the Worker's log lists every problem.";
}
