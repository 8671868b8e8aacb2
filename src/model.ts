// Model strings (`bedrock/<route>/<model-id>`) and models tables: which route, which Bedrock
// model, which region, and the per-model settings (model-settings.ts) the route honours.
import * as v from "valibot";
import type { CredentialsOption } from "./aws/credentials.ts";
import { parseArn, resolveRegion, validateModelId } from "./aws/endpoint.ts";
import {
  type DeploymentConfig,
  isRoutedEntry,
  type RoutedModelConfig,
  routedModelConfigSchema,
  type RoutingStrategy,
  regionSchema,
} from "./deployments.ts";
import { invalidRequest, shownText } from "./errors.ts";
import {
  isModelSettingName,
  MODEL_SETTING_ENTRIES,
  MODEL_SETTINGS,
  type ModelSettingName,
  type ModelSettingValues,
} from "./model-settings.ts";
import { foundationModelId } from "./routes/converse/model-family.ts";
import { describingModelId } from "./routes/foundation-model.ts";
import { isRouteName, type RouteName, routeEntries } from "./routes/index.ts";
import { deepestIssue, formatPath, issueFragment, issueSentence } from "./validation.ts";

export interface ParsedModel {
  route: RouteName;
  modelId: string;
  /** From the `bedrock/<route>/<region>/<model-id>` form. */
  region?: string;
}

const ROUTE_NAMES = Object.keys(routeEntries).join(", ");

/** `bedrock/<route>/<model-id>` (prefix optional) -> route and Bedrock model id; 400 when malformed. */
export function parseModelString(model: string): ParsedModel {
  const rest = model.startsWith("bedrock/") ? model.slice("bedrock/".length) : model;
  const slash = rest.indexOf("/");
  // Without a slash there is no route: refused whatever the slice says.
  const route = rest.slice(0, slash);
  if (slash < 0 || !isRouteName(route)) {
    throw invalidRequest(
      `Unknown model ${shownText(model, 200, "name")}: expected bedrock/<route>/<model-arn> with route one of ${ROUTE_NAMES}.`,
      "model",
      "model_not_found",
    );
  }
  const target = rest.slice(slash + 1);
  // bedrock/<route>/<region>/<model-id>, on every route: only an ARN holds a "/" (AWS's model-id
  // patterns: foundation-model, inference-profile and imported-model ids have none) and it starts
  // with "arn:", so in any other id a "/" ends a region. resolveRegion refuses one that is no
  // region, or that contradicts the ARN; validateModelId a second "/" outside an ARN (us-east-1/a/b).
  const cut = target.startsWith("arn:") ? -1 : target.indexOf("/");
  const parsed: ParsedModel = { route, modelId: cut > 0 ? target.slice(cut + 1) : target };
  validateModelId(parsed.modelId);
  if (cut > 0) parsed.region = resolveRegion(parsed.modelId, target.slice(0, cut));
  return parsed;
}

/** One model's configuration, as the proxy's MODELS binding holds it. */
export interface ModelConfig extends ModelSettingValues {
  /** `bedrock/<route>/<model-arn>`. */
  model: string;
  /** This model's region, when it differs from the client's. */
  region?: string | undefined;
}

const modelString = v.pipe(v.string(), v.minLength(1));

const SETTING_NAMES = ["model", "region", ...Object.keys(MODEL_SETTINGS)].join(", ");

/** Checks a ModelConfig; model.test.ts pins its output to that type. */
export const modelConfigSchema = v.strictObject(
  {
    model: modelString,
    region: regionSchema,
    ...MODEL_SETTING_ENTRIES,
  },
  (issue) =>
    issue.expected === "never" ? `is not a model setting; the settings are ${SETTING_NAMES}` : "must be an object",
);

/**
 * A models table entry as given: a model string, one model's settings, or deployments of one. An
 * entry is one or the other, so `model` beside `deployments` or `routing` fails to compile (and
 * createBedrock refuses it, naming both).
 */
export type ModelEntry = string | SingleModelEntry | RoutedModelEntry;

/** One model's settings, with none of an entry with deployments'. */
export type SingleModelEntry = ModelConfig & { deployments?: undefined; routing?: undefined };

