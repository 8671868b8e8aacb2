// A Chat Completions request -> the body of Converse / ConverseStream. Pure: the model's
// settings come in resolved, and every refusal is a 400 naming the parameter.
import { invalidRequest } from "../../errors.ts";
import { isJsonObject, type JsonObject } from "../../json.ts";
import type { GuardrailConfig, ModelSettingValues } from "../../model-settings.ts";
import type { ChatCompletionRequest } from "../../openai/types.ts";
import { cachePointsFor, keepLastCachePoints, placeCachePoints } from "./cache-points.ts";
import { documentReader } from "./documents.ts";
import { toConverseConversation } from "./messages.ts";
import { modelFamily, type ModelFamily } from "./model-family.ts";
import { checkResponseFormatType, dropsParameters, refuseOrDrop } from "../parameters.ts";
import { paramProblems, topKPlace, type ParamProblem } from "./params.ts";
import {
  planReasoning,
  type ReasoningEffort,
  readReasoningEffort,
  reasoningEffortProblem,
  thinkingConflicts,
} from "./reasoning.ts";
import { describingModelId } from "../foundation-model.ts";
import { refusesNamedToolChoice, takesTextOnly, toolUse } from "./model-features.ts";
import { toolChoiceProblem, toToolConfig } from "./tools.ts";
import type { ConverseBody, InferenceConfig, Message } from "./wire.ts";
import { closedSchema } from "./closed-schema.ts";
import { converseStops, STOP_SEQUENCE_PATH } from "./stops.ts";
import { serviceTierFor, serviceTierProblem } from "./service-tier.ts";

/** The per-model settings this route honours (model-settings.ts), as configured. */
export type ConverseSettings = Pick<
  ModelSettingValues,
  | "drop_params"
  | "additional_model_request_fields"
  | "guardrail_config"
  | "reasoning_budget"
  | "foundation_model"
  | "service_tier"
  | "service_tiers"
  | "latency"
>;

/** `calledId`: the id Bedrock is called with; the body is made for the model its settings say it serves. */
export function buildConverseBody(
  request: ChatCompletionRequest,
  calledId: string,
  settings: ConverseSettings,
): ConverseBody {
  // Every decision below is the family's: the id that describes the model (its foundation_model).
  const modelId = describingModelId(calledId, settings);
  const family = modelFamily(modelId);
  const cache = cachePointsFor(modelId);
  const conversation = toConverseConversation(
    request.messages,
    !takesTextOnly(modelId),
    cache,
    documentReader(modelId),
  );
  const effort = readReasoningEffort(
    (request as ChatCompletionRequest & { reasoning_effort?: unknown }).reasoning_effort,
  );

  checkResponseFormatType(request.response_format, "converse");
  const problems: ParamProblem[] = paramProblems(request, family);
  const effortProblem = effort && reasoningEffortProblem(effort, family);
  if (effortProblem) problems.push({ param: "reasoning_effort", why: effortProblem });
  problems.push(...toolProblems(request, modelId, conversation.hasToolBlocks));
  const requestedTier = (request as ChatCompletionRequest & { service_tier?: unknown }).service_tier;
  const tierProblem = serviceTierProblem(requestedTier, calledId);
  if (tierProblem) problems.push(tierProblem);
  const dropped = refuseOrDrop(problems, "converse", dropsParameters(request, settings));

  const tools = dropped.has("tools")
    ? undefined
    : toToolConfig(request, conversation.hasToolBlocks, dropped.has("tool_choice"), cache);
  // Made as a plain Converse call when the model cannot stream tool use (route.streamReplay).
  const stream = request.stream === true && !replaysStream(request, modelId, tools !== undefined);
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const requestEffort = dropped.has("reasoning_effort") ? undefined : effort;
  const thinking = thinkingChoice(request, family, requestEffort, settings, unthoughtToolTurn(conversation.messages));
  const reasoning = planReasoning({
    family,
    effort: thinking.off ? "none" : requestEffort,
    budget: thinking.budget,
    maxTokens,
    maxTokensParam: request.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens",
    stream,
  });

  const body: ConverseBody = { messages: conversation.messages };
  if (conversation.system.length) body.system = conversation.system;
  // Converse takes a temperature of 0 to 1, OpenAI's goes to 2: refused (or dropped) where it is sent.
  const hot = !thinking.dropSampling && request.temperature != null && request.temperature > 1;
  const dropTemperature =
    hot &&
    refuseOrDrop([{ param: "temperature", why: HOTTER_THAN_CONVERSE }], "converse", dropsParameters(request, settings))
      .size > 0;
  const stops = converseStops(request, modelId);
  const inference = inferenceConfig(
    request,
    reasoning.maxTokens ?? maxTokens,
    thinking.dropSampling,
    dropTemperature,
    stops.sent,
  );
  if (inference) body.inferenceConfig = inference;
  if (stops.sent.length && stops.applied.length) body.additionalModelResponseFieldPaths = [STOP_SEQUENCE_PATH];
  if (tools) body.toolConfig = tools;
  if (cache) {
    // Placed first: a point that a move merges with another or drops leaves room for an earlier one.
    placeCachePoints(body, cache.inTools);
    keepLastCachePoints(body);
  }
  // reasoning_effort "none", or a tool loop that turns thinking off, overrides thinking the settings'
  // raw fields turn on, as it does reasoning_budget.
  const own =
    requestEffort === "none" || thinking.off
      ? withoutKeys(settings.additional_model_request_fields, ["thinking", "reasoningConfig"])
      : settings.additional_model_request_fields;
  const additional = additionalFields(thinking.dropSampling ? withoutKeys(own, ["top_k"]) : own, [
    dropped.has("top_k") || thinking.dropSampling ? undefined : topKFields(request.top_k, family),
    reasoning.fields,
  ]);
  if (additional) body.additionalModelRequestFields = additional;
  if (settings.guardrail_config) body.guardrailConfig = guardrailFor(settings.guardrail_config, stream);
  const output = dropped.has("response_format") ? undefined : outputConfig(request.response_format);
  if (output) body.outputConfig = output;
  const tier = serviceTierFor(requestedTier, settings, calledId);
  if (tier) body.serviceTier = tier;
  if (settings.latency) body.performanceConfig = { latency: settings.latency };
  return body;
}

