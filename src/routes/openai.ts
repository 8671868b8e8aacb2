// The openai route: imported models served in OpenAI's chat format (e.g. Qwen 2.5 VL).
// The request passes through nearly untouched; answers are already OpenAI objects, so the
// work is to read them defensively and in our shapes.
import { badUpstream } from "../errors.ts";
import { CHUNK_EVENT } from "../eventstream/events.ts";
import { randomId } from "../ids.ts";
import { isJsonObject, type JsonObject } from "../json.ts";
import type { ChunkDelta, ChunkToolCall, CompletionMessage, FinishReason, ToolCall, Usage } from "../openai/types.ts";
import { imageData } from "./images.ts";
import type { Route, RouteChoice, StreamMapper, StreamPart } from "./types.ts";
import { incompleteStream } from "./completion-route.ts";
import { checkParameters } from "./parameters.ts";
import { finishReason, usageFromBody } from "./usage.ts";

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function reasoningOf(source: JsonObject): string | undefined {
  // vLLM names it reasoning_content; newer servers use reasoning.
  return text(source.reasoning_content) ?? text(source.reasoning);
}

function toolCalls(value: unknown): ToolCall[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const calls: ToolCall[] = [];
  for (const item of value) {
    if (!isJsonObject(item) || !isJsonObject(item.function)) continue;
    const fn = item.function;
    const args = fn.arguments;
    calls.push({
      // Clients send this id back as tool_call_id: never leave it empty.
      id: text(item.id) || randomId("call_"),
      type: "function",
      function: { name: text(fn.name) ?? "", arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}) },
    });
  }
  return calls.length ? calls : undefined;
}

/**
 * Tool-call deltas. The first delta of each call carries its id (generated when the model gave
 * none: clients send it back as tool_call_id); `started` remembers which calls have begun.
 */
function chunkToolCalls(value: unknown, started: Set<number>): ChunkToolCall[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const calls: ChunkToolCall[] = [];
  value.forEach((item: unknown, position) => {
    if (!isJsonObject(item)) return;
    const call: ChunkToolCall = { index: typeof item.index === "number" ? item.index : position };
    const id = text(item.id);
    if (!started.has(call.index)) {
      started.add(call.index);
      call.id = id || randomId("call_");
      call.type = "function";
    } else if (id) {
      call.id = id;
    }
    if (item.type === "function") call.type = "function";
    if (isJsonObject(item.function)) {
      const fn: { name?: string; arguments?: string } = {};
      if (typeof item.function.name === "string") fn.name = item.function.name;
      const args = item.function.arguments;
      if (args !== undefined) fn.arguments = typeof args === "string" ? args : JSON.stringify(args);
      call.function = fn;
    }
    calls.push(call);
  });
  return calls.length ? calls : undefined;
}

function parseChoice(choice: unknown, position: number): RouteChoice | undefined {
  if (!isJsonObject(choice) || !isJsonObject(choice.message)) return undefined;
  const source = choice.message;
  const message: CompletionMessage = { role: "assistant", content: text(source.content) ?? null, refusal: null };
  const reasoning = reasoningOf(source);
  if (reasoning) message.reasoning_content = reasoning;
  const calls = toolCalls(source.tool_calls);
  if (calls) message.tool_calls = calls;
  const reason: FinishReason = finishReason(choice.finish_reason) ?? (calls ? "tool_calls" : "stop");
  return { index: typeof choice.index === "number" ? choice.index : position, message, finish_reason: reason };
}

function streamMapper(): StreamMapper {
  const finished = new Set<number>();
  // Per choice, the tool calls whose first delta went out.
  const startedCalls = new Map<number, Set<number>>();
  let usage: Usage | undefined;
  return {
    push({ type, json: chunk }) {
      const parts: StreamPart[] = [];
      if (type !== CHUNK_EVENT) return parts;
      usage = usageFromBody(chunk.usage) ?? usage;
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      choices.forEach((choice: unknown, position) => {
        if (!isJsonObject(choice)) return;
        const index = typeof choice.index === "number" ? choice.index : position;
        const source = isJsonObject(choice.delta) ? choice.delta : {};
        // The role chunk is the client's to send, once; empty deltas carry nothing.
        const delta: ChunkDelta = {};
        const content = text(source.content);
        if (content) delta.content = content;
        const reasoning = reasoningOf(source);
        if (reasoning) delta.reasoning_content = reasoning;
        let started = startedCalls.get(index);
        if (!started) {
          started = new Set();
          startedCalls.set(index, started);
        }
        const calls = chunkToolCalls(source.tool_calls, started);
        if (calls) delta.tool_calls = calls;
        const reason = finishReason(choice.finish_reason);
        if (reason) finished.add(index);
        if (Object.keys(delta).length || reason)
          parts.push({ index, delta, ...(reason ? { finish_reason: reason } : {}) });
      });
      return parts;
    },
    end() {
      if (!finished.has(0)) throw incompleteStream("openai");
      const parts: StreamPart[] = [];
      if (usage) parts.push({ index: 0, delta: {}, usage });
      return parts;
    },
  };
}

export const openaiRoute: Route<"openai"> = {
  name: "openai",
  operation: "invoke",
  // The model applies its own chat template and gets every parameter: of the settings, only the
  // proxy's body limit applies. (A request's drop_params, or the client's default, can still drop
  // the one parameter this route refuses, store: true.)
  settings: ["max_body_bytes"],
  buildBody(request, modelId, settings) {
    imageData(request);
    // The model takes OpenAI's parameters itself, but nothing can make this server store an
    // answer; drop_params is bedrock-edge's own.
    const dropped = checkParameters(request, "openai", settings, ["store"]);
    const { stream: _stream, stream_options: _options, drop_params: _drop, ...rest } = request;
    if (dropped.has("store")) delete rest.store;
    return { ...rest, model: modelId };
  },
  parseAnswer(body) {
    const raw = Array.isArray(body.choices) ? body.choices : [];
    const choices = raw.map(parseChoice).filter((choice): choice is RouteChoice => choice !== undefined);
    if (!choices.length) {
      throw badUpstream('The model\'s answer has no "choices" (route openai); is the route right for this model?');
    }
    const usage = usageFromBody(body.usage);
    return usage ? { choices, usage } : { choices };
  },
  createStreamMapper: () => streamMapper(),
};
