// The openai route: imported models served in OpenAI's chat format (e.g. Qwen 2.5 VL), which
// Bedrock's OpenAIChatCompletion hands to vLLM with the chat template imported with the model.
// The request passes through nearly untouched; the answer is vLLM's, with its extra and null
// fields (`reasoning_content: null`, `tool_calls: []`, `stop_reason`, `token_ids`…), so it is
// read defensively and rebuilt in OpenAI's clean shapes: nothing passes on as it came.
import { badUpstream, invalidRequest } from "../errors.ts";
import { CHUNK_EVENT } from "../eventstream/events.ts";
import { randomId } from "../ids.ts";
import { isJsonObject, type JsonObject } from "../json.ts";
import type {
  ChatCompletionRequest,
  ChoiceLogprobs,
  ChunkDelta,
  ChunkToolCall,
  CompletionMessage,
  FinishReason,
  TokenLogprob,
  ToolCall,
  Usage,
} from "../openai/types.ts";
import { createDeltaSplitter, type DeltaSplitter, finishWithCalls, splitText } from "./answer-parts.ts";
import type { SplitterOptions } from "./answer-splitter.ts";
import { refuseFileParts } from "./files.ts";
import { checkedImages } from "./images.ts";
import { openaiBody } from "./openai-fields.ts";
import { argumentsAsSent, callArgumentsAsSent, literalsOf } from "./sent-tools.ts";
import { OPENAI_ROUTE_INFO } from "./route-info.ts";
import { offeredCalls } from "./offered-calls.ts";
import { TOOL_PARSERS } from "./tool-parsers.ts";
import type { ModelSettings, Route, RouteAnswer, RouteChoice, StreamMapper, StreamPart } from "./types.ts";
import { incompleteStream } from "./completion-route.ts";
import { finishReason, plainFinish, usageFromBody } from "./usage.ts";
import { wireFormats } from "./wire-formats/index.ts";
import { readChatLogprobs, readPromptLogprobs } from "./wire-formats/logprobs.ts";

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

/** How to read a request's answers: its tool parser, and whether it asked for logprobs. */
interface Reading {
  /** The markup of tool calls written as text (the model's `tool_parser`, when tools are offered). */
  parser: SplitterOptions | undefined;
  logprobs: boolean;
  /** A function's schema strings as the neutraliser broke them, to the caller's (sent-tools.ts). */
  literals(name: string): ReadonlyMap<string, string>;
}

function readingFor(request: ChatCompletionRequest, settings: ModelSettings = {}): Reading {
  const offersTools = (request.tools?.length ?? 0) > 0 && request.tool_choice !== "none";
  const syntax = settings.tool_parser && offersTools ? TOOL_PARSERS[settings.tool_parser] : undefined;
  // tool_choice goes to the model server, which holds a forced call: the text is read as unforced.
  const admitCalls = syntax && offeredCalls(syntax, request.tools ?? [], undefined);
  const literals = literalsOf(request);
  return {
    // Only the content is read for calls: reasoning arrives apart, as vLLM's reasoning_content. The
    // calls read there get the caller's schema strings back as they are read, as Bedrock's own
    // calls do by callAsSent.
    parser: syntax
      ? {
          reasoning: "never",
          tools: syntax,
          endMarkers: [],
          ...(admitCalls ? { admitCalls } : {}),
          callArguments: callArgumentsAsSent(literals),
        }
      : undefined,
    logprobs: request.logprobs === true,
    literals,
  };
}

/** A whole call with the caller's schema strings back in its arguments (sent-tools.ts). */
function callAsSent<Call extends { function?: { name?: string; arguments?: string } }>(
  call: Call,
  reading: Reading,
): Call {
  const fn = call.function;
  if (fn?.name === undefined || fn.arguments === undefined) return call;
  const args = argumentsAsSent(fn.arguments, reading.literals(fn.name));
  return args === fn.arguments ? call : { ...call, function: { ...fn, arguments: args } };
}

function logprobsOf(value: unknown): ChoiceLogprobs | undefined {
  const content = readChatLogprobs(value);
  return content ? { content, refusal: null } : undefined;
}