/** Deployments of one model, with no `model` or `region` of its own (each deployment has its own). */
export type RoutedModelEntry = RoutedModelConfig & { model?: undefined; region?: undefined };

/** A checked models table entry: one model, or several deployments of one. */
export type ModelTableEntry = ModelConfig | RoutedModelConfig;

const modelEntrySchema = v.union(
  [modelString, modelConfigSchema],
  'must be a model string ("bedrock/<route>/<model-arn>") or an object like { "model": "bedrock/…" }',
);

const PUBLIC_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$/;

/** The region a table's models run in when they name none (the client's), and its setting's name. */
export interface TableRegion {
  region: string;
  /** How messages name the setting: "the region option", "AWS_REGION". */
  setting: string;
}

/**
 * Validates a models table (the MODELS binding, or the `models` option): every problem is
 * reported with the entry it is in, so a bad deployment says what to fix. With `fallback`, a model
 * whose ARN is in another region than the one it would be called in is one of them: every call
 * to it would fail.
 */
export function parseModels(value: unknown, where = "models", fallback?: TableRegion): Record<string, ModelTableEntry> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${where} must be a JSON object of public name -> model string or { "model": … }`);
  }
  const out: Record<string, ModelTableEntry> = {};
  for (const [name, given] of Object.entries(value)) {
    // A setting set to undefined is absent, as the types promise: dropped before the strict
    // schemas count it. Any other key is a typo, refused set or not (inline, not a helper: the
    // main chunk is at its budget).
    const entry =
      given && typeof given === "object"
        ? Object.fromEntries(
            Object.entries(given).filter(
              ([key, value]) =>
                value !== undefined ||
                !(Object.hasOwn(modelConfigSchema.entries, key) || Object.hasOwn(routedModelConfigSchema.entries, key)),
            ),
          )
        : given;
    if (!PUBLIC_NAME.test(name)) {
      throw new TypeError(
        `${where}: a name must be 1-128 letters, digits or ._:/@+- (got ${shownText(name, 60, "a name")})`,
      );
    }
    const at = `${where}["${name}"]`;
    const config = isRoutedEntry(entry) ? checkRouted(entry, at, fallback) : checkSingle(entry, at, fallback);
    if (config.template && config.chat_template) throw new TypeError(`${at}: set template or chat_template, not both`);
    out[name] = config;
  }
  return out;
}

// A deployment's credentials and key, in whatever shape they came, are never quoted in a refusal.
const SECRET_FIELDS = ["credentials", "apiKey"];

function checkEntry<T>(schema: v.GenericSchema<unknown, T>, entry: unknown, at: string): T {
  const result = v.safeParse(schema, entry, { message: issueFragment });
  if (result.success) return result.output;
  const { issue, path } = deepestIssue(result.issues[0]);
  const field = formatPath(path);
  throw new TypeError(
    `${at}${field ? `.${field}` : ""}: ${issueSentence(issue, path, { subject: "the entry", secret: SECRET_FIELDS })}`,
  );
}

/**
 * The model string's route. The region it would be called in (its own, else the table's) must be
 * its ARN's, and an entry's region its model string's: a contradiction would fail every call or
 * leave one of them unread, so it is refused now.
 */
function checkedRoute(model: string, region: string | undefined, at: string, fallback?: TableRegion): ParsedModel {
  try {
    const parsed = parseModelString(model);
    const arnRegion = parseArn(parsed.modelId)?.region;
    if (region && parsed.region && region !== parsed.region) {
      throw new Error(`its "region" ${region} contradicts its model string's ${parsed.region}`);
    }
    if (region) resolveRegion(parsed.modelId, region);
    else if (fallback && !parsed.region && arnRegion && arnRegion !== fallback.region) {
      throw new Error(
        `its ARN is in ${shownText(arnRegion, 40, "a region", false)} but ${fallback.setting} is ${fallback.region} (a model ARN can only be called in its own region: give it region ${shownText(arnRegion, 40)})`,
      );
    }
    return parsed;
  } catch (error) {
    throw new TypeError(`${at}: ${error instanceof Error ? error.message : "bad model string"}`);
  }
}