/**
 * Whether a streamed request goes to plain Converse, its answer replayed as the stream: the model
 * takes tools on Converse but refuses them on ConverseStream (model-features.ts).
 */
export function replaysStream(request: ChatCompletionRequest, modelId: string, offersTools: boolean): boolean {
  return request.stream === true && offersTools && toolUse(modelId) === "plain";
}

/** The tools and tool_choice the model cannot take: droppable, like every refusal of this route. */
function toolProblems(request: ChatCompletionRequest, modelId: string, hasToolBlocks: boolean): ParamProblem[] {
  if (!request.tools?.length) return [];
  if (toolUse(modelId) === "none") {
    // Not a problem drop_params can drop: without toolConfig, Bedrock refuses the tool calls and
    // results the conversation holds all the same.
    if (hasToolBlocks) {
      throw invalidRequest(
        "tools cannot be used with this model (Bedrock documents no tool use for it on Converse), and the conversation holds tool calls or results, which it cannot take either: continue this conversation on a model that takes tools.",
        "tools",
      );
    }
    return [
      { param: "tools", why: "cannot be used with this model: Bedrock documents no tool use for it on Converse" },
    ];
  }
  const choiceProblem = toolChoiceProblem(request, hasToolBlocks);
  if (choiceProblem) return [{ param: "tool_choice", why: choiceProblem }];
  if (typeof request.tool_choice === "object" && request.tool_choice && refusesNamedToolChoice(modelId)) {
    return [
      {
        param: "tool_choice",
        why: 'cannot name a function for this model: Bedrock\'s Converse takes a named tool choice from Anthropic Claude 3+ and Amazon Nova models only. Send tool_choice "auto"',
      },
    ];
  }
  return [];
}

/**
 * How Claude's thinking meets what it cannot go with (reasoning.ts thinkingConflicts). Thinking
 * the request asks for (reasoning_effort) is a 400 naming both fields, but sampling fields are
 * dropped under drop_params, and an open tool loop whose calls came back without their thinking
 * turns it off for the turn (`off`). Thinking on by the model's reasoning_budget gives way instead: a
 * forced tool call turns it off for the request (forced calls work on every route), and so does
 * the open tool loop such a call leaves (its results come back to calls made without thinking);
 * sampling fields, the model's own top_k among them, are not sent (many clients send a
 * temperature of their own by default, which would otherwise turn the operator's thinking off
 * for nearly every call).
 */
function thinkingChoice(
  request: ChatCompletionRequest,
  family: ModelFamily,
  effort: ReasoningEffort | undefined,
  settings: ConverseSettings,
  unthoughtToolLoop: boolean,
): { budget: number | undefined; dropSampling: boolean; off?: true } {
  const budget = settings.reasoning_budget;
  const thinks = effort === undefined ? budget !== undefined : effort !== "none";
  if (family !== "claude_thinking" || !thinks) return { budget, dropSampling: false };
  const settingsTopK = settings.additional_model_request_fields?.top_k != null;
  const { forcedTool, sampling } = thinkingConflicts(request, settingsTopK);
  if (effort === undefined) {
    return forcedTool || unthoughtToolLoop
      ? { budget: undefined, dropSampling: false, off: true }
      : { budget, dropSampling: sampling.length > 0 };
  }
  // Bedrock refuses thinking in a tool loop without the reasoning that led to its calls, and every
  // chat client (the openai SDK's runTools, the AI SDK, LangChain) sends the calls back without
  // their thinking_blocks: the loop goes on without thinking for this turn, as with the budget.
  if (unthoughtToolLoop) return { budget: undefined, dropSampling: false, off: true };
  if (forcedTool) {
    throw invalidRequest(
      'reasoning_effort cannot be used with a forced tool_choice on Claude: Bedrock refuses thinking when tool_choice forces tool use. Send tool_choice "auto", or reasoning_effort "none".',
      "reasoning_effort",
    );
  }
  const [field] = sampling;
  if (field && !dropsParameters(request, settings)) {
    throw invalidRequest(
      `reasoning_effort cannot be used with ${field} on Claude: Bedrock refuses temperature (other than 1), top_p and top_k when thinking is on. Leave ${field} out, or send reasoning_effort "none".`,
      "reasoning_effort",
    );
  }
  return { budget, dropSampling: field !== undefined };
}