function parseChoice(
  choice: unknown,
  position: number,
  reading: Reading,
  usage: Usage | undefined,
): RouteChoice | undefined {
  if (!isJsonObject(choice) || !isJsonObject(choice.message)) return undefined;
  const source = choice.message;
  let content = text(source.content) ?? null;
  const calls = (toolCalls(source.tool_calls) ?? []).map((call) => callAsSent(call, reading));
  if (reading.parser && content) {
    const split = splitText(reading.parser, content);
    content = split.toolCalls.length && !split.content ? null : split.content;
    calls.push(...split.toolCalls);
  }
  const message: CompletionMessage = { role: "assistant", content, refusal: null };
  const reasoning = reasoningOf(source);
  if (reasoning) message.reasoning_content = reasoning;
  if (calls.length) message.tool_calls = calls;
  const out: RouteChoice = {
    index: typeof choice.index === "number" ? choice.index : position,
    message,
    finish_reason: finishWithCalls(plainFinish(choice.finish_reason, "openai", usage), calls.length),
  };
  const logprobs = reading.logprobs ? logprobsOf(choice.logprobs) : undefined;
  if (logprobs) out.logprobs = logprobs;
  return out;
}

/** One choice of a stream: its text read for calls, its tool-call count, logprobs waiting for a part. */
interface ChoiceStream {
  splitter: DeltaSplitter | undefined;
  /** Tool calls whose first delta went out, by index. */
  started: Set<number>;
  nextToolIndex: number;
  logprobs: TokenLogprob[];
  finished: boolean;
  /**
   * The arguments of calls, by index, to a function whose schema the neutraliser changed: held to
   * the choice's end, when they are whole and can be given the caller's strings back.
   */
  held: Map<number, { pairs: ReadonlyMap<string, string>; text: string }>;
}

function streamMapper(request: ChatCompletionRequest, settings: ModelSettings | undefined): StreamMapper {
  const reading = readingFor(request, settings);
  const choices = new Map<number, ChoiceStream>();
  const asked = request.n ?? 1;
  let usage: Usage | undefined;

  function choiceAt(index: number): ChoiceStream {
    let found = choices.get(index);
    if (!found) {
      const created: ChoiceStream = {
        splitter: undefined,
        started: new Set(),
        nextToolIndex: 0,
        logprobs: [],
        finished: false,
        held: new Map(),
      };
      if (reading.parser) created.splitter = createDeltaSplitter(reading.parser, () => created.nextToolIndex++);
      choices.set(index, created);
      found = created;
    }
    return found;
  }

  /** The choice's deltas as parts; logprobs that came in go with the first, or wait for one. */
  function parts(index: number, state: ChoiceStream, deltas: ChunkDelta[], reason?: FinishReason): StreamPart[] {
    const out: StreamPart[] = deltas.map((delta) => ({ index, delta }));
    if (reason) out.push({ index, delta: {}, finish_reason: reason });
    const first = out[0];
    if (first && state.logprobs.length) {
      first.logprobs = { content: state.logprobs, refusal: null };
      state.logprobs = [];
    }
    return out;
  }

  /** The call deltas with the arguments of calls held (ChoiceStream.held) taken out, and those left empty dropped. */
  function holding(state: ChoiceStream, calls: ChunkToolCall[]): ChunkToolCall[] {
    const out: ChunkToolCall[] = [];
    for (const call of calls) {
      const name = call.function?.name;
      const pairs = name === undefined ? undefined : reading.literals(name);
      if (pairs?.size && !state.held.has(call.index)) state.held.set(call.index, { pairs, text: "" });
      const held = state.held.get(call.index);
      if (!held || call.function?.arguments === undefined) {
        out.push(call);
        continue;
      }
      held.text += call.function.arguments;
      const { arguments: _, ...fn } = call.function;
      const rest: ChunkToolCall = { ...call, function: fn };
      if (rest.id !== undefined || rest.type !== undefined || fn.name !== undefined) out.push(rest);
    }
    return out;
  }

  /** The held arguments, each whole with the caller's strings back, once the choice has finished. */
  function released(state: ChoiceStream): ChunkDelta[] {
    const calls = [...state.held].map(([index, { pairs, text }]) => ({
      index,
      function: { arguments: argumentsAsSent(text, pairs) },
    }));
    state.held.clear();
    return calls.length ? [{ tool_calls: calls }] : [];
  }

  /**
   * Every choice asked for (request.n), and any other that began, has finished: a stream that ends
   * before is cut short, and one whose later choices have not begun is not over yet.
   */
  function finished(): boolean {
    for (let index = 0; index < asked; index++) if (!choices.get(index)?.finished) return false;
    for (const state of choices.values()) if (!state.finished) return false;
    return true;
  }

  return {
    push({ type, json: chunk }) {
      const out: StreamPart[] = [];
      if (type !== CHUNK_EVENT) return out;
      usage = usageFromBody(chunk.usage) ?? usage;
      const list = Array.isArray(chunk.choices) ? chunk.choices : [];
      list.forEach((choice: unknown, position) => {
        if (!isJsonObject(choice)) return;
        const index = typeof choice.index === "number" ? choice.index : position;
        const state = choiceAt(index);
        if (state.finished) return;
        const source = isJsonObject(choice.delta) ? choice.delta : {};
        if (reading.logprobs) state.logprobs.push(...(readChatLogprobs(choice.logprobs) ?? []));
        // The role chunk is the client's to send; empty deltas carry nothing.
        const deltas: ChunkDelta[] = [];
        const reasoning = reasoningOf(source);
        if (reasoning) deltas.push({ reasoning_content: reasoning });
        const content = text(source.content);
        if (content) deltas.push(...(state.splitter ? state.splitter.push(content) : [{ content }]));
        const calls = chunkToolCalls(source.tool_calls, state.started);
        if (calls) {
          for (const call of calls) state.nextToolIndex = Math.max(state.nextToolIndex, call.index + 1);
          const shown = holding(state, calls);
          if (shown.length) deltas.push({ tool_calls: shown });
        }
        const reported = finishReason(choice.finish_reason);
        if (reported) {
          state.finished = true;
          if (state.splitter) deltas.push(...state.splitter.end());
          deltas.push(...released(state));
        }
        // Every call counts, Bedrock's structured ones and those tool_parser read in the text, as
        // in parseChoice: a stream finishes as the same answer would, plain.
        const callCount = state.started.size + (state.splitter?.toolCalls ?? 0);
        const reason = reported && finishWithCalls(reported, callCount);
        out.push(...parts(index, state, deltas, reason));
      });
      return out;
    },
    end() {
      if (!finished()) throw incompleteStream("openai");
      return usage ? [{ index: 0, delta: {}, usage }] : [];
    },
    // The stream failed: each unfinished choice's held text, and the arguments held for their
    // strings, go out before the error, as they came.
    flush() {
      const out: StreamPart[] = [];
      for (const [index, state] of choices) {
        if (state.finished) continue;
        const deltas = [...(state.splitter?.release() ?? []), ...released(state)];
        out.push(...parts(index, state, deltas));
      }
      return out;
    },
    finished,
  };
}

