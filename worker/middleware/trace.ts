// With OTEL_EXPORTER_OTLP_ENDPOINT set, every request a valid key makes to a model endpoint is
// exported as one span (worker/traces.ts) after its answer (waitUntil: no added latency). A
// `traceparent` header from the caller makes it a child of the caller's trace.
import type { MiddlewareHandler } from "hono";
import { bedrockBaseUrl, deploymentsOf, isValidRegion, parseArn } from "../../src/core.ts";
import { afterResponse } from "../after-response.ts";
import type { AppContext, AppEnv, JsonRequest } from "../context.ts";
import { apiOfPath, askedOutputLimit } from "../token-estimate.ts";
import { exportSpan, otlpPayload, readTraceParent, type SpanFacts } from "../traces.ts";

export const traceRequest: MiddlewareHandler<AppEnv> = (c, next) => {
  const target = c.get("ready").config.traces;
  if (target) {
    const parent = readTraceParent(c.req.header("traceparent"));
    afterResponse(c, "the trace", () => exportSpan(target, otlpPayload(factsOf(c, parent))));
  }
  return next();
};

function factsOf(c: AppContext, parent: SpanFacts["parent"]): SpanFacts {
  const { line, answered } = c.get("log");
  const { config } = c.get("ready");
  // Set once the body's model is a configured one this key may call, as for the usage row.
  const body: JsonRequest | undefined = c.get("body");
  const model = body?.model;
  const facts: SpanFacts = { line, model, request: validatedValues(c), parent, answered };
  const deployment =
    model === undefined ? undefined : deploymentsOf(config.models[model], model).deployments[line.deployment ?? -1];
  if (deployment) {
    facts.responseModel = deployment.modelId;
    const arn = parseArn(deployment.modelId);
    const region = deployment.region ?? config.region ?? arn?.region;
    // An ARN's region is checked only when it is called (a 400): such a request names no server.
    const base = config.endpoint ?? (region && isValidRegion(region) ? bedrockBaseUrl(region) : undefined);
    if (base) {
      const url = new URL(base);
      facts.server = { address: url.hostname, port: Number(url.port) || (url.protocol === "http:" ? 80 : 443) };
    }
  }
  return facts;
}

/**
 * The request's output limit, sampling parameters, choice count and seed, once the library has
 * validated them. A request reaches a deployment (the log line's `deployment`, from onDeployment)
 * only after create() and its route have checked it; before that, these are whatever the client
 * sent (`1e21`, `"hot"`), and a span does not report them.
 */
function validatedValues(c: AppContext): SpanFacts["request"] {
  // Unset when the body was refused before it was read.
  const body: Record<string, unknown> | undefined = c.get("body");
  const { line } = c.get("log");
  if (!body || line.deployment === undefined) return {};
  return {
    max_tokens: askedOutputLimit(body, apiOfPath(line.path)),
    temperature: body.temperature,
    top_p: body.top_p,
    n: body.n,
    seed: body.seed,
  };
}