/**
 * Whether the conversation ends in an open tool loop whose calls were made without thinking: its
 * last assistant turn calls tools and does not open with the reasoning that led to them (a forced
 * call, or another model's). Claude wants that reasoning back ("Preserving thinking blocks"), and
 * there is none to send, so thinking cannot be on for this turn.
 */
function unthoughtToolTurn(messages: readonly Message[]): boolean {
  const last = messages.findLast((message) => message.role === "assistant");
  if (!last?.content.some((block) => "toolUse" in block)) return false;
  const first = last.content[0];
  return !(first && "reasoningContent" in first);
}

/** The model's own additional fields without top_k, which thinking does not take. */
function withoutKeys(fields: JsonObject | undefined, keys: readonly string[]): JsonObject | undefined {
  if (!fields || !keys.some((key) => key in fields)) return fields;
  const rest = { ...fields };
  for (const key of keys) delete rest[key];
  return rest;
}

/**
 * inferenceConfig; `dropSampling` leaves out temperature and top_p (thinking takes neither), and
 * `dropTemperature` a temperature above Converse's 1 under drop_params. `stopSequences`: the stops
 * the model takes (stops.ts).
 */
const HOTTER_THAN_CONVERSE = "must be at most 1 on Converse, whose inferenceConfig.temperature takes 0 to 1";

function inferenceConfig(
  request: ChatCompletionRequest,
  maxTokens: number | undefined,
  dropSampling: boolean,
  dropTemperature: boolean,
  stopSequences: string[],
): InferenceConfig | undefined {
  const config: InferenceConfig = {};
  if (maxTokens !== undefined) config.maxTokens = maxTokens;
  if (request.temperature != null && !dropTemperature && !(dropSampling && request.temperature !== 1)) {
    config.temperature = request.temperature;
  }
  if (request.top_p != null && !dropSampling) config.topP = request.top_p;
  if (stopSequences.length) config.stopSequences = stopSequences;
  return Object.keys(config).length ? config : undefined;
}

/** top_k where the family documents it: Claude's own `top_k`, Nova's `inferenceConfig.topK`. */
function topKFields(topK: number | null | undefined, family: ModelFamily): JsonObject | undefined {
  if (topK == null) return undefined;
  const place = topKPlace(family);
  if (place === "anthropic") return { top_k: topK };
  if (place === "nova") return { inferenceConfig: { topK } };
  return undefined;
}

/**
 * The operator's fields, then the request's own choices over them. Nova's topK sits inside an
 * `inferenceConfig` object the operator may also have set: one level is merged, not replaced.
 */
function additionalFields(
  base: JsonObject | undefined,
  overrides: Array<JsonObject | undefined>,
): JsonObject | undefined {
  let fields: JsonObject | undefined = base ? { ...base } : undefined;
  for (const override of overrides) {
    if (!override) continue;
    fields ??= {};
    for (const [key, value] of Object.entries(override)) {
      const current = fields[key];
      fields[key] = isJsonObject(current) && isJsonObject(value) ? { ...current, ...value } : value;
    }
  }
  return fields && Object.keys(fields).length ? fields : undefined;
}

/** Plain Converse refuses streamProcessingMode; ConverseStream takes it. */
function guardrailFor(config: GuardrailConfig, stream: boolean): JsonObject {
  const { streamProcessingMode, ...rest } = config;
  return stream && streamProcessingMode ? { ...rest, streamProcessingMode } : { ...rest };
}

/** response_format json_schema -> Converse's structured output (outputConfig.textFormat). */
function outputConfig(format: Record<string, unknown> | null | undefined): JsonObject | undefined {
  if (format?.type !== "json_schema") return undefined;
  const spec = format.json_schema;
  if (!isJsonObject(spec) || !isJsonObject(spec.schema)) {
    throw invalidRequest(
      "response_format json_schema needs a schema object: Converse constrains output by the schema itself.",
      "response_format.json_schema.schema",
    );
  }
  const jsonSchema: JsonObject = { schema: JSON.stringify(closedSchema(spec.schema)) };
  if (typeof spec.name === "string" && spec.name) jsonSchema.name = spec.name;
  if (typeof spec.description === "string" && spec.description) jsonSchema.description = spec.description;
  return { textFormat: { type: "json_schema", structure: { jsonSchema } } };
}
