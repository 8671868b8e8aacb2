// Model strings (`bedrock/<route>/<model-id>`) and per-model configuration: which route,
// which Bedrock model, which region, which template.
import * as v from "valibot";
import { isValidRegion, resolveRegion, validateModelId } from "./aws/endpoint.ts";
import { invalidRequest } from "./errors.ts";
import { isRouteName, routes } from "./routes/index.ts";
import type { RouteName, TemplateName } from "./routes/types.ts";

export interface ParsedModel {
  route: RouteName;
  modelId: string;
  /** From the `bedrock/openai/<region>/<arn>` form. */
  region?: string;
}

const ROUTE_NAMES = Object.keys(routes).join(", ");

/** `bedrock/<route>/<model-id>` (prefix optional) -> route and Bedrock model id; 400 when malformed. */
export function parseModelString(model: string): ParsedModel {
  const rest = model.startsWith("bedrock/") ? model.slice("bedrock/".length) : model;
  const slash = rest.indexOf("/");
  const route = slash < 0 ? rest : rest.slice(0, slash);
  if (slash < 0 || !isRouteName(route)) {
    throw invalidRequest(
      `Unknown model "${model.slice(0, 200)}": expected bedrock/<route>/<model-arn> with route one of ${ROUTE_NAMES}.`,
      "model",
      "model_not_found",
    );
  }
  let modelId = rest.slice(slash + 1);
  let region: string | undefined;
  // bedrock/openai/<region>/<arn>: an ARN never starts with a region, so the form is unambiguous.
  const head = modelId.slice(0, Math.max(0, modelId.indexOf("/")));
  if (route === "openai" && isValidRegion(head)) {
    region = head;
    modelId = modelId.slice(head.length + 1);
  }
  validateModelId(modelId);
  if (region) resolveRegion(modelId, region);
  return region ? { route, modelId, region } : { route, modelId };
}

/** One model's configuration, as the proxy's MODELS binding holds it. */
export interface ModelConfig {
  /** `bedrock/<route>/<model-arn>`. */
  model: string;
  /** Use another built-in template than the route's own (imported models are often fine-tunes). */
  template?: TemplateName;
  /** The model's own Jinja chat template (from its tokenizer_config.json). */
  chat_template?: string;
  /** Special tokens a `chat_template` refers to. */
  bos_token?: string;
  eos_token?: string;
  /** This model's region, when it differs from the client's. */
  region?: string;
  /** Ignore parameters the route cannot honour instead of answering 400. */
  drop_params?: boolean;
  /**
   * The proxy's request body limit for this model, in bytes, instead of its MAX_BODY_BYTES (a
   * vision model's images need more). The library itself ignores it.
   */
  max_body_bytes?: number;
}

export type ModelEntry = string | ModelConfig;

const TEMPLATE_NAMES = ["deepseek_r1", "llama3", "qwen3", "qwen2"] as const;

const MAX_BODY_BYTES = "max_body_bytes must be a whole number of bytes, at least 1024";

const modelString = v.pipe(v.string(), v.minLength(1, "model is empty"));

const modelEntrySchema = v.union([
  modelString,
  v.strictObject({
    model: modelString,
    template: v.optional(v.picklist(TEMPLATE_NAMES, `template must be one of ${TEMPLATE_NAMES.join(", ")}`)),
    chat_template: v.optional(v.pipe(v.string(), v.minLength(1))),
    bos_token: v.optional(v.string()),
    eos_token: v.optional(v.string()),
    region: v.optional(v.pipe(v.string(), v.check(isValidRegion, "region must look like us-east-1"))),
    drop_params: v.optional(v.boolean()),
    max_body_bytes: v.optional(
      v.pipe(v.number(MAX_BODY_BYTES), v.integer(MAX_BODY_BYTES), v.minValue(1024, MAX_BODY_BYTES)),
    ),
  }),
]);

const PUBLIC_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$/;

/**
 * Validates a models table (the MODELS binding, or the `models` option): every problem is
 * reported with the entry it is in, so a bad deployment says what to fix.
 */
export function parseModels(value: unknown, where = "models"): Record<string, ModelConfig> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${where} must be a JSON object of public name -> model string or { "model": … }`);
  }
  const out: Record<string, ModelConfig> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (!PUBLIC_NAME.test(name)) {
      throw new TypeError(`${where}: the name "${name.slice(0, 60)}" must be 1-128 letters, digits or ._:/@+-`);
    }
    const result = v.safeParse(modelEntrySchema, entry);
    if (!result.success) {
      const issue = result.issues[result.issues.length - 1]!;
      const deepest = issue.issues?.find((nested) => nested.path?.length) ?? issue;
      const key = deepest.path?.map((item) => String(item.key)).join(".");
      throw new TypeError(`${where}["${name}"]${key ? `.${key}` : ""}: ${deepest.message}`);
    }
    const config = typeof result.output === "string" ? { model: result.output } : result.output;
    try {
      const parsed = parseModelString(config.model);
      // A region that contradicts the ARN would fail every call; say so now, as the operator's problem.
      if (config.region) resolveRegion(parsed.modelId, config.region);
    } catch (error) {
      throw new TypeError(`${where}["${name}"]: ${error instanceof Error ? error.message : "bad model string"}`);
    }
    if (config.template && config.chat_template) {
      throw new TypeError(`${where}["${name}"]: set template or chat_template, not both`);
    }
    out[name] = config;
  }
  return out;
}
