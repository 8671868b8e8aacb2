// GET /health, open to anyone (load balancers have no key): "ok" (with the number of models for
// a key that operates the proxy), or 503 "misconfigured" with a count. The problems themselves
// name bindings, models, endpoints and other tenants' keys, so they go whole only to a key that
// operates the proxy (an admin key, or one of PROXY_API_KEYS) and to the log; any other key is
// told those about itself or its models (problemsFor).
import { BedrockEdgeError } from "../../src/index.ts";
import { authorise } from "../auth.ts";
import type { AppContext } from "../context.ts";
import { jsonResponse, misconfigured, refusal, WHERE_PROBLEMS_ARE } from "../http.ts";
import { problemsFor, seesWholeConfiguration } from "../keys.ts";

export async function health(c: AppContext): Promise<Response> {
  const state = c.get("state");
  // A USAGE_DB without its table is one too, though calls are served (docs/PROXY-REFERENCE.md, Configuration).
  const configuration = await state.problems;
  const problems = [...configuration, ...((await state.ready?.usageTableProblems?.()) ?? [])];
  const key = await authorise(c.req.raw.headers, state.keys.count, state.keys.find);
  if (problems.length === 0) {
    // How many models there are is the configuration's too: a key kept from some would learn of others.
    if (key instanceof BedrockEdgeError || !seesWholeConfiguration(key)) return jsonResponse({ status: "ok" });
    return jsonResponse({ status: "ok", models: Object.keys(state.ready?.config.models ?? {}).length });
  }
  // The log line says why: it is what an operator watching `wrangler tail` sees. The missing
  // usage table alone is no invalid configuration: calls are served, their records lost.
  c.get("log").record({
    error: configuration.length
      ? misconfigured(problems)
      : refusal(
          503,
          `${problems.join("; ")}. Calls are served meanwhile; their usage records are lost.`,
          "usage_table_missing",
        ),
  });
  const shown = key instanceof BedrockEdgeError ? [] : problemsFor(key, problems);
  if (shown.length === problems.length) return jsonResponse({ status: "misconfigured", problems }, 503);
  // `problems`, when there are some it may read: those about the key itself or its models.
  const own = shown.length ? { problems: shown } : {};
  return jsonResponse(
    { status: "misconfigured", problem_count: problems.length, ...own, message: hint(state.keys.count) },
    503,
  );
}

function hint(keys: number): string {
  return keys
    ? WHERE_PROBLEMS_ARE
    : "PROXY_API_KEYS is not set, so every call is refused; the proxy's log lists every problem.";
}
