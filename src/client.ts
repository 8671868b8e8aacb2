// createBedrock(): the OpenAI-shaped client. It joins the pieces: validate the request,
// pick the route, build the body, call the transport, map the answer or the stream.
import type { RetryEvent } from "./aws/send-with-retries.ts";
import { checkMilliseconds, createTransport, type Transport, type TransportOptions } from "./aws/transport-options.ts";
import { configurationError, modelNotFound, shownText } from "./errors.ts";
import type { ChatCompletionStream } from "./completion-stream.ts";
import type { Completions, DeploymentTarget, ResolvedModel } from "./completions/client.ts";
import type { CompletionCreateParams } from "./completions/types.ts";
import type { Embeddings } from "./embeddings/client.ts";
import type { EmbeddingCreateParams } from "./embeddings/types.ts";
import type { Images } from "./images/client.ts";
import type { ImageEditParams, ImageGenerateParams, ImageVariationParams } from "./images/types.ts";
import { lazy } from "./lazy.ts";
import {
  deploymentsOf,
  type ModelDeployment,
  type ModelDeployments,
  type ModelEntry,
  type ModelTableEntry,
  parseModels,
  regionlessModelId,
  settingValues,
} from "./model.ts";
import type { ChatCompletion, ChatCompletionCreateParams } from "./openai/types.ts";
import { type RouteName, routeEntries } from "./routes/index.ts";
import type { Responses, ResponsesRequestOptions } from "./responses/client.ts";
import type { ResponseCreateParams } from "./responses/types.ts";
import type { CompiledTemplate, ModelTemplate } from "./routes/prompts/model-template.ts";
import type { RequestNeutraliser } from "./routes/prompts/token-neutraliser.ts";
import type { ModelSettings } from "./routes/types.ts";
import type { CooldownStore } from "./routing/cooldowns.ts";
import type { FailoverUsageEvent } from "./routing/attempt-usage.ts";
import type { DeploymentEvent, FailoverEvent } from "./routing/router.ts";
import type { CallSentEvent } from "./completions/sent-calls.ts";

export type { ChatCompletionStream } from "./completion-stream.ts";

// Loaded on first use, so that what a caller loads first is the client and the checks of its
// options and models table: the transport (calls, retries, signing) and the request schema on
// the first call, the chunk mapper and the stream reader on the first stream,
// the built-in templates (and the Jinja compiler) on the first call of a model that names one,
// the special-token neutraliser and the model caps on the first call that needs them, legacy
// Completions, Responses, Embeddings and Images on their first call, the router (with its cool-downs and in-flight
// counts) on the first call of a model of several deployments, and the SigV4 signer on the first
// signed call (src/aws/sign.ts).
const requestSchema = lazy(() => import("./openai/schema.ts"));
const modelCalls = lazy(() => import("./model-call.ts"));
const chunkMapper = lazy(() => import("./completion-stream.ts"));
const templates = lazy(() => import("./routes/prompts/model-template.ts"));
const neutralising = lazy(() => import("./routes/prompts/token-neutraliser.ts"));
const modelCaps = lazy(() => import("./model-caps.ts"));
const routing = lazy(() => import("./routing/serve.ts"));
// The answer's id is made after the request is checked: its maker loads with the first call too.
const ids = lazy(() => import("./ids.ts"));

/** How long a failing deployment is skipped by default, in ms. */
const DEFAULT_COOLDOWN_MS = 10_000;

export interface BedrockOptions extends TransportOptions {
  /** Public names -> model strings or configs (templates, region, drop_params). */
  models?: Record<string, ModelEntry> | undefined;
  /** Refuse model strings not named in `models` (the proxy's mode). Default false. */
  onlyListedModels?: boolean | undefined;
  /**
   * Drop parameters a route cannot honour instead of refusing them, for every model whose own
   * `drop_params` does not say otherwise (a request's `drop_params` overrides both). Default false.
   */
  dropParams?: boolean | undefined;
  /**
   * Where the cool-downs of failing deployments are kept, to share them beyond this client (the
   * proxy uses a Durable Object). Default: in this client.
   */
  cooldownStore?: CooldownStore | undefined;
  /** How long a failing deployment is skipped, in ms (default 10000, at most 2147483647). */
  cooldownMs?: number | undefined;
}