/** Bedrock's limit for imported models in the chat format: a request with more is refused. */
export const MAX_IMPORTED_IMAGES = 3;

export const openaiRoute: Route<"openai"> = {
  name: "openai",
  // Its settings, and what each is for: route-info.ts.
  ...OPENAI_ROUTE_INFO,
  buildBody(asked, modelId, settings) {
    refuseFileParts(asked, "openai");
    const { request, images } = checkedImages(asked);
    if (images.length > MAX_IMPORTED_IMAGES) {
      throw invalidRequest(
        `This request has ${images.length} images; Bedrock takes at most ${MAX_IMPORTED_IMAGES} per request for imported models. Send fewer.`,
        "messages",
        "too_many_images",
      );
    }
    return openaiBody(request, modelId, settings);
  },
  // The model id is the body's `model` (openaiBody), and in nothing else it writes.
  retarget: (body, modelId) => ({ ...body, model: modelId }),
  parseAnswer(body, request, settings) {
    const reading = readingFor(request, settings);
    const raw = Array.isArray(body.choices) ? body.choices : [];
    const usage = usageFromBody(body.usage);
    const choices = raw
      .map((choice: unknown, position) => parseChoice(choice, position, reading, usage))
      .filter((choice): choice is RouteChoice => choice !== undefined);
    if (!choices.length) {
      throw badUpstream('The model\'s answer has no "choices" (route openai); is the route right for this model?');
    }
    const answer: RouteAnswer = { choices };
    if (usage) answer.usage = usage;
    const prompt = request.prompt_logprobs != null ? readPromptLogprobs(body.prompt_logprobs) : undefined;
    if (prompt) answer.prompt_logprobs = prompt;
    return answer;
  },
  createStreamMapper: (request, settings) => streamMapper(request, settings),
  // vLLM serves an OpenAI-format import's Completions API under the model's ARN, as its chat.
  rawPrompt: (modelId) => ({ format: wireFormats.openai_completion, model: modelId, passesAnyResponseFormat: true }),
};
