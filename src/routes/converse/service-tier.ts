// service_tier on the converse route: OpenAI's names -> Converse's serviceTier, within the tiers
// the model's entry lets a request ask for (the proxy's keys are paid by its operator, and priority
// costs more than the standard rate), and the tier Bedrock says served -> OpenAI's names again.
import { describeValue } from "../../describe-value.ts";
import { invalidRequest } from "../../errors.ts";
import { isJsonObject } from "../../json.ts";
import type { ModelSettingValues } from "../../model-settings.ts";
import type { ServiceTier } from "../../openai/types.ts";
import { isImportedModel } from "../foundation-model.ts";
import type { ParamProblem } from "./params.ts";
import { type BedrockServiceTier, DEFAULT_SERVICE_TIERS } from "./service-tier-names.ts";

/**
 * OpenAI's request values in Bedrock's words. "fast" is openai 7's name for priority (OpenAI's
 * answers say "priority" for it). "scale", OpenAI's Scale Tier, is tokens per minute bought ahead
 * for a term, overflowing to pay-as-you-go: what Bedrock's reserved tier is.
 */
const REQUESTED: Readonly<Record<string, BedrockServiceTier>> = {
  default: "default",
  flex: "flex",
  priority: "priority",
  fast: "priority",
  scale: "reserved",
};

const ANSWERED: Readonly<Record<BedrockServiceTier, ServiceTier>> = {
  default: "default",
  flex: "flex",
  priority: "priority",
  reserved: "scale",
};

const REQUEST_VALUES = '"auto", "default", "flex", "priority" (or "fast") or "scale" (Bedrock\'s reserved tier)';

type TierSettings = Pick<ModelSettingValues, "service_tier" | "service_tiers">;

/**
 * Converse's serviceTier for a request's service_tier: "auto" or none is the model's own
 * service_tier setting, else nothing (Bedrock's default). A tier the entry's service_tiers does not
 * list (nor its service_tier names) is a 400 naming service_tier. An imported model is sent none
 * (serviceTierProblem says why it cannot take one).
 */
export function serviceTierFor(
  requested: unknown,
  settings: TierSettings,
  modelId: string,
): { type: BedrockServiceTier } | undefined {
  if (isImportedModel(modelId)) return undefined;
  const tier = requestedTier(requested);
  if (tier === undefined) {
    return settings.service_tier === undefined ? undefined : { type: settings.service_tier };
  }
  const allowed = settings.service_tiers ?? DEFAULT_SERVICE_TIERS;
  if (tier !== settings.service_tier && !allowed.includes(tier)) {
    const offered = allowed.length
      ? `it lets a request ask for ${allowed.join(", ")} only`
      : "it lets a request ask for none";
    throw invalidRequest(
      `service_tier ${JSON.stringify(requested)} asks for Bedrock's ${tier} tier, which this model is not configured to offer (${offered}): leave service_tier out or send "auto", or have the operator add "${tier}" to the model's service_tiers setting.`,
      "service_tier",
    );
  }
  return { type: tier };
}

/**
 * Why `modelId` cannot be served in the tier a request asks for: an imported model has no tiers
 * (Custom Model Import serves on demand only; Bedrock's priority, flex and reserved tiers are for
 * some foundation models). A problem the route cannot honour, as its others: refused, or dropped
 * under drop_params, served in the default tier as it always is. "default" asks for that tier.
 */
export function serviceTierProblem(requested: unknown, modelId: string): ParamProblem | undefined {
  if (!isImportedModel(modelId)) return undefined;
  const tier = requestedTier(requested);
  if (tier === undefined || tier === "default") return undefined;
  return {
    param: "service_tier",
    why: `${JSON.stringify(requested)} asks for Bedrock's ${tier} tier, which an imported model does not have: Bedrock serves Custom Model Import on demand, in its default tier only ("auto" and "default" ask for that)`,
  };
}

/** The Bedrock tier a request's service_tier names; undefined for none or "auto". A value that names none is a 400. */
function requestedTier(requested: unknown): BedrockServiceTier | undefined {
  if (requested == null || requested === "auto") return undefined;
  const tier = typeof requested === "string" && Object.hasOwn(REQUESTED, requested) ? REQUESTED[requested] : undefined;
  if (tier === undefined) {
    throw invalidRequest(
      `service_tier must be one of ${REQUEST_VALUES}, not ${describeValue(requested)}.`,
      "service_tier",
    );
  }
  return tier;
}

/** The tier a Converse answer (or ConverseStream's metadata) says served it; undefined when it says none. */
export function answeredServiceTier(serviceTier: unknown): ServiceTier | undefined {
  const type = isJsonObject(serviceTier) ? serviceTier.type : undefined;
  return typeof type === "string" && Object.hasOwn(ANSWERED, type) ? ANSWERED[type as BedrockServiceTier] : undefined;
}
