// What the four completion-format routes (deepseek_r1, llama, qwen3, qwen2) share: the
// `{prompt, max_gen_len, …}` body, the refusal of parameters they cannot honour (parameters.ts),
// forced tool calls (forced-call.ts), and the answer text -> reasoning / content / tool calls
// mapping. Each route is this plus its data.
import { badUpstream, invalidRequest, type BedrockEdgeError } from "../errors.ts";
import { CHUNK_EVENT } from "../eventstream/events.ts";
import { randomId } from "../ids.ts";
import type {
  ChatCompletionRequest,
  ChunkToolCall,
  CompletionMessage,
  FinishReason,
  ToolCall,
  Usage,
} from "../openai/types.ts";
import { createAnswerSplitter, type AnswerPart, type ToolSyntax } from "./answer-splitter.ts";
import { callPrefill, type ForcedCallFormat, forcedCall, promptPrefill } from "./forced-call.ts";
import { imageData } from "./images.ts";
import { checkParameters } from "./parameters.ts";
import { COMPLETION_ROUTE_INFO } from "./route-info.ts";
import type { ModelSettings, PromptRenderer, Route, StreamMapper, StreamPart } from "./types.ts";
import { wireFormatOf } from "./wire-formats/index.ts";
import { finishReason, makeUsage, tokenCount, usageFromBody, usageFromCounts } from "./usage.ts";

export interface CompletionRouteSpec<Name extends string = string> {
  name: Name;
  /** The family's own chat template. */
  render: PromptRenderer;
  reasoning: "always" | "detect" | "never";
  /** How the family writes tool calls; absent when its template has none. */
  tools?: ToolSyntax;
  /** How the family opens a call `tool_choice` forces (prefilled); absent: only "auto" and "none". */
  forcedCalls?: ForcedCallFormat;
  /** The template variable that switches thinking on and off, which `reasoning_effort` sets (qwen3). */
  thinkingSwitch?: string;
  /** End-of-turn tokens the model may print at the end of its text. */
  endMarkers: readonly string[];
}

function offersTools(request: ChatCompletionRequest): boolean {
  return (request.tools?.length ?? 0) > 0 && request.tool_choice !== "none";
}

/**
 * `chat_template_kwargs`, with `reasoning_effort` applied where the family has a thinking switch:
 * "none" and "minimal" switch thinking off (Qwen3 cannot think a little), other efforts leave it on.
 * A contradiction between the two is the caller's to resolve.
 */
function templateKwargs(spec: CompletionRouteSpec, request: ChatCompletionRequest): Record<string, unknown> {
  const kwargs = request.chat_template_kwargs ?? {};
  const effort = request.reasoning_effort;
  if (!spec.thinkingSwitch || effort == null) return kwargs;
  const thinks = effort !== "none" && effort !== "minimal";
  const given = kwargs[spec.thinkingSwitch];
  if (given !== undefined && given !== thinks) {
    throw invalidRequest(
      `reasoning_effort "${effort}" contradicts chat_template_kwargs.${spec.thinkingSwitch}: ${String(given).slice(0, 20)}; ` +
        "give one of them.",
      "reasoning_effort",
    );
  }
  return { ...kwargs, [spec.thinkingSwitch]: thinks };
}

/** The call `tool_choice` forces, with the family's way of opening it. */
function forcing(spec: CompletionRouteSpec, request: ChatCompletionRequest) {
  const call = forcedCall(request);
  if (!call) return undefined;
  if (!spec.forcedCalls) {
    throw invalidRequest(`tool_choice can only be "auto" or "none" on route ${spec.name}.`, "tool_choice");
  }
  return { call, format: spec.forcedCalls };
}

function buildBody(
  spec: CompletionRouteSpec,
  request: ChatCompletionRequest,
  settings: ModelSettings,
): Record<string, unknown> {
  const dropped = checkParameters(request, spec.name, settings);
  const forced = forcing(spec, request);
  const render = settings.render ?? spec.render;
  let prompt = render({
    messages: request.messages,
    tools: offersTools(request) ? request.tools : undefined,
    kwargs: templateKwargs(spec, request),
  });
  if (forced) prompt += promptPrefill(prompt, forced.format, forced.call);
  const body: Record<string, unknown> = { prompt };
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) body.max_gen_len = maxTokens;
  if (request.temperature != null) body.temperature = request.temperature;
  if (request.top_p != null) body.top_p = request.top_p;
  if (request.top_k != null) body.top_k = request.top_k;
  if (request.stop != null) body.stop = typeof request.stop === "string" ? [request.stop] : request.stop;
  // The template wrote a placeholder per image (routes without vision refused them while
  // rendering); Bedrock takes the bytes in `images`.
  const images = imageData(request);
  if (images.length) body.images = images;
  // Bedrock's completion format takes structured outputs (json_object, json_schema) as is.
  const format = request.response_format;
  if (format && format.type !== "text" && !dropped.has("response_format")) body.response_format = format;
  return body;
}

function splitterFor(spec: CompletionRouteSpec, request: ChatCompletionRequest) {
  const forced = forcing(spec, request);
  return createAnswerSplitter({
    reasoning: spec.reasoning,
    tools: offersTools(request) ? spec.tools : undefined,
    endMarkers: spec.endMarkers,
    ...(forced ? { prefill: callPrefill(forced.format, forced.call) } : {}),
  });
}

