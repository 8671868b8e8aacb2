// createBedrock(): the OpenAI-shaped client. It joins the pieces: validate the request,
// pick the route, build the body, call the transport, map the answer or the stream.
import type { RetryEvent } from "./aws/send-with-retries.ts";
import { createTransport, type TransportOptions } from "./aws/transport-options.ts";
import { configurationError, modelNotFound } from "./errors.ts";
import { applyModelCaps } from "./model-caps.ts";
import { chatChunkMapper, type ChatCompletionStream } from "./completion-stream.ts";
import { type Completions, createCompletions, type ResolvedModel } from "./completions/client.ts";
import { randomId } from "./ids.ts";
import { parseModels, parseModelString, regionlessModelId, type ModelConfig, type ModelEntry } from "./model.ts";
import { parseChatRequest } from "./openai/schema.ts";
import { callJson, callStream } from "./model-call.ts";
import type { ChatCompletion, ChatCompletionCreateParams } from "./openai/types.ts";
import { routes } from "./routes/index.ts";
import type { Responses, ResponsesRequestOptions } from "./responses/client.ts";
import type { ResponseCreateParams } from "./responses/types.ts";
import {
  BUILT_IN_NEUTRALISER,
  builtInTemplate,
  type CompiledTemplate,
  compileModelTemplate,
  type ModelTemplate,
  withVariables,
} from "./routes/prompts/model-template.ts";
import { neutraliseRequest, type RequestNeutraliser } from "./routes/prompts/special-tokens.ts";
import type { ModelSettings } from "./routes/types.ts";

export type { ChatCompletionStream } from "./completion-stream.ts";

export interface BedrockOptions extends TransportOptions {
  /** Public names -> model strings or configs (templates, region, drop_params). */
  models?: Record<string, ModelEntry>;
  /** Refuse model strings not named in `models` (the proxy's mode). Default false. */
  onlyListedModels?: boolean;
  /**
   * Drop parameters a route cannot honour instead of refusing them, for every model whose own
   * `drop_params` does not say otherwise (a request's `drop_params` overrides both). Default false.
   */
  dropParams?: boolean;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Called before each retry (throttling, 5xx, a model waking up). */
  onRetry?: (event: RetryEvent) => void;
}

export type StreamingRequest = ChatCompletionCreateParams & { stream: true };
export type NonStreamingRequest = ChatCompletionCreateParams & { stream?: false | null };

export interface ChatCompletions {
  create(request: StreamingRequest, options?: RequestOptions): Promise<ChatCompletionStream>;
  create(request: NonStreamingRequest, options?: RequestOptions): Promise<ChatCompletion>;
  create(request: ChatCompletionCreateParams, options?: RequestOptions): Promise<ChatCompletion | ChatCompletionStream>;
}

export interface Bedrock {
  chat: { completions: ChatCompletions };
  /** OpenAI's legacy Completions API: a raw prompt, no chat template. */
  completions: Completions;
  /** The Responses API, stateless, mapped onto chat completions. */
  responses: Responses;
  /** The names in `models`, in order. */
  listModels(): string[];
  /**
   * Compiles every configured `chat_template` now instead of on first use; resolves to one
   * message per model whose template does not compile (empty when all do). `where` names the
   * table in those messages (the proxy says MODELS).
   */
  checkModels(where?: string): Promise<string[]>;
}

interface Resolved extends ResolvedModel {
  /** What request text may not spell; undefined when the model keeps special tokens. */
  neutraliser: RequestNeutraliser | undefined;
}