export interface RequestOptions {
  signal?: AbortSignal | undefined;
  /** Called before each retry (throttling, 5xx, a model waking up). */
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /**
   * Called each time the request is sent to a deployment of its model, once its body is built (a
   * request refused while it is built reached none); the last one served it (or failed).
   */
  onDeployment?: ((event: DeploymentEvent) => void) | undefined;
  /**
   * Called when a deployment serves a request after others failed it having answered some of its
   * calls (a legacy Completions request of several calls moved on from a throttled copy): Bedrock
   * billed those calls, and the answer's usage, which counts the serving deployment's only, leaves
   * them out. Called once, before create() resolves. A request no deployment serves does not call
   * it: its error's `usage` and `unmeteredCalls` add up every attempt's instead; but one that ends
   * in an error not the library's (an aborted request's `signal.reason`) calls it before it throws.
   */
  onFailoverUsage?: ((event: FailoverUsageEvent) => void) | undefined;
  /**
   * Called for each deployment's try that fails with an error another deployment could serve (a
   * throttle or a cold copy, Bedrock's 408 or 5xx, a timeout, a lost connection), with the
   * deployment and its error, before its cool-down is written: the request then moves on to
   * another deployment (what onRetry tells of a retry on one deployment, for a move to another),
   * or, the last one tried, fails with that error. Not called for an error that fails the request
   * at once (a refusal of the request, the library's 500s, an abort), for a model of one
   * deployment (none to move to), nor for the second try of the first deployment found asleep,
   * sent when no deployment served: its failure is the request's error.
   */
  onFailover?: ((event: FailoverEvent) => void) | undefined;
  /**
   * Called when a call of a request sent as several (legacy Completions' prompts and n, an
   * embeddings request's batches, Stability's images) starts its first try on a deployment, with
   * which call it is, as RetryEvent's prompt and texts tell it: such a request sends at most six at
   * a time, the others waiting for a slot with no try out. Called before the call is signed and
   * fetched, so a call told may never reach Bedrock (an abort meanwhile, a connection never made):
   * counting by it over-counts, never under. A request of one call does not call it.
   */
  onCallSent?: ((event: CallSentEvent) => void) | undefined;
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
  /** OpenAI's Embeddings API, on Bedrock's embedding models (the embed route). */
  embeddings: Embeddings;
  /** OpenAI's image generation, on Bedrock's image models (the image route). */
  images: Images;
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
  /** What request text may not spell, when the model's own template says; else the built-in families' tokens. */
  neutraliser: RequestNeutraliser | undefined;
  /** Where the request may go: whether signed thinking stays as sent depends on each one's model. */
  deployments: readonly ModelDeployment[];
}

/**
 * A client of OpenAI's shapes (chat.completions, completions, responses, embeddings, images) that
 * calls Bedrock. The options are checked now: a mistake (an option of the wrong shape or out of
 * range, a models table entry that is malformed, contradicts `region` or, with no `region`, names
 * none) is a TypeError naming it. Nothing is sent until a call.
 */
