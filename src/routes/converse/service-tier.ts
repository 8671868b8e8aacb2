// service_tier on the converse route: OpenAI's names -> Converse's serviceTier, within the tiers
// the model's entry lets a request ask for (the proxy's keys are paid by its operator, and priority
// costs more than the standard rate), and the tier Bedrock says served -> OpenAI's names again.
import { invalidRequest } from "../../errors.ts";
import { isJsonObject } from "../../json.ts";
import type { ModelSettingValues } from "../../model-settings.ts";
import type { ServiceTier } from "../../openai/types.ts";
import { isImportedModel } from "../foundation-model.ts";
import { importedModelTierProblem, requestedTier } from "../parameters.ts";
import type { ParamProblem } from "./params.ts";
import { type BedrockServiceTier, DEFAULT_SERVICE_TIERS } from "../setting-names.ts";

const ANSWERED: Readonly<Record<BedrockServiceTier, ServiceTier>> = {
  default: "default",
  flex: "flex",
  priority: "priority",
  reserved: "scale",
};

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

/** Why `modelId` cannot be served in the tier a request asks for, when it is an imported model. */
export function serviceTierProblem(requested: unknown, modelId: string): ParamProblem | undefined {
  return isImportedModel(modelId) ? importedModelTierProblem(requested) : undefined;
}

/** The tier a Converse answer (or ConverseStream's metadata) says served it; undefined when it says none. */
export function answeredServiceTier(serviceTier: unknown): ServiceTier | undefined {
  const type = isJsonObject(serviceTier) ? serviceTier.type : undefined;
  return typeof type === "string" && Object.hasOwn(ANSWERED, type) ? ANSWERED[type as BedrockServiceTier] : undefined;
}
