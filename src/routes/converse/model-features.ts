// What a model's family takes of Converse's tool use and images, as AWS documents it:
// - "Supported models and model features" (conversation-inference-supported-models-features):
//   separate "Tool use" and "Streaming tool use" columns. Meta Llama and Mistral AI models take
//   tools on Converse but not on ConverseStream (Bedrock: "This model doesn't support tool use in
//   streaming mode."); DeepSeek-R1 and Claude 2.x take no tools at all; Nova and Claude 3+ take both.
// - The API reference's ToolChoice: `tool` (a named tool) is "Only supported by Anthropic Claude
//   3 and Amazon Nova models".
// Ids that name no foundation model, and families the table does not settle here, are sent as
// they come: Bedrock answers for them. An id's family is read from the id that describes the model
// (describingModelId in ../foundation-model.ts: its foundation_model setting, else itself). Kept
// out of model-family.ts, which the main chunk loads for route-info.ts: only the route's own code
// needs these.
import { foundationModelId, type ModelFamily, modelFamily } from "./model-family.ts";

/** "streamed": tools on both operations; "plain": on Converse only; "none": no tool use. */
export type ToolUse = "streamed" | "plain" | "none";

/** The model's tool use, or undefined when its id does not say. */
export function toolUse(modelId: string): ToolUse | undefined {
  const family = modelFamily(modelId);
  switch (family) {
    case "claude_thinking":
    case "nova":
    case "nova2":
      return "streamed";
    case "claude":
      // Claude 3 and 3.5 take tools; Claude 2.x and Instant do not.
      return foundationModelId(modelId)?.startsWith("anthropic.claude-3") ? "streamed" : "none";
    case "meta":
    case "mistral":
      return "plain";
    case "deepseek_r1":
      return "none";
    default:
      return undefined;
  }
}

// The families the ToolChoice reference leaves out of `tool`: a named choice is refused for them.
const NO_NAMED_CHOICE: ReadonlySet<ModelFamily> = new Set(["meta", "mistral", "deepseek_r1", "gpt_oss"]);

/** Whether the model is documented as not taking a named tool choice (`toolChoice.tool`). */
export function refusesNamedToolChoice(modelId: string): boolean {
  return NO_NAMED_CHOICE.has(modelFamily(modelId));
}

/**
 * Whether the model is documented as taking text only: gpt-oss ("Considerations when
 * constructing the request body": text in, text out), DeepSeek-R1 (a text-to-text model), and the
 * feature table's Vision "No" for Nova Micro, Claude 3.5 Haiku and Claude 2.x / Instant. Other
 * ids get their images sent, and Bedrock answers.
 */
export function takesTextOnly(modelId: string): boolean {
  const family = modelFamily(modelId);
  if (family === "gpt_oss" || family === "deepseek_r1") return true;
  const id = foundationModelId(modelId) ?? "";
  if (family === "nova") return id.startsWith("amazon.nova-micro");
  if (family === "claude") return !id.startsWith("anthropic.claude-3") || id.startsWith("anthropic.claude-3-5-haiku");
  return false;
}

/**
 * Whether Bedrock checks the signature of this model's reasoning when it comes back: Claude's
 * signature is Anthropic's over the text, and Bedrock refuses a block that does not match it. No
 * other family's is documented to be checked, and an opaque id (an imported model, an application
 * inference profile) may serve a model whose own template renders the text: false for them.
 */
export function checksThinkingSignature(modelId: string): boolean {
  const family = modelFamily(modelId);
  return family === "claude" || family === "claude_thinking";
}
