// Claude's extended thinking on Converse (`additionalModelRequestFields.thinking`), and Nova 2's
// reasoning at high effort, checked as Bedrock checks them. Claude's own refusals come back wrapped as Bedrock wraps them ("The model
// returned the following errors: …"). Sources:
// - Bedrock user guide, claude-messages-extended-thinking, "Working with thinking encryption":
//   thinking blocks must be sent back unmodified when using tools with extended thinking; Claude
//   answers an assistant tool turn without one with "messages.1.content.0.type: Expected
//   `thinking` or `redacted_thinking`, but found `tool_use`. When `thinking` is enabled, a final
//   `assistant` message must start with a thinking block …" (as reported against Bedrock in
//   pydantic-ai#2453, langchain-aws#844, bedrock-engineer#43).
// - the same guide, "Feature compatibility": "Thinking isn't compatible with temperature, top_p,
//   or top_k modifications or forced tool use"; "You cannot pre-fill responses when thinking is
//   enabled"; and "Performance considerations": "Streaming is required when max_tokens is
//   greater than 21,333". Claude's words for the first three are the ones reported against it
//   ("`temperature` may only be set to 1 when thinking is enabled", "top_p must be unset when
//   thinking is enabled" from Bedrock, "`top_k` must be unset…", "Thinking may not be enabled
//   when tool_choice forces tool use."); the last two are ours, after the guide.
// Pure; a string result is the complaint.
import { isRecord } from "./request-checks.ts";

const MODEL_ERRORS = "The model returned the following errors: ";

/** Whether the request turns Claude's thinking on (`enabled`, or Claude 4.6's `adaptive`). */
function thinkingEnabled(fields: unknown): boolean {
  const thinking = isRecord(fields) ? fields.thinking : undefined;
  return isRecord(thinking) && (thinking.type === "enabled" || thinking.type === "adaptive");
}

// The Claude models with extended thinking (Bedrock user guide, claude-messages-extended-thinking):
// 3.7 Sonnet and every Claude 4. Each answers a thinking block first whenever thinking is on.
const THINKING_CLAUDE = /^anthropic\.claude-(?:3-7-sonnet|sonnet-4|opus-4|haiku-4)/;

/**
 * Whether the answer starts with reasoning though the id has no `think` option: thinking is on
 * and `foundationId` (the foundation model an id names or serves, if any) is a Claude that thinks.
 * Ids that name none and serve none the emulator is told of reason only with `think`.
 */
export function thinksOnRequest(foundationId: string | undefined, fields: unknown): boolean {
  return foundationId !== undefined && THINKING_CLAUDE.test(foundationId) && thinkingEnabled(fields);
}

/** Plain Converse takes no larger maxTokens with thinking on. */
const MAX_PLAIN_THINKING_TOKENS = 21_333;

/**
 * Amazon Nova 2's reasoning (`additionalModelRequestFields.reasoningConfig`) at high effort takes
 * no maxTokens, as Amazon's engineers state it (inspect_ai#3767); the wording is ours.
 */
function novaReasoningProblem(fields: unknown, inference: Record<string, unknown>): string | undefined {
  const config = isRecord(fields) ? fields.reasoningConfig : undefined;
  if (!isRecord(config) || config.type !== "enabled" || config.maxReasoningEffort !== "high") return undefined;
  return inference.maxTokens === undefined
    ? undefined
    : "inferenceConfig.maxTokens must not be set when reasoningConfig.maxReasoningEffort is high.";
}

/** The complaint about a thinking-enabled request, or undefined when it is fine. */
export function thinkingProblem(body: Record<string, unknown>, stream: boolean): string | undefined {
  const fields = body.additionalModelRequestFields;
  const nova = novaReasoningProblem(fields, isRecord(body.inferenceConfig) ? body.inferenceConfig : {});
  if (nova) return nova;
  if (!thinkingEnabled(fields)) return undefined;
  const inference = isRecord(body.inferenceConfig) ? body.inferenceConfig : {};
  if (inference.temperature !== undefined && inference.temperature !== 1) {
    return `${MODEL_ERRORS}\`temperature\` may only be set to 1 when thinking is enabled. Please consult our documentation at ${CONSIDERATIONS}`;
  }
  if (inference.topP !== undefined) return `${MODEL_ERRORS}top_p must be unset when thinking is enabled.`;
  if (isRecord(fields) && fields.top_k !== undefined) {
    return `${MODEL_ERRORS}\`top_k\` must be unset when thinking is enabled. Please consult our documentation at ${CONSIDERATIONS}`;
  }
  const choice = isRecord(body.toolConfig) ? body.toolConfig.toolChoice : undefined;
  if (isRecord(choice) && (choice.any !== undefined || choice.tool !== undefined)) {
    return `${MODEL_ERRORS}Thinking may not be enabled when tool_choice forces tool use.`;
  }
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last = messages[messages.length - 1];
  if (isRecord(last) && last.role === "assistant") {
    return `${MODEL_ERRORS}messages.${messages.length - 1}: the final message cannot be an assistant prefill when thinking is enabled.`;
  }
  const maxTokens = inference.maxTokens;
  if (!stream && typeof maxTokens === "number" && maxTokens > MAX_PLAIN_THINKING_TOKENS) {
    return `With thinking enabled, maxTokens above ${MAX_PLAIN_THINKING_TOKENS} needs streaming: use ConverseStream (got ${maxTokens}).`;
  }
  return toolTurnProblem(messages);
}

const CONSIDERATIONS =
  "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#important-considerations-when-using-extended-thinking";

/**
 * The final assistant turn of an open tool loop (followed by the user turn of its results) must
 * start with the signed reasoning it was answered with: Claude verifies the thinking that led to
 * the tool calls. Earlier turns may leave theirs out (Claude ignores them).
 */
function toolTurnProblem(messages: unknown[]): string | undefined {
  const index = messages.findLastIndex((message) => isRecord(message) && message.role === "assistant");
  const turn = messages[index];
  const content = isRecord(turn) && Array.isArray(turn.content) ? turn.content : [];
  if (!content.some((block) => isRecord(block) && block.toolUse !== undefined)) return undefined;
  const first = content[0];
  if (isRecord(first) && first.reasoningContent !== undefined) return undefined;
  const found = isRecord(first) && first.toolUse !== undefined ? "tool_use" : "text";
  return `${MODEL_ERRORS}messages.${index}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${found}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`;
}