/** The answer text of a completion-format body: `generation`, or `text` (qwen2), or `outputs[0].text`. */
function answerText(body: Record<string, unknown>): string | undefined {
  if (typeof body.generation === "string") return body.generation;
  if (typeof body.text === "string") return body.text;
  const outputs = body.outputs;
  if (Array.isArray(outputs) && outputs[0] && typeof outputs[0].text === "string") return outputs[0].text as string;
  return undefined;
}

function stopReasonOf(body: Record<string, unknown>): unknown {
  const outputs = body.outputs;
  return body.stop_reason ?? (Array.isArray(outputs) && outputs[0] ? outputs[0].stop_reason : undefined);
}

function finalReason(reported: FinishReason | undefined, toolCalls: number): FinishReason {
  const reason = reported ?? "stop";
  return toolCalls > 0 && reason === "stop" ? "tool_calls" : reason;
}

function toolCall(part: Extract<AnswerPart, { kind: "tool_call" }>): ToolCall {
  return { id: randomId("call_"), type: "function", function: { name: part.name, arguments: part.arguments } };
}

function parseAnswer(spec: CompletionRouteSpec, body: Record<string, unknown>, request: ChatCompletionRequest) {
  const text = answerText(body);
  if (text === undefined) {
    throw badUpstream(
      `The model's answer has no "generation" text (route ${spec.name}); is the route right for this model?`,
    );
  }
  const splitter = splitterFor(spec, request);
  const parts = [...splitter.push(text), ...splitter.end()];
  let reasoning = "";
  let content = "";
  const toolCalls: ToolCall[] = [];
  for (const part of parts) {
    if (part.kind === "reasoning") reasoning += part.text;
    else if (part.kind === "content") content += part.text;
    else toolCalls.push(toolCall(part));
  }
  const message: CompletionMessage = {
    role: "assistant",
    content: toolCalls.length && !content ? null : content,
    refusal: null,
  };
  if (reasoning) message.reasoning_content = reasoning;
  if (toolCalls.length) message.tool_calls = toolCalls;
  const usage: Usage | undefined = usageFromBody(body.usage) ?? usageFromCounts(body);
  return {
    choices: [{ index: 0, message, finish_reason: finalReason(finishReason(stopReasonOf(body)), toolCalls.length) }],
    ...(usage ? { usage } : {}),
  };
}

function streamMapper(spec: CompletionRouteSpec, request: ChatCompletionRequest): StreamMapper {
  const splitter = splitterFor(spec, request);
  let reported: FinishReason | undefined;
  let bodyUsage: Usage | undefined;
  // Streams carry prompt_token_count in their first chunk and a running generation count.
  let promptTokens: number | undefined;
  let generatedTokens: number | undefined;
  let toolIndex = 0;

  function toParts(parts: AnswerPart[]): StreamPart[] {
    const out: StreamPart[] = [];
    for (const part of parts) {
      if (part.kind === "reasoning") out.push({ delta: { reasoning_content: part.text } });
      else if (part.kind === "content") out.push({ delta: { content: part.text } });
      else {
        const call = toolCall(part);
        const delta: ChunkToolCall = { index: toolIndex++, id: call.id, type: "function", function: call.function };
        out.push({ delta: { tool_calls: [delta] } });
      }
    }
    return out;
  }

  return {
    push({ type, json: chunk }) {
      if (type !== CHUNK_EVENT) return [];
      reported = finishReason(stopReasonOf(chunk)) ?? reported;
      bodyUsage = usageFromBody(chunk.usage) ?? bodyUsage;
      promptTokens = tokenCount(chunk.prompt_token_count) ?? promptTokens;
      generatedTokens = tokenCount(chunk.generation_token_count) ?? generatedTokens;
      const text = answerText(chunk);
      return text ? toParts(splitter.push(text)) : [];
    },
    end() {
      // Bedrock's last chunk always names a stop reason: without one the stream was cut short,
      // and ending quietly would pass a truncated answer off as a whole one.
      if (reported === undefined) throw incompleteStream(spec.name);
      const parts = toParts(splitter.end());
      const usage =
        bodyUsage ??
        (promptTokens !== undefined && generatedTokens !== undefined
          ? makeUsage(promptTokens, generatedTokens)
          : undefined);
      parts.push({ delta: {}, finish_reason: finalReason(reported, splitter.toolCalls), ...(usage ? { usage } : {}) });
      return parts;
    },
  };
}

export function incompleteStream(route: string): BedrockEdgeError {
  return badUpstream(
    `Bedrock's stream ended before the model finished (no stop reason; route ${route}).`,
    "incomplete_stream",
  );
}

export function completionRoute<const Name extends string>(spec: CompletionRouteSpec<Name>): Route<Name> {
  return {
    name: spec.name,
    ...COMPLETION_ROUTE_INFO,
    buildBody: (request, _modelId, settings) => buildBody(spec, request, settings),
    parseAnswer: (body, request) => parseAnswer(spec, body, request),
    createStreamMapper: (request) => streamMapper(spec, request),
    // A raw prompt goes in the model's wire format, untemplated.
    rawPrompt: (_modelId, settings) => ({ format: wireFormatOf(settings.wire_format) }),
  };
}
