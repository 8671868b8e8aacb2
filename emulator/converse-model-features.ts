// Tool use, images and stop sequences by model, checked as Bedrock checks them on Converse and ConverseStream.
// Images on a text-only model (gpt-oss and DeepSeek-R1 by their model pages, Nova Micro, Claude
// 3.5 Haiku and Claude 2.x by the feature table's Vision column) are refused in our words: no
// report gives Bedrock's. Tool use sources: the
// user guide's "Supported models and model features" (its "Tool use" and "Streaming tool use"
// columns: Meta Llama and Mistral AI take tools on Converse only, DeepSeek-R1 and Claude 2.x take
// none), the API reference's ToolChoice (`tool`: "Only supported by Anthropic Claude 3 and Amazon
// Nova models"), and Bedrock's words as reported against it: "This model doesn't support tool use
// in streaming mode." (Llama 3.3 and 4, Mistral Large), "This model doesn't support tool use."
// (DeepSeek-R1); a named choice is refused in the words reported for `any` ("This model doesn't
// support the toolConfig.toolChoice.any field. …"). An application profile or a provisioned model
// is checked as the foundation model it serves, when its id says which (`+<foundation id>`,
// converse-model-id.ts), as Bedrock knows it; other ids that name no foundation model (such
// resources without it, imported models) are not checked. Pure; a string result is the complaint.
import type { ConverseTarget } from "./converse-model-id.ts";
import { isRecord } from "./request-checks.ts";

type ToolUse = "streamed" | "plain" | "none";

const GEOGRAPHY = /^(?:us|eu|apac|global|us-gov|jp|au|ca)\./;

/** The foundation id a target names or serves: `meta.llama3-3-70b-instruct-v1:0`, or undefined. */
export function foundationId(target: ConverseTarget): string | undefined {
  if (target.serves) return target.serves.replace(GEOGRAPHY, "");
  if (target.kind !== "foundation-model" && target.kind !== "inference-profile") return undefined;
  const id = target.name.startsWith("arn:") ? target.name.slice(target.name.lastIndexOf("/") + 1) : target.name;
  return id.replace(GEOGRAPHY, "");
}

function toolUseOf(id: string): ToolUse | undefined {
  if (id.startsWith("meta.") || id.startsWith("mistral.")) return "plain";
  if (id.startsWith("deepseek.r1")) return "none";
  if (id.startsWith("amazon.nova")) return "streamed";
  if (id.startsWith("anthropic.")) return /^anthropic\.claude-(?:v2|instant)/.test(id) ? "none" : "streamed";
  return undefined;
}

// Families the ToolChoice reference leaves out of `tool` (Claude 3+ and Nova take it): those whose
// refusal is reported. Others are not checked.
const NO_NAMED_CHOICE = /^(?:meta\.|mistral\.|deepseek\.r1|openai\.gpt-oss)/;

export function toolUseProblem(
  target: ConverseTarget,
  body: Record<string, unknown>,
  stream: boolean,
): string | undefined {
  const config = body.toolConfig;
  if (config === undefined) return undefined;
  const id = foundationId(target);
  if (!id) return undefined;
  const use = toolUseOf(id);
  if (use === "none") return "This model doesn't support tool use.";
  if (use === "plain" && stream) return "This model doesn't support tool use in streaming mode.";
  const choice = isRecord(config) ? config.toolChoice : undefined;
  if (isRecord(choice) && choice.tool !== undefined && NO_NAMED_CHOICE.test(id)) {
    return "This model doesn't support the toolConfig.toolChoice.tool field. Remove toolConfig.toolChoice.tool and try again.";
  }
  return undefined;
}

// Claude refuses a stop sequence of only whitespace, in Anthropic's words (reported through an
// OpenAI client's `stop: ["\n"]` in BerriAI/litellm#3286); Bedrock passes Claude's refusals on
// wrapped, as it does its "messages: text content blocks must contain non-whitespace text".
// Anthropic does not say which characters count as whitespace: the emulator takes JavaScript's
// `\s`. Other families take such stops (none is reported to refuse them).
const BLANK_STOP =
  "The model returned the following errors: stop_sequences: each stop sequence must contain non-whitespace";

export function stopSequenceProblem(target: ConverseTarget, stop: readonly string[]): string | undefined {
  const id = foundationId(target);
  if (!id?.startsWith("anthropic.")) return undefined;
  return stop.some((sequence) => sequence.trim() === "") ? BLANK_STOP : undefined;
}

const TEXT_ONLY = /^(?:openai\.gpt-oss|deepseek\.r1|amazon\.nova-micro|anthropic\.claude-(?:3-5-haiku|v2|instant))/;

export function imageProblem(target: ConverseTarget, body: Record<string, unknown>): string | undefined {
  return contentKindProblem(target, body, TEXT_ONLY, "image");
}

