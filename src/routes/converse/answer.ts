// A Converse answer -> one chat.completion choice and its usage. Read defensively: whatever the
// model family adds, only the documented fields are taken.
import { badUpstream } from "../../errors.ts";
import { randomId } from "../../ids.ts";
import { isJsonObject, type JsonObject } from "../../json.ts";
import type { CompletionMessage, FinishReason, ThinkingBlock, ToolCall, Usage } from "../../openai/types.ts";
import { finishWithCalls } from "../answer-parts.ts";
import { createStopCutter } from "../stop-cutter.ts";
import type { RouteAnswer } from "../types.ts";
import { tokenCount } from "../usage.ts";
import { answeredServiceTier } from "./service-tier.ts";
import { matchedStop } from "./stops.ts";
import { toolArguments, writtenInputs } from "./tool-input.ts";

/**
 * Converse's stopReason in OpenAI's words. The malformed_* reasons (the model wrote something
 * Bedrock could not parse) have no OpenAI counterpart: the answer simply stopped.
 */
export function converseFinishReason(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "guardrail_intervened":
    case "content_filtered":
      return "content_filter";
    default:
      return "stop";
  }
}

/**
 * Converse's usage in OpenAI's shape. Bedrock counts cache reads and writes apart from
 * inputTokens, while OpenAI's prompt_tokens includes cached tokens: they are added back, with
 * reads as prompt_tokens_details.cached_tokens (OpenAI's field) and writes as
 * prompt_tokens_details.cache_write_tokens (OpenRouter's name for what OpenAI has none for).
 */
export function converseUsage(value: unknown): Usage | undefined {
  if (!isJsonObject(value)) return undefined;
  const input = tokenCount(value.inputTokens);
  const output = tokenCount(value.outputTokens);
  if (input === undefined || output === undefined) return undefined;
  const read = tokenCount(value.cacheReadInputTokens);
  const write = tokenCount(value.cacheWriteInputTokens);
  const prompt = input + (read ?? 0) + (write ?? 0);
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: output, total_tokens: prompt + output };
  if (read !== undefined || write !== undefined) {
    usage.prompt_tokens_details = { cached_tokens: read ?? 0 };
    if (write !== undefined) usage.prompt_tokens_details.cache_write_tokens = write;
  }
  return usage;
}

/** A toolUse block (answer or stream start) -> an OpenAI tool call id, never empty. */
export function callId(toolUseId: unknown): string {
  return typeof toolUseId === "string" && toolUseId ? toolUseId : randomId("call_");
}

/**
 * The answer's body, parsed, and as Bedrock wrote it (`text`, where the tool calls' inputs are read).
 * `stops`: the stop sequences applied here (stops.ts). The text ends before the first, and the
 * answer with it (a model server stops there): the blocks after it are not read, the finish is
 * "stop". Reasoning and tool calls before it are kept; no stop is looked for in them, nor across them.
 */
export function parseConverseAnswer(body: JsonObject, text?: string, stops: readonly string[] = []): RouteAnswer {
  const output = isJsonObject(body.output) ? body.output : undefined;
  const source = output && isJsonObject(output.message) ? output.message : undefined;
  if (!source || !Array.isArray(source.content)) {
    throw badUpstream("The model's answer has no output.message (route converse); is this a Converse model?");
  }
  let content = "";
  let reasoning = "";
  const thinking: ThinkingBlock[] = [];
  const toolCalls: ToolCall[] = [];
  const written = writtenInputs(text);
  const cutter = stops.length ? createStopCutter(stops) : undefined;
  let stopped = false;
  source.content.forEach((block: unknown, index) => {
    if (!isJsonObject(block) || stopped) return;
    if (typeof block.text === "string") {
      if (!cutter) content += block.text;
      else {
        const kept = cutter.push(block.text);
        content += kept.text;
        stopped = kept.stopped;
      }
      return;
    }
    // Reasoning or a tool call ends the text before it: no stop spans them (the model never
    // wrote the text on either side together), and the tail held back is the answer's.
    if (cutter && (isJsonObject(block.reasoningContent) || isJsonObject(block.toolUse))) content += cutter.flush();
    if (isJsonObject(block.reasoningContent)) {
      const read = reasoningText(block.reasoningContent);
      reasoning += read.text;
      if (read.block) thinking.push(read.block);
    } else if (isJsonObject(block.toolUse)) toolCalls.push(toolCall(block.toolUse, written(index)));
  });
  if (cutter && !stopped) {
    // A stop Bedrock applied (and cut off) ends the text: one applied here may complete inside it.
    const upstream = matchedStop(body.stopReason, body.additionalModelResponseFields);
    content += upstream === undefined ? cutter.flush() : cutter.close(upstream);
  }
  const message: CompletionMessage = {
    role: "assistant",
    content: toolCalls.length && !content ? null : content,
    refusal: null,
  };
  if (reasoning) message.reasoning_content = reasoning;
  if (thinking.length) message.thinking_blocks = thinking;
  if (toolCalls.length) message.tool_calls = toolCalls;
  const usage = converseUsage(body.usage);
  // Calls given back end the answer with tool_calls, whatever Bedrock named (end_turn, a stop
  // sequence after them), as on every other route (finishWithCalls).
  const finish = finishWithCalls(stopped ? "stop" : converseFinishReason(body.stopReason), toolCalls.length);
  const answer: RouteAnswer = { choices: [{ index: 0, message, finish_reason: finish }] };
  if (usage) answer.usage = usage;
  const tier = answeredServiceTier(body.serviceTier);
  if (tier) answer.service_tier = tier;
  return answer;
}

/**
 * A reasoningContent block's readable text, and the block to send back when the model signed
 * it or redacted it (encrypted bytes: nothing to read, but Claude needs them back). Unsigned
 * reasoning is never sent back, so it makes no thinking block.
 */
function reasoningText(block: JsonObject): { text: string; block?: ThinkingBlock } {
  if (typeof block.redactedContent === "string") {
    return { text: "", block: { type: "redacted_thinking", data: block.redactedContent } };
  }
  const source = isJsonObject(block.reasoningText) ? block.reasoningText : {};
  const text = typeof source.text === "string" ? source.text : "";
  const signature = source.signature;
  return typeof signature === "string" && signature
    ? { text, block: { type: "thinking", thinking: text, signature } }
    : { text };
}

function toolCall(block: JsonObject, written: string | undefined): ToolCall {
  return {
    id: callId(block.toolUseId),
    type: "function",
    function: {
      name: typeof block.name === "string" ? block.name : "",
      arguments: toolArguments(block.input, written),
    },
  };
}
