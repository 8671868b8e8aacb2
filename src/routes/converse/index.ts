// The converse route: Bedrock's Converse and ConverseStream, for foundation models, inference
// profiles, provisioned models and the imports that take Converse. Bedrock applies the model's
// own template; the route maps OpenAI's shapes onto Converse's and back.
import type { ModelSettingValues } from "../../model-settings.ts";
import type { Route } from "../types.ts";
import { parseConverseAnswer } from "./answer.ts";
import { modelFamily } from "./model-family.ts";
import { takesReasoningControl } from "./reasoning.ts";
import { buildConverseBody } from "./request.ts";
import { createConverseStreamMapper } from "./stream.ts";

/** A reasoning_budget the model could never use fails every call: it is refused with the entry. */
function checkModel(modelId: string, settings: ModelSettingValues): string | undefined {
  if (settings.reasoning_budget === undefined || takesReasoningControl(modelFamily(modelId))) return undefined;
  return "reasoning_budget: this model id does not name a family with a documented reasoning control (Claude 3.7+, Nova 2, gpt-oss). Give the model's own fields in additional_model_request_fields instead.";
}

export const converseRoute: Route<"converse"> = {
  name: "converse",
  operation: "converse",
  settings: [
    "drop_params",
    "additional_model_request_fields",
    "guardrail_config",
    "reasoning_budget",
    "max_body_bytes",
    // Bedrock applies an imported model's own template, so what request text may spell matters
    // here too; client_template_kwargs does not, as Converse takes no template variables.
    "special_tokens",
    "max_n",
    "max_output_tokens",
  ],
  checkModel,
  buildBody: buildConverseBody,
  parseAnswer: parseConverseAnswer,
  createStreamMapper: createConverseStreamMapper,
};