export function createBedrock(options: BedrockOptions = {}): Bedrock {
  const transport = createTransport(options);
  const { region } = options;
  // A listed model whose ARN contradicts the client's region is refused now, with its entry.
  const models = parseModels(
    options.models ?? {},
    "models",
    region ? { region, setting: "the region option" } : undefined,
  );
  if (!region) refuseRegionless(models);
  const compiled = new Map<string, Promise<CompiledTemplate>>();
  // Each entry's deployments, and the transports of those with credentials of their own.
  const served = new Map(Object.entries(models).map(([name, entry]) => [name, deploymentsOf(entry, name)]));
  const ownTransports = new Map<ModelDeployment, Transport>();
  for (const { deployments } of served.values()) {
    for (const deployment of deployments) {
      if (deployment.credentials || deployment.apiKey) {
        ownTransports.set(
          deployment,
          createTransport({ ...options, credentials: deployment.credentials, apiKey: deployment.apiKey }),
        );
      }
    }
  }
  // Checked now, used by the router once a model of several deployments is first called.
  const cooldownMs = checkMilliseconds(options.cooldownMs, DEFAULT_COOLDOWN_MS, "cooldownMs");
  const router = lazy(() =>
    routing().then(({ serveDeployments }) => serveDeployments({ store: options.cooldownStore, cooldownMs })),
  );

  async function template(config: ModelTableEntry, route: RouteName): Promise<ModelTemplate | undefined> {
    if (config.template) return (await templates()).builtInTemplate(config.template);
    const source = config.chat_template;
    if (!source) return undefined;
    // The route gives the special tokens the settings do not (undefined, unlike "", is not set).
    const key = JSON.stringify([route, config.bos_token, config.eos_token]) + source;
    let compiledTemplate = compiled.get(key);
    if (!compiledTemplate) {
      // Its bos_token and eos_token settings, the only fields read.
      compiledTemplate = templates().then(({ compileModelTemplate }) => compileModelTemplate(source, config, route));
      compiled.set(key, compiledTemplate);
    }
    try {
      const ready = await compiledTemplate;
      return (await templates()).withVariables(ready, config.client_template_kwargs);
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
    const deployments = (config && served.get(name)) ?? deploymentsOf(undefined, name);
    let settings: ModelSettings = {};
    let neutraliser: RequestNeutraliser | undefined;
    if (config) {
      const values = settingValues(config);
      // (Most entries name no template: no async call, and no wait, for them.)
      const own = config.template || config.chat_template ? await template(config, deployments.route) : undefined;
      settings = own ? { ...values, render: own.render, templateVariables: own.variables } : values;
      neutraliser = own?.neutraliser;
    }
    // The client's default (the proxy's DROP_PARAMS) serves models whose own setting says nothing.
    if (settings.drop_params === undefined && options.dropParams !== undefined) {
      settings = { ...settings, drop_params: options.dropParams };
    }
    return {
      route: await routeEntries[deployments.route].load(),
      settings,
      neutraliser,
      deployments: deployments.deployments,
      serve: (attempt, requestOptions) => serve(name, deployments, attempt, requestOptions),
    };
  }

  /**
   * A request's calls on the deployments of its model, in its routing's order, moving on before
   * the first byte. Each attempt gets its deployment's model id, region and transport.
   */
  function serve<T>(
    name: string,
    model: ModelDeployments,
    attempt: (target: DeploymentTarget) => Promise<T>,
    requestOptions: RequestOptions,
  ): Promise<T> {
    // The router's choice (it tells it just before each attempt), passed on to the caller only
    // once the attempt has a body to send: a request refused while it is built (n must be 1…)
    // never reached a deployment.
    let chosen: DeploymentEvent = { index: 0, tried: 1 };
    const on = (deployment: ModelDeployment, failFast: boolean, event = chosen) =>
      attempt({
        modelId: deployment.modelId,
        region: deployment.region,
        transport: ownTransports.get(deployment) ?? transport,
        failFast,
        sending: () => requestOptions.onDeployment?.(event),
      });
    // One deployment: nothing to route around, so the router is not loaded for it.
    return model.deployments.length === 1
      ? on(model.deployments[0]!, false)
      : router().then((route) =>
          route(name, model, on, { ...requestOptions, onDeployment: (event) => (chosen = event) }),
        );
  }

  async function create(input: ChatCompletionCreateParams, requestOptions: RequestOptions = {}) {
    // The first call loads the transport while the request is checked and its route loaded.
    const calls = modelCalls();
    const naming = ids();
    const parsed = (await requestSchema()).parseChatRequest(input);
    const { route: modelRoute, settings, neutraliser, deployments, serve: served } = await resolve(parsed.model);
    // The model's caps, then its special tokens neutralised in all request text, in this one
    // place before any template renders it: from here on, the route sees only this request.
    const capped =
      settings.max_n === undefined && settings.max_output_tokens === undefined
        ? parsed
        : (await modelCaps()).applyModelCaps(parsed, settings);
    const request =
      settings.special_tokens === "keep"
        ? capped
        : (await neutralising()).neutraliseRequest(capped, neutraliser, modelRoute, deployments, settings);
    const meta = {
      id: (await naming).randomId("chatcmpl-"),
      created: Math.floor(Date.now() / 1000),
      model: request.model,
    };

    // Each model id's body, built once however many copies a request tries (review perreq43 #4).
    const bodies = new Map<string, Record<string, unknown>>();
    const bodyFor = (modelId: string): Record<string, unknown> => {
      const known = bodies.get(modelId);
      if (known) return known;
      const [first] = bodies.values();
      const body =
        first && modelRoute.retarget
          ? modelRoute.retarget(first, modelId)
          : modelRoute.buildBody(request, modelId, settings);
      bodies.set(modelId, body);
      return body;
    };

    // The whole call on one deployment: the body names its model id, the transport its credentials.
    return served(async ({ modelId, region, transport: via, failFast, sending }) => {
      const { callJson, callReplayed, callStream } = await calls;
      // The first call waits here for the transport: a request aborted meanwhile never reached
      // the deployment the router chose, and is not told to it.
      requestOptions.signal?.throwIfAborted();
      const call = {
        ...requestOptions,
        operation: modelRoute.operation,
        modelId,
        region,
        failFast,
        body: bodyFor(modelId),
        limitParam: request.max_completion_tokens == null ? undefined : "max_completion_tokens",
      };
      sending();
      if (request.stream) {
        const { chatChunkMapper } = await chunkMapper();
        const mapper = () => chatChunkMapper(modelRoute, request, settings, meta, modelId);
        const replay = modelRoute.streamReplay;
        return replay?.needed(request, modelId, call.body, settings)
          ? callReplayed(via, call, mapper, replay.events)
          : callStream(via, call, mapper);
      }
      const { json, text, headerUsage } = await callJson(via, call);
      const answer = modelRoute.parseAnswer(json, request, settings, text, modelId, headerUsage);
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
      if (answer.service_tier) completion.service_tier = answer.service_tier;
      return completion;
    }, requestOptions);
  }

  const completions = { create } as ChatCompletions;
  return {
    chat: { completions },
    completions: lazyCompletions(() => import("./completions/client.ts").then((m) => m.createCompletions({ resolve }))),
    responses: lazyResponses(completions),
    embeddings: lazyEmbeddings(() => import("./embeddings/client.ts").then((m) => m.createEmbeddings({ resolve }))),
    images: lazyImages(() => import("./images/client.ts").then((m) => m.createImages({ resolve }))),
    listModels: () => Object.keys(models),
    async checkModels(where = "models") {
      const problems: string[] = [];
      for (const [name, config] of Object.entries(models)) {
        try {
          await template(config, served.get(name)!.route);
        } catch (error) {
          problems.push(`${where}["${name}"].chat_template: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return problems;
    },
  };
}

/** A bare model id with no region anywhere would fail every call: it is refused with its entry. */
function refuseRegionless(models: Record<string, ModelTableEntry>): void {
  for (const [name, config] of Object.entries(models)) {
    const modelId = regionlessModelId(config);
    if (modelId === undefined) continue;
    throw new TypeError(
      `models["${name}"]: ${shownText(modelId, 200, "a model id", false)} names no region: set the region option, or this entry's region.`,
    );
  }
}

/** Legacy Completions, loaded on its first call (its request schema and call planning with it). */
function lazyCompletions(load: () => Promise<Completions>): Completions {
  const loaded = lazy(load);
  async function create(params: CompletionCreateParams, options?: RequestOptions) {
    return (await loaded()).create(params, options);
  }
  return { create } as Completions;
}

/** Embeddings, loaded on their first call (their request schema and families with them). */
function lazyEmbeddings(load: () => Promise<Embeddings>): Embeddings {
  const loaded = lazy(load);
  async function create(params: EmbeddingCreateParams, options?: RequestOptions) {
    return (await loaded()).create(params, options);
  }
  return { create } as Embeddings;
}

/** Images, loaded on their first call (their request schema and families with them). */
function lazyImages(load: () => Promise<Images>): Images {
  const loaded = lazy(load);
  return {
    generate: async (params: ImageGenerateParams, options?: RequestOptions) =>
      (await loaded()).generate(params, options),
    edit: async (params: ImageEditParams, options?: RequestOptions) => (await loaded()).edit(params, options),
    createVariation: async (params: ImageVariationParams, options?: RequestOptions) =>
      (await loaded()).createVariation(params, options),
  };
}

/**
 * The Responses API, loaded on its first call: bundles that split code keep it out of the main
 * chunk, so chat-only code does not carry it.
 */
function lazyResponses(completions: ChatCompletions): Responses {
  const loaded = lazy(() => import("./responses/client.ts").then((module) => module.createResponses(completions)));
  async function create(params: ResponseCreateParams, options?: ResponsesRequestOptions) {
    return (await loaded()).create(params, options);
  }
  return { create } as Responses;
}
