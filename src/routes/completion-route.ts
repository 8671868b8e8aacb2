// What the four completion-format routes (deepseek_r1, llama, qwen3, qwen2) share: the rendered
// prompt sent in the model's wire format (wire-formats/: BedrockCompletion or OpenAICompletion),
// the refusal of parameters that format cannot honour (parameters.ts), forced tool calls
// (forced-call.ts; on a format with structured outputs the arguments are held to the function's
// schema), the same prefill's lead before an answer held to a format (so a thinking family's held
// answer is content), and each choice's text -> reasoning / content / tool calls. Each route is
// this plus its data.
import { describeValue } from "../describe-value.ts";
import { badUpstream, invalidRequest, type BedrockEdgeError } from "../errors.ts";
import { CHUNK_EVENT } from "../eventstream/events.ts";
import type { ChatCompletionRequest, ChoiceLogprobs, FunctionTool, TokenLogprob, Usage } from "../openai/types.ts";
import { createDeltaSplitter, type DeltaSplitter, finishWithCalls, messageOf, splitText } from "./answer-parts.ts";
import { type ReasoningStart, reasoningStart, type SplitterOptions, type ToolSyntax } from "./answer-splitter.ts";
import {
  type ConstrainedCall,
  constrainedCall,
  type ForcedCall,
  type ForcedCallFormat,
  forcedCall,
  forcedCallReader,
  promptPrefill,
  unfinishedCallError,
} from "./forced-call.ts";
import { refuseFileParts } from "./files.ts";
import { checkedImages } from "./images.ts";
import { offeredCalls } from "./offered-calls.ts";
import { callArgumentsAsSent, literalsOf, toolsAsSent } from "./sent-tools.ts";
import { EMPTY_THINK } from "./prompts/think-tags.ts";
import { checkWrittenToolsSize } from "./tools-size.ts";
import { checkParameters, dropsParameters, refuseOrDrop } from "./parameters.ts";
import { COMPLETION_ROUTE_INFO } from "./route-info.ts";
import { checkTemplateKwargs, type TemplateVariables } from "./template-variables.ts";
import type {
  ModelSettings,
  PromptRenderer,
  Route,
  RouteAnswer,
  RouteChoice,
  StreamMapper,
  StreamPart,
} from "./types.ts";
import { textRequestFromChat } from "./wire-formats/from-chat.ts";
import { uncarriedField, uncarriedRefusal, wireFormatOf } from "./wire-formats/index.ts";
import { type CompletionLogprobs, chatLogprobsFromCompletion } from "./wire-formats/logprobs.ts";
import type { TextPiece, TextRequest, WireFormat } from "./wire-formats/types.ts";