/** The refusal of the first message holding a `kind` block, on a model `refusedBy` names. */
export function contentKindProblem(
  target: ConverseTarget,
  body: Record<string, unknown>,
  refusedBy: RegExp,
  kind: "image" | "document",
): string | undefined {
  const id = foundationId(target);
  if (!id || !refusedBy.test(id) || !Array.isArray(body.messages)) return undefined;
  const index = body.messages.findIndex(
    (message) =>
      isRecord(message) &&
      Array.isArray(message.content) &&
      message.content.some((block) => isRecord(block) && block[kind] !== undefined),
  );
  return index < 0 ? undefined : `messages.${index}: this model doesn't support ${kind} content; send text only.`;
}

// Prompt caching ("Prompt caching for faster model inference"): cache points in `system`,
// `messages` and (Claude only: Nova caches no tools) `toolConfig.tools`, on Claude 3.5 Haiku,
// 3.7 Sonnet and Claude 4+, and on Nova; a one-hour `ttl` on Claude 4.5 and later. Elsewhere
// Bedrock refuses the request in these words (as gateways that sent cache points to Llama, Qwen
// or Nemotron reported them; some saw them as a 403, most as a 400: the emulator answers the 400).
// Ids that name no foundation model, and serve none the emulator is told of, are not checked.
const CACHING = /^(?:anthropic\.claude-(?:3-5-haiku|3-7-|(?:opus|sonnet|haiku)-\d)|amazon\.nova-)/;
const HOUR_LONG_CACHE = /^anthropic\.claude-(?:opus|sonnet|haiku)-(?:4-[5-9](?!\d)|[5-9])/;
export const UNCACHED_MODEL = "You invoked an unsupported model or your request did not allow prompt caching.";

export function cachePointProblem(target: ConverseTarget, body: Record<string, unknown>): string | undefined {
  const points: Array<{ value: unknown; path: string; inTools: boolean }> = [];
  const collect = (blocks: unknown, path: string, inTools = false) => {
    if (!Array.isArray(blocks)) return;
    blocks.forEach((block, index) => {
      if (isRecord(block) && block.cachePoint !== undefined)
        points.push({ value: block.cachePoint, path: `${path}.${index + 1}.member.cachePoint`, inTools });
    });
  };
  collect(body.system, "system");
  if (Array.isArray(body.messages)) {
    body.messages.forEach((message, index) => {
      if (isRecord(message)) collect(message.content, `messages.${index + 1}.member.content`);
    });
  }
  if (isRecord(body.toolConfig)) collect(body.toolConfig.tools, "toolConfig.tools", true);
  for (const { value, path } of points) {
    const type = isRecord(value) ? value.type : undefined;
    if (type !== "default") {
      return `1 validation error detected: Value ${typeof type === "string" ? `'${type.slice(0, 60)}'` : "null"} at '${path}.type' failed to satisfy constraint: Member must satisfy enum value set: [default]`;
    }
    const ttl = isRecord(value) ? value.ttl : undefined;
    if (ttl !== undefined && ttl !== "5m" && ttl !== "1h") {
      return `1 validation error detected: Value '${String(ttl).slice(0, 60)}' at '${path}.ttl' failed to satisfy constraint: Member must satisfy enum value set: [5m, 1h]`;
    }
  }
  const id = foundationId(target);
  if (!id || points.length === 0) return undefined;
  if (!CACHING.test(id)) return UNCACHED_MODEL;
  if (!id.startsWith("anthropic.") && points.some((point) => point.inTools)) return UNCACHED_MODEL;
  const afterTextDocument = id.startsWith("anthropic.") ? pointAfterTextDocument(body.messages) : undefined;
  if (afterTextDocument) return afterTextDocument;
  // Anthropic's limit, passed on wrapped as Bedrock passes Claude's refusals.
  if (id.startsWith("anthropic.") && points.length > 4) {
    return `The model returned the following errors: A maximum of 4 blocks with cache_control may be provided. Found ${points.length}.`;
  }
  const hourLong = points.some(({ value }) => isRecord(value) && value.ttl === "1h");
  return hourLong && !HOUR_LONG_CACHE.test(id) ? UNCACHED_MODEL : undefined;
}

// Claude refuses a cachePoint right after a document of any format but pdf (the formats Bedrock
// passes on as extracted text): Bedrock makes the point a block of its own with no type, and
// Anthropic's check names it, as live calls reported (aws/aws-sdk-java-v2#6277: `[text, csv,
// cachePoint]` refused at `messages.0.content.2`, `[csv, text, cachePoint]` served, the same for
// txt, md, html, docx and xlsx, pdf and images served; strands-agents/harness-sdk#1966). Its index
// is the block's in Anthropic's message: an earlier cache point is a mark on its block, no block.
function pointAfterTextDocument(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (const [index, message] of messages.entries()) {
    if (!isRecord(message) || !Array.isArray(message.content)) continue;
    let blocks = 0;
    let previous: unknown;
    for (const block of message.content) {
      if (isRecord(block) && block.cachePoint !== undefined) {
        const document = isRecord(previous) ? previous.document : undefined;
        if (isRecord(document) && document.format !== "pdf") {
          return `The model returned the following errors: messages.${index}.content.${blocks}.type: Field required`;
        }
      } else blocks++;
      previous = block;
    }
  }
  return undefined;
}