function checkSingle(entry: unknown, at: string, fallback?: TableRegion): ModelConfig {
  const checked = checkEntry(modelEntrySchema, entry, at);
  const config = typeof checked === "string" ? { model: checked } : checked;
  const parsed = checkedRoute(config.model, config.region, at, fallback);
  const unused =
    unusedSetting(parsed.route, config) ??
    unboundTemplateKwargs(parsed.route, config) ??
    routeEntries[parsed.route].checkModel?.(parsed.modelId, config);
  if (unused) throw new TypeError(`${at}.${unused}`);
  return config;
}

function checkRouted(entry: unknown, at: string, fallback?: TableRegion): RoutedModelConfig {
  // One kind or the other: told so, not the other kind's missing deployments or extra model.
  const { model, deployments }: Partial<Record<string, unknown>> = Object(entry);
  const other = deployments === undefined ? "routing" : "deployments";
  if (model !== undefined)
    throw new TypeError(
      `${at}: has model and ${other}; an entry is one model or deployments of one (each its own model), not both`,
    );
  const config = checkEntry(routedModelConfigSchema, entry, at);
  const seen = new Map<string, number>();
  let route: RouteName | undefined;
  let first: string | undefined;
  config.deployments.forEach((deployment, index) => {
    const where = `${at}.deployments[${index}]`;
    const parsed = checkedRoute(deployment.model, deployment.region, where, fallback);
    // Copies of one model: one route, so that the entry's settings mean the same for each.
    if (route && parsed.route !== route) {
      throw new TypeError(
        `${where}.model: its route is ${parsed.route} but deployments[0]'s is ${route}; the deployments of one name are copies of one model, on one route`,
      );
    }
    // An embedding model's copies must be one model: another's vectors, from a failover, would
    // sit beside the first's in an index where they cannot be compared (review embedr38 #1).
    // An image model's too: another draws other sizes, and a size one copy takes would fail on the next.
    if (parsed.route === "embed" || parsed.route === "image") {
      // An opaque id's model is the one its entry's foundation_model names.
      const model = foundationModelId(describingModelId(parsed.modelId, config)) ?? parsed.modelId;
      first ??= model;
      if (model !== first) {
        const why =
          parsed.route === "embed"
            ? "two models' vectors cannot be compared"
            : "two image models draw different images and sizes";
        throw new TypeError(
          `${where}.model: ${shownText(model, 200, "a model string", false)} is not deployments[0]'s ${parsed.route === "embed" ? "embedding" : "image"} model (${shownText(first, 200, "a model string", false)}); the deployments of one name are copies of one model, and ${why}`,
        );
      }
    }
    route = parsed.route;
    // Compared here only, never kept: the same model id called with other credentials is another copy.
    const identity = `${deploymentKey(parsed.modelId, deployment.region ?? parsed.region)}\u0000${whose(deployment, index)}`;
    const twin = seen.get(identity);
    if (twin !== undefined) throw new TypeError(`${where}: the same model as deployments[${twin}]`);
    seen.set(identity, index);
    if (deployment.weight !== undefined && config.routing !== "weighted") {
      throw new TypeError(`${where}.weight: only routing "weighted" uses weight; remove it or set that routing`);
    }
    // The entry's settings must work with each copy's model id too.
    const misfit = routeEntries[parsed.route].checkModel?.(parsed.modelId, config);
    if (misfit) throw new TypeError(`${where}: ${misfit}`);
  });
  const unused = route && (unusedSetting(route, config) ?? unboundTemplateKwargs(route, config));
  if (unused) throw new TypeError(`${at}.${unused}`);
  return config;
}

/** An entry's per-model settings: all it holds but its model strings, regions and routing. */
export function settingValues(entry: ModelTableEntry): ModelSettingValues {
  if ("deployments" in entry) {
    const { deployments: _deployments, routing: _routing, ...values } = entry;
    return values;
  }
  const { model: _model, region: _region, ...values } = entry;
  return values;
}

