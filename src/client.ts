// createBedrock(): the OpenAI-shaped client. It joins the pieces: validate the request,
// pick the route, build the body, call the transport, map the answer or the stream.
import { invokeJson, invokeStream } from "./aws/invoke.ts";
import type { RetryEvent } from "./aws/send-with-retries.ts";
import { createTransport, type TransportOptions } from "./aws/transport-options.ts";
import { configurationError, modelNotFound } from "./errors.ts";
import { applyModelCaps } from "./model-caps.ts";
import { primeStream, streamCompletion, type ChatCompletionStream } from "./completion-stream.ts";
import { randomId } from "./ids.ts";
import { parseModels, parseModelString, regionlessModelId, type ModelConfig, type ModelEntry } from "./model.ts";
import { parseChatRequest } from "./openai/schema.ts";
import type { ChatCompletion, ChatCompletionCreateParams, Usage } from "./openai/types.ts";
import { routes } from "./routes/index.ts";
import {
  BUILT_IN_NEUTRALISER,
  builtInTemplate,
  type CompiledTemplate,
  compileModelTemplate,
  type ModelTemplate,
  withVariables,
} from "./routes/prompts/model-template.ts";
import { neutraliseRequest, type RequestNeutraliser } from "./routes/prompts/special-tokens.ts";
import type { ModelSettings, Route } from "./routes/types.ts";
import { makeUsage, tokenCount } from "./routes/usage.ts";

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
  /** The names in `models`, in order. */
  listModels(): string[];
  /**
   * Compiles every configured `chat_template` now instead of on first use; resolves to one
   * message per model whose template does not compile (empty when all do). `where` names the
   * table in those messages (the proxy says MODELS).
   */
  checkModels(where?: string): Promise<string[]>;
}

interface Resolved {
  route: Route;
  modelId: string;
  region: string | undefined;
  settings: ModelSettings;
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
    const body = JSON.stringify(route.buildBody(request, modelId, settings));
    const call = {
      operation: route.operation,
      modelId,
      body,
      region,
      signal: requestOptions.signal,
      onRetry: requestOptions.onRetry,
    };
    const meta = { id: randomId("chatcmpl-"), created: Math.floor(Date.now() / 1000), model: request.model };

    if (request.stream) {
      const { reader, primed } = await invokeStream(transport, {
        ...call,
        prime: (reader, secrets) => primeStream(reader, secrets, route, request, meta),
      });
      return streamCompletion(reader, primed);
    }
    const { json, headers } = await invokeJson(transport, call);
    const answer = route.parseAnswer(json, request);
    const usage = answer.usage ?? usageFromHeaders(headers);
    const completion: ChatCompletion = {
      ...meta,
      object: "chat.completion",
      choices: answer.choices.map((choice) => ({ ...choice, logprobs: null })),
    };
    if (usage) completion.usage = usage;
    return completion;
  }

  return {
    chat: { completions: { create } as ChatCompletions },
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

function usageFromHeaders(headers: Headers): Usage | undefined {
  const input = tokenCount(numberHeader(headers, "x-amzn-bedrock-input-token-count"));
  const output = tokenCount(numberHeader(headers, "x-amzn-bedrock-output-token-count"));
  return input === undefined || output === undefined ? undefined : makeUsage(input, output);
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  return value === null || value.trim() === "" ? undefined : Number(value);
}
