// Several copies of one model under one public name: the same fine-tune imported in two regions
// or accounts. A models table entry lists them as `deployments` and says how requests choose
// between them (`routing`); every other entry is one deployment. The router (src/routing/)
// takes either as a list of deployments.
import * as v from "valibot";
import { CREDENTIALS_SHAPE, type CredentialsOption, isCredentialsOption } from "./aws/credentials.ts";
import { isValidRegion, REGION_SHAPE } from "./aws/endpoint.ts";
import { MODEL_SETTING_ENTRIES, type ModelSettingValues } from "./model-settings.ts";

/** How a request picks among an entry's deployments (ARCHITECTURE.md, "Deployments and routing"). */
export type RoutingStrategy = "failover" | "weighted" | "least_busy";

const ROUTING_STRATEGIES: readonly RoutingStrategy[] = ["failover", "weighted", "least_busy"];

/** One copy of a model: where it lives and, when not the client's, how to reach it. */
export interface DeploymentConfig {
  /** `bedrock/<route>/<model-arn>`; every deployment of an entry has the same route. */
  model: string;
  /** This copy's region, when its model string does not say (a plain id). */
  region?: string | undefined;
  /** This copy's own AWS credentials (another account), instead of the client's. */
  credentials?: CredentialsOption | undefined;
  /** This copy's own Bedrock API key, instead of the client's credentials. */
  apiKey?: string | undefined;
  /** Its share of requests under `routing: "weighted"` (default 1). */
  weight?: number | undefined;
}

/** A models table entry serving one name from several deployments. */
export interface RoutedModelConfig extends ModelSettingValues {
  /** One to MAX_DEPLOYMENTS copies of the same model. */
  deployments: DeploymentConfig[];
  /** Default "failover": the first deployment that answers, in the order listed. */
  routing?: RoutingStrategy | undefined;
}

// A router tries every deployment of an entry in the worst case: a handful is what "copies in a
// few regions" means, and it bounds one request's upstream calls.
const MAX_DEPLOYMENTS = 16;

// A share is relative, so a million to one is as uneven as routing needs; past it, weights such as
// 1e308 summed to Infinity and sent every request to the last copy (numbers43 #4). 16 copies of a
// million stay far from any rounding.
const MAX_WEIGHT = 1_000_000;
const WEIGHT = `must be a number greater than 0, at most ${MAX_WEIGHT}`;

/** A region setting (a model's, a deployment's), checked as the client's own `region` is. */
export const regionSchema = v.optional(
  v.pipe(v.string(), v.check<string, typeof REGION_SHAPE>(isValidRegion, REGION_SHAPE)),
);

const DEPLOYMENT_FIELDS = "model, region, credentials, apiKey, weight";

/** Checks a DeploymentConfig; model.test.ts pins its output to that type. */
export const deploymentConfigSchema = v.strictObject(
  {
    model: v.pipe(v.string(), v.minLength(1)),
    region: regionSchema,
    credentials: v.optional(v.custom<CredentialsOption>(isCredentialsOption, CREDENTIALS_SHAPE)),
    apiKey: v.optional(v.pipe(v.string(), v.minLength(1))),
    weight: v.optional(
      v.pipe(v.number(WEIGHT), v.finite(WEIGHT), v.gtValue(0, WEIGHT), v.maxValue(MAX_WEIGHT, WEIGHT)),
    ),
  },
  (issue) =>
    issue.expected === "never" ? `is not a field of a deployment; they are ${DEPLOYMENT_FIELDS}` : "must be an object",
);

/** Checks a RoutedModelConfig; model.test.ts pins its output to that type. */
export const routedModelConfigSchema = v.strictObject(
  {
    deployments: v.pipe(
      v.array(deploymentConfigSchema, 'must be an array of deployments like { "model": "bedrock/…" }'),
      v.minLength(1, "must list at least one deployment"),
      v.maxLength(MAX_DEPLOYMENTS, `must list at most ${MAX_DEPLOYMENTS} deployments`),
    ),
    routing: v.optional(v.picklist(ROUTING_STRATEGIES, `must be one of ${ROUTING_STRATEGIES.join(", ")}`)),
    ...MODEL_SETTING_ENTRIES,
  },
  (issue) =>
    issue.expected === "never"
      ? "is not a setting of an entry with deployments (a deployment's own model, region, credentials and weight go in its deployments item)"
      : "must be an object",
);

/** An entry that lists deployments (or says how to route between them) is checked as one. */
export function isRoutedEntry(entry: unknown): boolean {
  // Values, not keys: `routing: undefined` is no routing (the option types say so).
  const { deployments, routing }: Partial<Record<string, unknown>> = Object(entry);
  return deployments !== undefined || routing !== undefined;
}
