// Model strings (`bedrock/<route>/<model-id>`) and models tables: which route, which Bedrock
// model, which region, and the per-model settings (model-settings.ts) the route honours.
import * as v from "valibot";
import { isValidRegion, parseArn, resolveRegion, validateModelId } from "./aws/endpoint.ts";
import { invalidRequest } from "./errors.ts";
import {
  isModelSettingName,
  MODEL_SETTING_ENTRIES,
  MODEL_SETTINGS,
  type ModelSettingName,
  type ModelSettingValues,
} from "./model-settings.ts";
import { isRouteName, type RouteName, routeEntries } from "./routes/index.ts";
import { deepestIssue, formatPath, issueFragment, issueSentence } from "./validation.ts";

export interface ParsedModel {
  route: RouteName;
  modelId: string;
  /** From the `bedrock/openai/<region>/<arn>` form. */
  region?: string;
}

const ROUTE_NAMES = Object.keys(routeEntries).join(", ");

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
export interface ModelConfig extends ModelSettingValues {
  /** `bedrock/<route>/<model-arn>`. */
  model: string;
  /** This model's region, when it differs from the client's. */
  region?: string;
}

const modelString = v.pipe(v.string(), v.minLength(1));

const SETTING_NAMES = ["model", "region", ...Object.keys(MODEL_SETTINGS)].join(", ");

/** Checks a ModelConfig; model.test.ts pins its output to that type. */
export const modelConfigSchema = v.strictObject(
  {
    model: modelString,
    region: v.optional(v.pipe(v.string(), v.check(isValidRegion, "must look like us-east-1"))),
    ...MODEL_SETTING_ENTRIES,
  },
  (issue) =>
    issue.expected === "never" ? `is not a model setting; the settings are ${SETTING_NAMES}` : "must be an object",
);

export type ModelEntry = string | ModelConfig;

const modelEntrySchema = v.union(
  [modelString, modelConfigSchema],
  'must be a model string ("bedrock/<route>/<model-arn>") or an object like { "model": "bedrock/…" }',
);

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
    const result = v.safeParse(modelEntrySchema, entry, { message: issueFragment });
    if (!result.success) {
      const { issue, path } = deepestIssue(result.issues[0]);
      const field = formatPath(path);
      const sentence = issueSentence(issue, path, { subject: "the entry" });
      throw new TypeError(`${where}["${name}"]${field ? `.${field}` : ""}: ${sentence}`);
    }
    const config = typeof result.output === "string" ? { model: result.output } : result.output;
    let parsed: ParsedModel;
    try {
      parsed = parseModelString(config.model);
      // A region that contradicts the ARN would fail every call; say so now, as the operator's problem.
      if (config.region) resolveRegion(parsed.modelId, config.region);
    } catch (error) {
      throw new TypeError(`${where}["${name}"]: ${error instanceof Error ? error.message : "bad model string"}`);
    }
    const unused =
      unusedSetting(parsed.route, config) ?? routeEntries[parsed.route].checkModel?.(parsed.modelId, config);
    if (unused) throw new TypeError(`${where}["${name}"].${unused}`);
    if (config.template && config.chat_template) {
      throw new TypeError(`${where}["${name}"]: set template or chat_template, not both`);
    }
    // A route that renders the prompt itself reads kwargs only through a chat_template: its
    // built-in templates take their own variables and nothing else.
    if (
      config.client_template_kwargs &&
      !config.chat_template &&
      routeEntries[parsed.route].settings.includes("chat_template")
    ) {
      throw new TypeError(
        `${where}["${name}"].client_template_kwargs: names variables of the model's own chat_template, and this entry has none ` +
          "(a built-in template takes only its own). Add the chat_template, or remove client_template_kwargs.",
      );
    }
    out[name] = config;
  }
  return out;
}

/**
 * The model id of an entry that names no region of its own (a foundation model or a
 * cross-region profile by bare id, with no `region`): it runs in the client's default region,
 * and without one cannot run at all. Undefined when the entry (or its ARN) names a region.
 */
export function regionlessModelId(config: ModelConfig): string | undefined {
  if (config.region) return undefined;
  const parsed = parseModelString(config.model);
  return parsed.region || parseArn(parsed.modelId) ? undefined : parsed.modelId;
}

/**
 * `<setting>: <why>` for the first setting of `config` that its route does not honour: a setting
 * the route would ignore is a mistake in the table, so it is reported rather than dropped.
 */
function unusedSetting(route: RouteName, config: ModelConfig): string | undefined {
  const honoured: readonly ModelSettingName[] = routeEntries[route].settings;
  for (const key of Object.keys(config)) {
    if (!isModelSettingName(key) || config[key] === undefined || honoured.includes(key)) continue;
    const users = Object.values(routeEntries)
      .filter((other) => other.settings.includes(key))
      .map((other) => other.name);
    const who = users.length ? `only the ${users.join(", ")} routes do` : "no route does";
    return `${key}: the ${route} route does not use ${key}, which ${MODEL_SETTINGS[key].does}; ${who}. Remove it from this entry.`;
  }
  return undefined;
}
