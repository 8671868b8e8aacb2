// What is known of each route before its code is loaded: its operation, the per-model settings it
// honours and its check of a models-table entry. The client and parseModels need only this; a
// route's templates and answer rules load on its first call (index.ts). Each route module takes
// its fields from here, so the two cannot drift apart (routes.test.ts checks that too).
import { imageFamily } from "./image-family-ids.ts";
import type { ModelSettingName, ModelSettingValues } from "../model-settings.ts";
import { modelFamily, takesReasoningControl } from "./converse/model-family.ts";
import { describingModelId, foundationModelProblem, isImportedModel } from "./foundation-model.ts";
import type { Route } from "./types.ts";

export type RouteInfo = Pick<Route, "operation" | "settings" | "checkModel">;

/** What a route that renders its own prompt can be told per model (model-settings.ts). */
export const COMPLETION_ROUTE_INFO: RouteInfo = {
  operation: "invoke",
  settings: [
    "template",
    "chat_template",
    "bos_token",
    "eos_token",
    "drop_params",
    "max_body_bytes",
    "wire_format",
    "special_tokens",
    "max_n",
    "max_output_tokens",
    "client_template_kwargs",
  ],
};

/**
 * The model applies its own chat template: no template settings, but which of its variables a
 * request may set (client_template_kwargs), what request text may spell (special_tokens), whether
 * fields the route does not send are refused or dropped (drop_params), the caps, the body limit,
 * and the parser of tool calls the model writes as text.
 */
export const OPENAI_ROUTE_INFO: RouteInfo = {
  operation: "invoke",
  settings: [
    "max_body_bytes",
    "special_tokens",
    "max_n",
    "max_output_tokens",
    "client_template_kwargs",
    "drop_params",
    "tool_parser",
  ],
};

const CONVERSE_SETTINGS: readonly ModelSettingName[] = [
  "drop_params",
  "additional_model_request_fields",
  "guardrail_config",
  "reasoning_budget",
  "foundation_model",
  "service_tier",
  "service_tiers",
  "latency",
  "max_body_bytes",
  // Bedrock applies an imported model's own template, so what request text may spell matters
  // here too; client_template_kwargs does not, as Converse takes no template variables.
  "special_tokens",
  "max_n",
  "max_output_tokens",
];

// The Claude generations Bedrock serves: any other anthropic.claude… is a typo, which would be
// read as Claude 2 and lose tools, images and reasoning.
const KNOWN_CLAUDE = /^anthropic\.claude-(?:v2|instant-|3-|(?:opus|sonnet|haiku)-\d)/;

function isKnownChatModel(id: string): boolean {
  const family = modelFamily(id);
  return family.startsWith("claude") ? KNOWN_CLAUDE.test(id) : family !== "other";
}

export const CONVERSE_ROUTE_INFO: RouteInfo = {
  operation: "converse",
  settings: CONVERSE_SETTINGS,
  // A foundation_model that could disagree with the id, or would change nothing, a tier setting on
  // an import (which has none), and a reasoning_budget the model could never use (which fails every
  // call), are refused with the entry.
  checkModel(modelId: string, settings: ModelSettingValues) {
    const { reasoning_budget: budget, max_output_tokens: cap, foundation_model: named } = settings;
    const tiered = importedTierSetting(modelId, settings);
    if (tiered) return tiered;
    const misnamed =
      named === undefined
        ? undefined
        : foundationModelProblem(
            modelId,
            named,
            isKnownChatModel,
            "foundation_model: it names no family bedrock-edge knows (a foundation id of Claude, Nova, gpt-oss, DeepSeek-R1, Mistral or Llama, as anthropic.claude-sonnet-4-5-20250929-v1:0, with a cross-region prefix or not).",
          );
    if (misnamed) return misnamed;
    // The model the entry says the id serves, else the id's own.
    const family = modelFamily(describingModelId(modelId, { foundation_model: named }));
    if (budget === undefined) return undefined;
    if (!takesReasoningControl(family)) {
      return "reasoning_budget: this model id does not name a family with a documented reasoning control (Claude 3.7+, Nova 2, gpt-oss): name an opaque id's model in foundation_model, or give its own fields in additional_model_request_fields.";
    }
    // The cap becomes every request's limit, and Claude thinks within it, 1024 tokens at least.
    if (family === "claude_thinking" && cap !== undefined && cap <= 1024) {
      return "max_output_tokens: Claude thinks within it (reasoning_budget), so it must be above 1024.";
    }
  },
};

/**
 * A tier setting on an imported model, which has no tiers (Custom Model Import serves on demand
 * only): the route never sends one there, so the setting would say what is not done.
 */
function importedTierSetting(
  modelId: string,
  settings: Pick<ModelSettingValues, "service_tier" | "service_tiers">,
): string | undefined {
  if (!isImportedModel(modelId)) return undefined;
  const setting = (["service_tier", "service_tiers"] as const).find((name) => settings[name] !== undefined);
  return (
    setting &&
    `${setting}: an imported model has no service tiers (Bedrock serves Custom Model Import on demand, in its default tier only), so the converse route sends it none. Remove it from this entry.`
  );
}

/** An id (or an ARN ending in one) of an embedding family the embed route speaks. */
const EMBEDDING_ID =
  /(?:^|[/.])(?:amazon\.titan-embed-(?:text-v1|text-v2|g1-text-02)|cohere\.embed-(?:english-v3|multilingual-v3|v4))/;

/**
 * Bedrock's embedding models (Titan Text Embeddings, Cohere Embed), called with InvokeModel by
 * bedrock.embeddings (src/embeddings/): their family is read from the id, or from the entry's
 * foundation_model for an id that names none, so an entry that says none is refused now rather
 * than on every call.
 */
export const EMBED_ROUTE_INFO: RouteInfo = {
  operation: "invoke",
  settings: ["max_body_bytes", "foundation_model"],
  checkModel(modelId: string, { foundation_model: named }: ModelSettingValues) {
    if (named !== undefined) {
      return foundationModelProblem(
        modelId,
        named,
        (id) => EMBEDDING_ID.test(id),
        "foundation_model: it names no embedding model the embed route speaks (a foundation id of Titan Text Embeddings V1 or V2, or Cohere Embed v3 or v4, as amazon.titan-embed-text-v2:0, with a cross-region prefix or not).",
      );
    }
    if (EMBEDDING_ID.test(modelId)) return undefined;
    return "model: the embed route serves Bedrock's embedding models (Titan Text Embeddings, Cohere Embed v3 and v4), and this id names none (an application inference profile or a provisioned model names the one it serves in foundation_model).";
  },
};

/**
 * Bedrock's image models (Amazon Nova Canvas, Titan Image Generator v2, Stability's SD3.5 Large,
 * Stable Image Core, Ultra and Stable Image Inpaint), called with InvokeModel
 * by bedrock.images (src/images/): their family is read from the id, so an entry whose id names
 * none is refused now rather than on every call.
 */
export const IMAGE_ROUTE_INFO: RouteInfo = {
  operation: "invoke",
  settings: ["max_body_bytes", "drop_params"],
  checkModel(modelId: string) {
    if (imageFamily(modelId)) return undefined;
    return "model: the image route serves Bedrock's image models (Amazon Nova Canvas, Titan Image Generator v2, Stability's SD3.5 Large, Stable Image Core, Ultra and Stable Image Inpaint), and this id names none.";
  },
};
