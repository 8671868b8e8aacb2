// What a Converse model id says about the model behind it. Converse is one API over many
// families, but a few controls (reasoning, top_k, tool-call ids) live in each family's own
// request fields: the family picks them. Only ids that name a foundation model tell it; an
// application inference profile, a provisioned model or an imported model is opaque, unless its
// models-table entry names the model it serves (the foundation_model setting).

export type ModelFamily =
  /** Claude 3.7 and 4+: extended thinking with a token budget. */
  | "claude_thinking"
  /** Claude before 3.7: no extended thinking. */
  | "claude"
  /** Amazon Nova 2: extended thinking by effort level. */
  | "nova2"
  /** Amazon Nova 1 (micro, lite, pro, premier). */
  | "nova"
  /** OpenAI's open-weight gpt-oss models: reasoning effort low/medium/high. */
  | "gpt_oss"
  /** DeepSeek-R1: always reasons, with no control over it. */
  | "deepseek_r1"
  | "mistral"
  /** Meta's Llama models. */
  | "meta"
  /** Any other foundation model, or an id that names none. */
  | "other";

// Cross-region inference profiles prefix the foundation id with a geography.
const GEOGRAPHY = /^(?:us|eu|apac|global|us-gov|jp|au|ca)\./;
// ARNs whose resource part ends with a foundation id (possibly with a geography).
const NAMED_RESOURCE = /^arn:[^:]+:bedrock:[^:]*:[^:]*:(?:foundation-model|inference-profile)\/(.+)$/;

/** The foundation model id inside a model id, or undefined when the id names none. */
export function foundationModelId(modelId: string): string | undefined {
  let id = modelId;
  if (id.startsWith("arn:")) {
    const named = NAMED_RESOURCE.exec(id);
    if (!named) return undefined;
    id = named[1]!;
  }
  id = id.replace(GEOGRAPHY, "");
  // A foundation id is `<provider>.<model>`: anything else is not one.
  return /^[a-z0-9-]+\.[A-Za-z0-9]/.test(id) ? id : undefined;
}

/** The family of a Converse model id; "other" when the id does not say. */
export function modelFamily(modelId: string): ModelFamily {
  const id = foundationModelId(modelId);
  if (!id) return "other";
  if (id.startsWith("anthropic.claude")) return claudeFamily(id);
  if (id.startsWith("amazon.nova-2-")) return "nova2";
  if (id.startsWith("amazon.nova-")) return "nova";
  if (id.startsWith("openai.gpt-oss-")) return "gpt_oss";
  if (id.startsWith("deepseek.r1")) return "deepseek_r1";
  if (id.startsWith("mistral.")) return "mistral";
  if (id.startsWith("meta.llama")) return "meta";
  return "other";
}

// anthropic.claude-3-7-sonnet-…, anthropic.claude-sonnet-4-…, anthropic.claude-opus-4-1-…,
// anthropic.claude-haiku-4-5-…: extended thinking came with 3.7 and every generation since.
function claudeFamily(id: string): ModelFamily {
  if (id.startsWith("anthropic.claude-3-7-")) return "claude_thinking";
  const named = /^anthropic\.claude-(?:opus|sonnet|haiku)-(\d+)/.exec(id);
  return named && Number(named[1]) >= 4 ? "claude_thinking" : "claude";
}

/** The families whose reasoning Bedrock documents a control for (reasoning.ts). */
export function takesReasoningControl(family: ModelFamily): boolean {
  return family === "claude_thinking" || family === "nova2" || family === "gpt_oss";
}