export interface CompletionRouteSpec<Name extends string = string> {
  name: Name;
  /** The family's own chat template. */
  render: PromptRenderer;
  /** The chat_template_kwargs that template reads, all a request may set for it (none when absent). */
  variables?: readonly string[];
  /**
   * Whether the family thinks: its answers split into reasoning and content, starting where the
   * rendered prompt leaves off (reasoningStart), whichever template rendered it. Another family's
   * answer is content, unless its prompt ends with an open `<think>` (startOf).
   */
  thinks: boolean;
  /** How the family writes tool calls; absent when its template has none. */
  tools?: ToolSyntax;
  /**
   * How the family opens a call `tool_choice` forces (prefilled), and with its lead an answer held to
   * a format; absent: only "auto" and "none", and no lead.
   */
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
 * The request's settable `chat_template_kwargs` (template-variables.ts), with `reasoning_effort`
 * applied where the family has a thinking switch and the model's template reads it: "none" and
 * "minimal" switch thinking off (Qwen3 cannot think a little), other efforts leave it on. On a
 * template without the switch, "none" and "minimal" are a parameter the model cannot honour (a
 * 400, or dropped under drop_params); other efforts leave the model as it is. A contradiction
 * between the effort and the kwarg is the caller's to resolve.
 */
function templateKwargs(
  spec: CompletionRouteSpec,
  request: ChatCompletionRequest,
  kwargs: Record<string, unknown>,
  variables: TemplateVariables,
  drop: boolean,
): Record<string, unknown> {
  const effort = request.reasoning_effort;
  if (!spec.thinkingSwitch || effort == null) return kwargs;
  const thinks = effort !== "none" && effort !== "minimal";
  // The switch's value is fixed, mapped from a standard OpenAI parameter, never the client's text:
  // any template that reads it gets it, whether or not client_template_kwargs lets a request set it.
  if (!(variables.reads ?? variables.settable).includes(spec.thinkingSwitch)) {
    if (!thinks) {
      const why = `"${effort}" switches thinking off, but this model's chat template has no thinking switch (it does not read ${spec.thinkingSwitch})`;
      refuseOrDrop([{ param: "reasoning_effort", why }], spec.name, drop);
    }
    return kwargs;
  }
  const given = kwargs[spec.thinkingSwitch];
  if (given !== undefined && given !== thinks) {
    throw invalidRequest(
      `reasoning_effort "${effort}" contradicts chat_template_kwargs.${spec.thinkingSwitch}: ${describeValue(given)}; ` +
        "give one of them.",
      "reasoning_effort",
    );
  }
  return { ...kwargs, [spec.thinkingSwitch]: thinks };
}

/**
 * What the assistant turn is prefilled with: a forced call's opening, with its arguments'
 * constraint if any; or, for an answer held to a format, the lead alone (forced-call.ts).
 */
interface Prefilling {
  format: ForcedCallFormat;
  /** The call forced; absent for a held answer. */
  call?: ForcedCall;
  /**
   * Where the wire format constrains decoding (structured_outputs) and the function is known, the
   * prompt ends at the arguments, which are held to the function's schema.
   */
  constrained?: ConstrainedCall;
}

/** Whether the request holds the answer to a format, which guided decoding starts at the prompt's end. */
function holdsAnswer(request: ChatCompletionRequest): boolean {
  const responseFormat = request.response_format;
  return (responseFormat != null && responseFormat.type !== "text") || request.structured_outputs != null;
}

/**
 * `sentTools`: the request's tools as the caller sent them (sent-tools.ts), looked up by buildBody
 * on the request the client handed it (`request` may be honoured()'s copy): the schema a forced
 * call's arguments are held to.
 */
function prefilling(
  spec: CompletionRouteSpec,
  request: ChatCompletionRequest,
  format: WireFormat,
  sentTools?: readonly FunctionTool[],
): Prefilling | undefined {
  const call = forcedCall(request);
  if (!call) return spec.forcedCalls && holdsAnswer(request) ? { format: spec.forcedCalls } : undefined;
  if (!spec.forcedCalls) {
    throw invalidRequest(`tool_choice can only be "auto" or "none" on route ${spec.name}.`, "tool_choice");
  }
  const forced: Prefilling = { format: spec.forcedCalls, call };
  if (!format.carries.has("structured_outputs")) return forced;
  const tools = request.tools ?? [];
  // The schema decoding is held to is the caller's, not the one neutralised for the prompt.
  const constrained = constrainedCall(spec.forcedCalls, call, sentTools ?? tools);
  if (!constrained) return forced;
  // A constrained call's function is known: the one named, or the only tool.
  return { ...forced, call: { name: call.name ?? tools[0]?.function.name }, constrained };
}

/**
 * The request as the route honours it: refused (a 400) if it asks what the model's wire format
 * cannot do, else without what the policy drops. Answers are read by the same request.
 */
function honoured(spec: CompletionRouteSpec, request: ChatCompletionRequest, settings: ModelSettings) {
  const dropped = checkParameters(request, spec.name, settings);
  // A chat_template that never reads `tools` (the official DeepSeek-R1-Distill one) would send a
  // prompt that lists none, and a forced call would leave the model to guess a name it was never
  // shown: tools are a parameter this model cannot honour, and tool_choice goes with them.
  const reads = settings.templateVariables?.reads;
  if (reads && !reads.includes("tools") && offersTools(request) && !dropped.has("tools")) {
    const why =
      "cannot be honoured: this model's chat_template does not show tools to the model (it never reads tools)";
    refuseOrDrop([{ param: "tools", why }], spec.name, dropsParameters(request, settings));
    dropped.add("tools").add("tool_choice");
  }
  if (!dropped.size) return request;
  return Object.fromEntries(
    Object.entries(request).filter(([param]) => !dropped.has(param)),
  ) as unknown as ChatCompletionRequest;
}

/**
 * A forced call's answer is the call, not text. response_format shapes text only (as OpenAI
 * applies it), so it is left out: sent beside the prefill, guided decoding would hold the call's
 * continuation to the answer's format (no call, or arguments in that format's shape). vLLM's
 * structured_outputs is a constraint on the decoding itself, the call's included: a request that
 * asks for both is a 400. Where the arguments can be held to the function's schema, they are.
 */
function asForcedCall(text: TextRequest, route: string, constrained: ConstrainedCall | undefined): void {
  delete text.response_format;
  if (text.structured_outputs) {
    throw invalidRequest(
      `structured_outputs cannot be combined with a forced tool call (tool_choice) on route ${route}: the answer is ` +
        "the call, whose text structured_outputs would constrain instead. Remove one of them.",
      "structured_outputs",
    );
  }
  if (constrained) text.structured_outputs = { json: constrained.schema };
}

/**
 * The prompt up to where the model's text goes: the template's (the model's own, else the
 * route's), then the prefill's lead when the answer is prefilled (forced-call.ts). A forced call's
 * opening comes after it. `asked`: the request as sent, `kept`: as the route honours it.
 */
function promptBeforeAnswer(
  spec: CompletionRouteSpec,
  asked: ChatCompletionRequest,
  kept: ChatCompletionRequest,
  settings: ModelSettings,
  prefilled: Prefilling | undefined,
): string {
  const render = settings.render ?? spec.render;
  const variables = settings.templateVariables ?? {
    settable: spec.variables ?? [],
    template: `the ${spec.name} route's template`,
  };
  const drop = dropsParameters(asked, settings);
  const kwargs = checkTemplateKwargs(kept.chat_template_kwargs, variables, drop);
  const tools = offersTools(kept) ? kept.tools : undefined;
  checkWrittenToolsSize(tools);
  const prompt = render({
    messages: kept.messages,
    tools,
    kwargs: templateKwargs(spec, kept, kwargs ?? {}, variables, drop),
  });
  if (!prefilled) return prompt;
  // A prompt left in an open think block on a family whose lead closes none (a thinking
  // chat_template on a route that does not think: QwQ-32B's on qwen2, R1's on llama) gets it
  // closed first, as the thinking families' leads close theirs: the call is the answer, not reasoning.
  const { format } = prefilled;
  const closing = !format.lead && reasoningStart(prompt) === "always";
  return prompt + promptPrefill(prompt, closing ? { ...format, lead: EMPTY_THINK } : format);
}

/**
 * Where the answer to `prompt` starts: a thinking family's as the prompt leaves it; any other's
 * inside reasoning only when the prompt ends with an open `<think>` (a thinking chat_template on
 * a route that does not think), else as content.
 */
function startOf(spec: CompletionRouteSpec, prompt: string): ReasoningStart {
  const start = reasoningStart(prompt);
  return spec.thinks || start === "always" ? start : "never";
}

function buildBody(
  spec: CompletionRouteSpec,
  request: ChatCompletionRequest,
  settings: ModelSettings,
): Record<string, unknown> {
  refuseFileParts(request, spec.name);
  const format = wireFormatOf(settings.wire_format);
  const kept = honoured(spec, request, settings);
  const prefilled = prefilling(spec, kept, format, toolsAsSent(request));
  let prompt = promptBeforeAnswer(spec, request, kept, settings, prefilled);
  startsReadFor(settings).set(request, startOf(spec, prompt));
  if (prefilled?.call) prompt += prefilled.format.opening(prefilled.call.name);
  // The template wrote the images (routes without vision, and chat templates that write nothing
  // for them, refused them while rendering); the format takes the bytes, or cannot take them at all.
  const text = textRequestFromChat(kept, prompt, checkedImages(kept).images, format);
  if (prefilled?.call) asForcedCall(text, spec.name, prefilled.constrained);
  const uncarried = uncarriedField(format, text);
  if (uncarried) throw uncarriedRefusal(uncarried, format, spec.name);
  return format.body(text);
}

/** How a request's answers are read: the splitter's options, and what else the answer is checked by. */
interface Reading {
  splitter: SplitterOptions;
  /** Whether the request has stop sequences (which can cut a forced call short). */
  hasStop: boolean;
  /** How many alternatives to list per token, when logprobs were asked for. */
  logprobs?: number;
}

function readingFor(spec: CompletionRouteSpec, asked: ChatCompletionRequest, settings: ModelSettings): Reading {
  const format = wireFormatOf(settings.wire_format);
  const request = honoured(spec, asked, settings);
  const prefilled = prefilling(spec, request, format);
  // The lead is the prompt's, which tells where the answer starts; the splitter reads the call's
  // opening before the model's text.
  const prefill = prefilled?.call ? prefilled.format.opening(prefilled.call.name) : "";
  const syntax = offersTools(request) ? spec.tools : undefined;
  const admitCalls = syntax && offeredCalls(syntax, request.tools ?? [], prefilled?.call);
  const reading: Reading = {
    splitter: {
      reasoning: answerStart(spec, asked, request, settings, prefilled),
      tools: syntax,
      endMarkers: spec.endMarkers,
      ...(prefill ? { prefill } : {}),
      ...(prefilled?.call
        ? { readForcedCall: forcedCallReader(prefilled.format, prefilled.call, request.tools ?? []) }
        : {}),
      ...(admitCalls ? { admitCalls } : {}),
      // A call the model writes freely copies its values from the prompt's neutralised schema: they
      // go back to the caller's own, as a constrained call's are held to them (codereview51b R2).
      ...(syntax && toolsAsSent(asked) !== asked.tools
        ? { callArguments: callArgumentsAsSent(literalsOf(asked)) }
        : {}),
    },
    hasStop: hasStop(request),
  };
  if (request.logprobs === true) reading.logprobs = request.top_logprobs ?? 0;
  return reading;
}

/**
 * Where buildBody's prompt left the answer, for the request and settings it was built with: read
 * back rather than rendered again (a custom template's render is the dearest step of a request).
 * Keyed by the settings (new for each create()) and then by the request object the client hands
 * both calls: one request object sent by two create() calls at once keeps an entry for each.
 */
const startsRead = new WeakMap<ModelSettings, WeakMap<ChatCompletionRequest, ReasoningStart>>();

function startsReadFor(settings: ModelSettings): WeakMap<ChatCompletionRequest, ReasoningStart> {
  const known = startsRead.get(settings);
  if (known) return known;
  const starts = new WeakMap<ChatCompletionRequest, ReasoningStart>();
  startsRead.set(settings, starts);
  return starts;
}

function answerStart(
  spec: CompletionRouteSpec,
  asked: ChatCompletionRequest,
  kept: ChatCompletionRequest,
  settings: ModelSettings,
  prefilled: Prefilling | undefined,
): ReasoningStart {
  const read = startsRead.get(settings)?.get(asked);
  if (read !== undefined) return read;
  // A reader made without buildBody (a caller of the route alone): the prompt is rendered here.
  return startOf(spec, promptBeforeAnswer(spec, asked, kept, settings, prefilled));
}

function hasStop(request: ChatCompletionRequest): boolean {
  const stop = request.stop;
  return typeof stop === "string" ? stop !== "" : Array.isArray(stop) && stop.some((sequence) => sequence !== "");
}

function logprobsOf(reading: Reading, logprobs: CompletionLogprobs | undefined): ChoiceLogprobs | undefined {
  if (reading.logprobs === undefined) return undefined;
  return { content: logprobs ? chatLogprobsFromCompletion(logprobs, reading.logprobs) : null, refusal: null };
}

function parseAnswer(
  spec: CompletionRouteSpec,
  body: Record<string, unknown>,
  request: ChatCompletionRequest,
  settings: ModelSettings = {},
  headerUsage?: Usage,
): RouteAnswer {
  const format = wireFormatOf(settings.wire_format);
  const reading = readingFor(spec, request, settings);
  const { pieces, usage } = format.readAnswer(body, format.onePerCall ? 1 : (request.n ?? 1), spec.name);
  const choices = [...pieces]
    .sort((a, b) => a.index - b.index)
    .map((piece): RouteChoice => {
      const split = splitText(reading.splitter, piece.text, piece.finish);
      if (split.unfinished) throw billed(unfinishedCallError(split.unfinished, reading.hasStop), usage ?? headerUsage);
      const choice: RouteChoice = {
        index: piece.index,
        message: messageOf(split),
        finish_reason: finishWithCalls(piece.finish, split.toolCalls.length),
      };
      const logprobs = logprobsOf(reading, piece.logprobs);
      if (logprobs) choice.logprobs = logprobs;
      return choice;
    });
  return usage ? { choices, usage } : { choices };
}

/** `error`, carrying the usage of the answer it refuses: Bedrock billed that answer all the same. */
function billed(error: BedrockEdgeError, usage: Usage | undefined): BedrockEdgeError {
  if (usage) error.usage = usage;
  return error;
}

/** One streamed choice: its splitter, and logprobs waiting for a part to go with. */
interface ChoiceStream {
  splitter: DeltaSplitter;
  logprobs: TokenLogprob[];
  finished: boolean;
}

function streamMapper(
  spec: CompletionRouteSpec,
  request: ChatCompletionRequest,
  settings: ModelSettings = {},
): StreamMapper {
  const format = wireFormatOf(settings.wire_format);
  const reading = readingFor(spec, request, settings);
  const count = format.onePerCall ? 1 : (request.n ?? 1);
  const reader = format.streamReader(count);
  const choices = new Map<number, ChoiceStream>();
  // Choices whose finish was read and mapped (a broken call at its finish fails it, unfinished).
  let finishedChoices = 0;

  function choiceAt(index: number): ChoiceStream {
    let found = choices.get(index);
    if (!found) {
      found = { splitter: createDeltaSplitter(reading.splitter), logprobs: [], finished: false };
      choices.set(index, found);
    }
    return found;
  }

  function partsOf(piece: TextPiece): StreamPart[] {
    const state = choiceAt(piece.index);
    if (state.finished) return [];
    const deltas = piece.text ? state.splitter.push(piece.text) : [];
    if (piece.finish) {
      state.finished = true;
      deltas.push(...state.splitter.end(piece.finish));
      const unfinished = state.splitter.unfinished;
      if (unfinished) throw unfinishedCallError(unfinished, reading.hasStop);
      finishedChoices++;
    }
    const parts: StreamPart[] = deltas.map((delta) => ({ index: piece.index, delta }));
    if (piece.finish) {
      parts.push({
        index: piece.index,
        delta: {},
        finish_reason: finishWithCalls(piece.finish, state.splitter.toolCalls),
      });
    }
    // A piece's logprobs go with its first part; text the splitter holds back leaves them waiting.
    if (reading.logprobs !== undefined && piece.logprobs) {
      state.logprobs.push(...chatLogprobsFromCompletion(piece.logprobs, reading.logprobs));
    }
    const first = parts[0];
    if (first && state.logprobs.length) {
      first.logprobs = { content: state.logprobs, refusal: null };
      state.logprobs = [];
    }
    return parts;
  }

  return {
    push({ type, json }) {
      if (type !== CHUNK_EVENT) return [];
      const pieces = reader.push(json);
      // A chunk is one piece (one choice) almost always: its parts as they are, no flatMap.
      if (pieces.length === 1) return partsOf(pieces[0]!);
      const parts: StreamPart[] = [];
      for (const piece of pieces) parts.push(...partsOf(piece));
      return parts;
    },
    end() {
      // Every choice's last chunk names a stop reason: without one the stream was cut short, and
      // ending quietly would pass a truncated answer off as a whole one.
      const { usage, finished } = reader.end();
      if (!finished) throw incompleteStream(spec.name);
      return usage ? [{ index: 0, delta: {}, usage }] : [];
    },
    // The stream failed: each unfinished choice's held text goes out before the error.
    flush() {
      const parts: StreamPart[] = [];
      for (const [index, state] of choices) {
        if (state.finished) continue;
        for (const delta of state.splitter.release()) parts.push({ index, delta });
      }
      return parts;
    },
    finished: () => finishedChoices >= count,
  };
}

export function incompleteStream(route: string): BedrockEdgeError {
  return badUpstream(`Bedrock's stream ended before the model finished (route ${route}).`, "incomplete_stream");
}

export function completionRoute<const Name extends string>(spec: CompletionRouteSpec<Name>): Route<Name> {
  return {
    name: spec.name,
    ...COMPLETION_ROUTE_INFO,
    rendersBuiltInTemplates: true,
    buildBody: (request, _modelId, settings) => buildBody(spec, request, settings),
    // The model id is in the call's address only.
    retarget: (body) => body,
    parseAnswer: (body, request, settings, _text, _modelId, headerUsage) =>
      parseAnswer(spec, body, request, settings, headerUsage),
    createStreamMapper: (request, settings) => streamMapper(spec, request, settings),
    // A raw prompt goes in the model's wire format, untemplated.
    rawPrompt: (_modelId, settings) => ({ format: wireFormatOf(settings.wire_format) }),
  };
}
