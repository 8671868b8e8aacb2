// Claude's extended thinking on Converse (`additionalModelRequestFields.thinking`), checked as
// Bedrock checks it. Claude's own refusals come back wrapped as Bedrock wraps them ("The model
// returned the following errors: …"). Sources:
// - Bedrock user guide, claude-messages-extended-thinking, "Working with thinking encryption":
//   thinking blocks must be sent back unmodified when using tools with extended thinking; Claude
//   answers an assistant tool turn without one with "messages.1.content.0.type: Expected
//   `thinking` or `redacted_thinking`, but found `tool_use`. When `thinking` is enabled, a final
//   `assistant` message must start with a thinking block …" (as reported against Bedrock in
//   pydantic-ai#2453, langchain-aws#844, bedrock-engineer#43).
// Pure; a string result is the complaint.
import { isRecord } from "./request-checks.ts";

const MODEL_ERRORS = "The model returned the following errors: ";

/** Whether the request turns Claude's thinking on (`enabled`, or Claude 4.6's `adaptive`). */
function thinkingEnabled(fields: unknown): boolean {
  const thinking = isRecord(fields) ? fields.thinking : undefined;
  return isRecord(thinking) && (thinking.type === "enabled" || thinking.type === "adaptive");
}

/** The complaint about a thinking-enabled request's messages, or undefined when they are fine. */
export function thinkingProblem(body: Record<string, unknown>): string | undefined {
  if (!thinkingEnabled(body.additionalModelRequestFields)) return undefined;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return toolTurnProblem(messages);
}

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