/** One deployment of a models table entry, as the router uses it. */
export interface ModelDeployment {
  /** Its position in the entry's `deployments` (0 for an entry of one model): what callers are told. */
  index: number;
  /**
   * Names this copy of the model wherever it is listed: its model id and region, and for a copy
   * with credentials of its own, whose they are (a digest the router adds: credentialsKey).
   */
  key: string;
  modelId: string;
  region: string | undefined;
  credentials?: CredentialsOption;
  apiKey?: string;
  weight: number;
}

/** What a models table entry (or a bare model string) is served by. */
export interface ModelDeployments {
  route: RouteName;
  routing: RoutingStrategy;
  deployments: ModelDeployment[];
}

/** The credentials a deployment of its own is called with, for telling copies apart (never kept). */
function whose({ apiKey, credentials }: DeploymentConfig, index: number): string {
  if (apiKey) return `key:${apiKey}`;
  if (typeof credentials === "function") return `provider:${index}`;
  return credentials ? `aws:${credentials.accessKeyId}` : "";
}

function deploymentKey(modelId: string, region: string | undefined): string {
  return region ? `${modelId}@${region}` : modelId;
}

/** An entry (or, with none, a model string) as deployments: one, unless it lists several. */
export function deploymentsOf(entry: ModelTableEntry | undefined, modelString: string): ModelDeployments {
  let listed: DeploymentConfig[];
  let routing: RoutingStrategy = "failover";
  if (entry && "deployments" in entry) {
    listed = entry.deployments;
    routing = entry.routing ?? routing;
  } else {
    listed = [entry?.region ? { model: entry.model, region: entry.region } : { model: entry?.model ?? modelString }];
  }
  const parsed = listed.map((deployment) => parseModelString(deployment.model));
  const deployments = listed.map((deployment, index): ModelDeployment => {
    const { modelId, region: fromModel } = parsed[index]!;
    const region = deployment.region ?? fromModel;
    const out: ModelDeployment = {
      index,
      key: deploymentKey(modelId, region),
      modelId,
      region,
      weight: deployment.weight ?? 1,
    };
    if (deployment.credentials) out.credentials = deployment.credentials;
    if (deployment.apiKey) out.apiKey = deployment.apiKey;
    return out;
  });
  return { route: parsed[0]!.route, routing, deployments };
}

/**
 * The model id of a deployment of this entry that names no region of its own (a foundation
 * model or a cross-region profile by bare id, with no `region`): it runs in the client's default
 * region, and without one cannot run at all. Undefined when every deployment (or its ARN) names
 * a region.
 */
export function regionlessModelId(entry: ModelTableEntry): string | undefined {
  return deploymentsOf(entry, "").deployments.find((deployment) => !deployment.region && !parseArn(deployment.modelId))
    ?.modelId;
}

/**
 * `<setting>: <why>` for the first setting of `config` that its route does not honour: a setting
 * the route would ignore is a mistake in the table, so it is reported rather than dropped.
 */
/**
 * A route that renders the prompt itself reads kwargs only through a chat_template: its built-in
 * templates take their own variables and nothing else.
 */
function unboundTemplateKwargs(route: RouteName, config: ModelSettingValues): string | undefined {
  if (
    !config.client_template_kwargs ||
    config.chat_template ||
    !routeEntries[route].settings.includes("chat_template")
  ) {
    return undefined;
  }
  return (
    "client_template_kwargs: names variables of the model's own chat_template, and this entry has none " +
    "(a built-in template takes only its own). Add the chat_template, or remove client_template_kwargs."
  );
}

function unusedSetting(route: RouteName, config: ModelSettingValues): string | undefined {
  const honoured: readonly ModelSettingName[] = routeEntries[route].settings;
  for (const key of Object.keys(config)) {
    // parseModels dropped the keys set to undefined: each key here is a setting given.
    if (!isModelSettingName(key) || honoured.includes(key)) continue;
    const users = Object.values(routeEntries)
      .filter((other) => other.settings.includes(key))
      .map((other) => other.name);
    const who = users.length ? `only the ${users.join(", ")} routes do` : "no route does";
    return `${key}: the ${route} route does not use ${key}, which ${MODEL_SETTINGS[key].does}; ${who}. Remove it from this entry.`;
  }
  return undefined;
}