export function createBedrock(options: BedrockOptions = {}): Bedrock {
  const transport = createTransport(options);
  const models = parseModels(options.models ?? {});
  if (!options.region) refuseRegionless(models);
  const compiled = new Map<string, Promise<CompiledTemplate>>();

  async function template(config: ModelConfig): Promise<ModelTemplate | undefined> {
    if (config.template) return builtInTemplate(config.template);
    const source = config.chat_template;
    if (!source) return undefined;
    const key = `${config.bos_token ?? ""}\u0000${config.eos_token ?? ""}\u0000${source}`;
    let ready = compiled.get(key);
    if (!ready) {
      ready = compileModelTemplate(source, { bos_token: config.bos_token, eos_token: config.eos_token });
      compiled.set(key, ready);
    }
    try {
      return withVariables(await ready, config.client_template_kwargs);
    } catch (error) {
      // A bad template is the deployment's fault, not the caller's.
      throw configurationError(
        `The chat_template configured for this model does not compile: ${error instanceof Error ? error.message : "unknown error"}`,
        "invalid_model_config",
      );
    }
  }

  async function resolve(name: string): Promise<Resolved> {
    const config = Object.hasOwn(models, name) ? models[name] : undefined;
    if (!config && options.onlyListedModels) throw modelNotFound(name);
    const parsed = parseModelString(config?.model ?? name);
    let settings: ModelSettings = {};
    let neutraliser: RequestNeutraliser | undefined = BUILT_IN_NEUTRALISER;
    if (config) {
      const { model: _model, region: _region, ...values } = config;
      const own = await template(config);
      settings = own ? { ...values, render: own.render, templateVariables: own.variables } : values;
      neutraliser = config.special_tokens === "keep" ? undefined : (own?.neutraliser ?? BUILT_IN_NEUTRALISER);
    }
    // The client's default (the proxy's DROP_PARAMS) serves models whose own setting says nothing.
    if (settings.drop_params === undefined && options.dropParams !== undefined) {
      settings = { ...settings, drop_params: options.dropParams };
    }
    return {
      route: routes[parsed.route],
      modelId: parsed.modelId,
      region: config?.region ?? parsed.region,
      settings,
      neutraliser,
    };
  }

  async function create(input: ChatCompletionCreateParams, requestOptions: RequestOptions = {}) {
    const parsed = parseChatRequest(input);
    const { route, modelId, region, settings, neutraliser } = await resolve(parsed.model);
    // The model's caps, then its special tokens neutralised in all request text, in this one
    // place before any template renders it: from here on, the route sees only this request.
    const capped = applyModelCaps(parsed, settings);
    const request = neutraliser ? neutraliseRequest(capped, neutraliser) : capped;
    const call = {
      ...requestOptions,
      operation: route.operation,
      modelId,
      region,
      body: route.buildBody(request, modelId, settings),
    };
    const meta = { id: randomId("chatcmpl-"), created: Math.floor(Date.now() / 1000), model: request.model };

    if (request.stream) return callStream(transport, call, chatChunkMapper(route, request, settings, meta));
    const { json, headerUsage } = await callJson(transport, call);
    const answer = route.parseAnswer(json, request, settings);
    const usage = answer.usage ?? headerUsage;
    const completion: ChatCompletion = {
      ...meta,
      object: "chat.completion",
      choices: answer.choices.map(({ index, message, finish_reason, logprobs }) => ({
        index,
        message,
        finish_reason,
        logprobs: logprobs ?? null,
      })),
    };
    if (usage) completion.usage = usage;
    if (answer.prompt_logprobs) completion.prompt_logprobs = answer.prompt_logprobs;
    return completion;
  }

  const completions = { create } as ChatCompletions;
  return {
    chat: { completions },
    completions: createCompletions({ transport, resolve }),
    responses: lazyResponses(completions),
    listModels: () => Object.keys(models),
    async checkModels(where = "models") {
      const problems: string[] = [];
      for (const [name, config] of Object.entries(models)) {
        try {
          await template(config);
        } catch (error) {
          problems.push(`${where}["${name}"].chat_template: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return problems;
    },
  };
}

/** A bare model id with no region anywhere would fail every call: it is refused with its entry. */
function refuseRegionless(models: Record<string, ModelConfig>): void {
  for (const [name, config] of Object.entries(models)) {
    const modelId = regionlessModelId(config);
    if (modelId === undefined) continue;
    throw new TypeError(
      `models["${name}"]: ${modelId.slice(0, 200)} names no region (only an ARN does): set the region option, or this entry's region.`,
    );
  }
}

/**
 * The Responses API, loaded on its first call: bundles that split code keep it out of the main
 * chunk, so chat-only code does not carry it.
 */
function lazyResponses(completions: ChatCompletions): Responses {
  let loaded: Promise<Responses> | undefined;
  async function create(params: ResponseCreateParams, options?: ResponsesRequestOptions) {
    loaded ??= import("./responses/client.ts").then((module) => module.createResponses(completions));
    return (await loaded).create(params, options);
  }
  return { create } as Responses;
}
