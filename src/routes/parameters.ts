// What a route does with each Chat Completions parameter it cannot carry: ignore it when it cannot
// change the answer, or refuse it with a 400 that names it, says why the route cannot honour it and
// what the caller can do. With drop_params (the request's, as LiteLLM takes it, else the model's
// or the client's default, the proxy's DROP_PARAMS) what would be refused is dropped instead.
// Template routes take the whole policy, which knows what their wire_format carries (seed,
// penalties, n, logprobs… on openai_completion); the converse route the server-wide part of it.
import { describeValue } from "../describe-value.ts";
import { cutName, invalidRequest, shownText } from "../errors.ts";
import { foreignFieldsOf } from "../openai/foreign-fields.ts";
import { isOpenAIResponseFormatType } from "../openai/response-format.ts";
import { REQUEST_FIELDS } from "../openai/schema.ts";
import { FUNCTIONS_API, TEXT_ONLY } from "../openai/server-limits.ts";
import type { ChatCompletionRequest } from "../openai/types.ts";
import { type BedrockServiceTier, WIRE_FORMAT_NAMES } from "./setting-names.ts";
import type { ModelSettings } from "./types.ts";
import { wireFormats } from "./wire-formats/index.ts";
import type { TextField, WireFormatName } from "./wire-formats/types.ts";

export interface ParameterProblem {
  param: string;
  /** Why the route cannot honour it, as the rest of a sentence that starts with the parameter. */
  why: string;
  /** A setting under which it would be honoured. */
  honouredBy?: string;
}

interface Rule {
  /** Whether the value asks for something (a no-op value such as `n: 1` is accepted). */
  asks(value: unknown): boolean;
  why: string;
  honouredBy?: string;
}

/**
 * OpenAI's parameters that cannot change the answer: bookkeeping (`metadata`, `user`,
 * `safety_identifier`), routing and caching hints (`service_tier`, `prompt_cache_*`), and
 * `prediction` (predicted outputs only make an answer faster). Accepted and not sent as they are,
 * but service_tier is read on its own: the converse route sends it as Bedrock's serviceTier
 * (converse/service-tier.ts), and a tier an imported model does not have is refused on every
 * route (importedModelTierProblem, below).
 */
const ANSWER_NEUTRAL: ReadonlySet<string> = new Set([
  "metadata",
  "user",
  "service_tier",
  "safety_identifier",
  "prompt_cache_key",
  "prompt_cache_retention",
  "prompt_cache_options",
  "prediction",
]);

/** Whether a parameter is accepted and never sent upstream, on every route: it cannot change the answer. */
export function cannotChangeAnswer(param: string): boolean {
  return ANSWER_NEUTRAL.has(param);
}

const IGNORED: ReadonlySet<string> = new Set([
  ...ANSWER_NEUTRAL,
  // Read by each route: it sets the model's reasoning where the model has a control.
  "reasoning_effort",
]);

/** What no route of this server can do, whatever the model. */
const SERVER_RULES: Record<string, Rule> = {
  store: {
    asks: (store) => store === true,
    why: "cannot be true: this server keeps nothing, so a stored completion could never be read back",
  },
  modalities: {
    asks: (modalities) => Array.isArray(modalities) && modalities.some((modality) => modality !== "text"),
    why: 'can only be ["text"]: this server answers with text',
  },
  audio: { asks: (audio) => audio != null, why: TEXT_ONLY },
  // "medium" is OpenAI's default verbosity: it asks for nothing.
  verbosity: {
    asks: (verbosity) => verbosity != null && verbosity !== "medium",
    why: "is not available: the model has no verbosity control",
  },
  web_search_options: { asks: (options) => options != null, why: "is not available: this server has no web search" },
  functions: { asks: (fns) => fns != null, why: `${FUNCTIONS_API}: use tools` },
  function_call: { asks: (call) => call != null, why: `${FUNCTIONS_API}: use tool_choice` },
  moderation: { asks: (moderation) => moderation != null, why: "is not available: this server runs no moderation" },
};

/** Why logprobs cannot come back in BedrockCompletion. */
const TOKEN_IDS_ONLY =
  "cannot be returned in Bedrock's completion format, which this route sends: it gives token ids without the tokens";

/** Bedrock's OpenAICompletion format (the `wire_format` model setting) honours these. */
const OPENAI_COMPLETION = 'the model\'s wire_format "openai_completion"';
const NO_FIELD = "is not in Bedrock's completion format, which this route sends";

/** What no prompt format can carry (`{prompt, …}` bodies, whichever the template routes send). */
const PROMPT_FORMAT_RULES: Record<string, Rule> = {
  parallel_tool_calls: {
    asks: (parallel) => parallel === false,
    why: "cannot be false: a prompt cannot stop the model from calling several functions",
  },
  prompt_logprobs: {
    asks: (count) => count != null,
    why: "is returned by the openai route only (Bedrock's chat format), not in the prompt formats this route sends",
  },
};

/**
 * What only some wire formats carry, by the field of the format's body that carries it
 * (wire-formats/from-chat.ts writes it there): refused where the model's wire_format has no such
 * field, honoured where it has one.
 */
const FORMAT_FIELD_RULES: Record<string, Rule & { field: TextField }> = {
  n: {
    field: "n",
    asks: (n) => n != null && n !== 1,
    why: "must be 1: this route returns one answer per call",
    honouredBy: OPENAI_COMPLETION,
  },
  seed: { field: "seed", asks: (seed) => seed != null, why: NO_FIELD, honouredBy: OPENAI_COMPLETION },
  presence_penalty: { field: "presence_penalty", asks: Boolean, why: NO_FIELD, honouredBy: OPENAI_COMPLETION },
  frequency_penalty: { field: "frequency_penalty", asks: Boolean, why: NO_FIELD, honouredBy: OPENAI_COMPLETION },
  logprobs: {
    field: "logprobs",
    asks: (wanted) => wanted === true,
    why: TOKEN_IDS_ONLY,
    honouredBy: OPENAI_COMPLETION,
  },
  top_logprobs: { field: "logprobs", asks: Boolean, why: TOKEN_IDS_ONLY, honouredBy: OPENAI_COMPLETION },
  logit_bias: {
    field: "logit_bias",
    asks: (bias) => bias != null && Object.keys(bias).length > 0,
    why: NO_FIELD,
    honouredBy: OPENAI_COMPLETION,
  },
  structured_outputs: {
    field: "structured_outputs",
    asks: (outputs) => outputs != null,
    why: `${NO_FIELD} (response_format is)`,
    honouredBy: OPENAI_COMPLETION,
  },
};

/** The template routes' rules, per wire format: what that format carries is honoured, not refused. */
const TEMPLATE_ROUTE_RULES = Object.fromEntries(
  WIRE_FORMAT_NAMES.map((name) => {
    const uncarried = Object.entries(FORMAT_FIELD_RULES).filter(
      ([, rule]) => !wireFormats[name].carries.has(rule.field),
    );
    return [name, { ...SERVER_RULES, ...PROMPT_FORMAT_RULES, ...Object.fromEntries(uncarried) }];
  }),
) as Record<WireFormatName, Record<string, Rule>>;

/** Every rule, by parameter: what a value must be to ask for something. */
const ALL_RULES: Record<string, Rule> = { ...SERVER_RULES, ...PROMPT_FORMAT_RULES, ...FORMAT_FIELD_RULES };

/**
 * Whether `value` is a no-op value of `param` (`n: 1`, `logprobs: false`, `store: false`,
 * `modalities: ["text"]`, `verbosity: "medium"`…): one every route accepts, and which a route
 * that passes fields on (openai) has no reason to send.
 */
export function asksNothing(param: string, value: unknown): boolean {
  return Object.hasOwn(ALL_RULES, param) && !ALL_RULES[param]!.asks(value);
}

/**
 * The parameters of `request` that `rules` refuse, and the fields no route knows (neither the
 * request schema's nor `ownFields`, which the route reads itself), in the request's order; first
 * those of the caller's own request that its API does not have, when it came from another API.
 */
function problemsOf(
  request: ChatCompletionRequest,
  rules: Record<string, Rule>,
  ownFields: ReadonlySet<string> = new Set(),
): ParameterProblem[] {
  const foreign = foreignFieldsOf(request);
  const problems: ParameterProblem[] =
    foreign?.fields.map((param) => ({ param, why: `is not a ${foreign.api} parameter` })) ?? [];
  for (const [param, value] of Object.entries(request)) {
    if (value === undefined || IGNORED.has(param)) continue;
    const rule = Object.hasOwn(rules, param) ? rules[param] : undefined;
    if (rule) {
      if (rule.asks(value))
        problems.push({ param, why: rule.why, ...(rule.honouredBy ? { honouredBy: rule.honouredBy } : {}) });
    } else if (!REQUEST_FIELDS.has(param) && !ownFields.has(param)) {
      problems.push({ param, why: "is not a Chat Completions parameter" });
    }
  }
  return problems;
}

/**
 * The server-wide part of the policy, for a route that checks the model-specific parameters
 * itself (converse): ignorable ones pass, what no route can do and unknown fields are problems.
 */
export function serverParameterProblems(
  request: ChatCompletionRequest,
  ownFields: ReadonlySet<string>,
): ParameterProblem[] {
  return problemsOf(request, SERVER_RULES, ownFields);
}

/** drop_params of the request, else of the model (or the client's default, the proxy's DROP_PARAMS). */
export function dropsParameters(request: ChatCompletionRequest, settings: Pick<ModelSettings, "drop_params">): boolean {
  return request.drop_params ?? settings.drop_params ?? false;
}

/**
 * The parameters to leave out of the body: refuses the first problem with a 400 that says what to
 * do, unless the request or the model drops them.
 */
export function refuseOrDrop(problems: readonly ParameterProblem[], route: string, drop: boolean): Set<string> {
  const first = problems[0];
  if (first && !drop) throw refusal(first, route);
  return new Set(problems.map((problem) => problem.param));
}

/**
 * A response_format type outside OpenAI's three (vLLM's structural_tag, or a typo) on a route that
 * builds its own constraint from the type: the template routes (a held answer's prefilled lead, a
 * forced call's format) and converse (outputConfig). It is a wrong value there, a 400 naming
 * response_format.type that drop_params does not drop: dropping it would answer unshaped text to
 * a caller who asked for a shape. The openai route never calls this: it passes the type on to the
 * model server, which honours it or refuses it.
 */
export function checkResponseFormatType(format: { type: string } | null | undefined, route: string): void {
  if (format == null || isOpenAIResponseFormatType(format.type)) return;
  throw invalidRequest(
    `response_format.type must be "text", "json_object" or "json_schema" on route ${route} ` +
      `(got ${shownText(format.type, 40)}); only the openai route passes other types on to the model server.`,
    "response_format.type",
  );
}

/**
 * A template route's check of the whole request; `only` limits it to some parameters (a route
 * whose body carries the rest).
 */
export function checkParameters(
  request: ChatCompletionRequest,
  route: string,
  settings: Pick<ModelSettings, "drop_params" | "wire_format">,
  only?: readonly string[],
): Set<string> {
  checkResponseFormatType(request.response_format, route);
  const rules = TEMPLATE_ROUTE_RULES[settings.wire_format ?? "bedrock_completion"];
  const problems = problemsOf(request, rules);
  // Every template route serves an imported model.
  const tierProblem = importedModelTierProblem(
    (request as ChatCompletionRequest & { service_tier?: unknown }).service_tier,
  );
  if (tierProblem) problems.push(tierProblem);
  return refuseOrDrop(
    problems.filter((problem) => !only || only.includes(problem.param)),
    route,
    dropsParameters(request, settings),
  );
}

function refusal({ param: field, why, honouredBy }: ParameterProblem, route: string) {
  // An unknown field's name is the client's text, of any length: the message cuts it between
  // words only (errors.ts), or tells its length; `param` names it to the client, cut in code points (cutName).
  const alternative = honouredBy ? `, or use ${honouredBy}, which honours it` : "";
  return invalidRequest(
    `${shownText(field, 64, "a name", false)} ${why} (route ${route}). Remove it, or set drop_params: true (in the request, or for the model) to ignore ` +
      `parameters this route cannot honour${alternative}.`,
    cutName(field, 64),
    "unsupported_parameter",
  );
}

// service_tier, read on its own by every route: the converse route sends it as serviceTier
// (converse/service-tier.ts); an imported model, on any route, has no tier but the default.

/**
 * OpenAI's request values in Bedrock's words. "fast" is openai 7's name for priority (OpenAI's
 * answers say "priority" for it). "scale", OpenAI's Scale Tier, is tokens per minute bought ahead
 * for a term, overflowing to pay-as-you-go: what Bedrock's reserved tier is.
 */
const REQUESTED: Readonly<Record<string, BedrockServiceTier>> = {
  default: "default",
  flex: "flex",
  priority: "priority",
  fast: "priority",
  scale: "reserved",
};

const REQUEST_VALUES = '"auto", "default", "flex", "priority" (or "fast") or "scale" (Bedrock\'s reserved tier)';

/** The Bedrock tier a request's service_tier names; undefined for none or "auto". A value that names none is a 400. */
export function requestedTier(requested: unknown): BedrockServiceTier | undefined {
  if (requested == null || requested === "auto") return undefined;
  const tier = typeof requested === "string" && Object.hasOwn(REQUESTED, requested) ? REQUESTED[requested] : undefined;
  if (tier === undefined) {
    throw invalidRequest(
      `service_tier must be one of ${REQUEST_VALUES}, not ${describeValue(requested)}.`,
      "service_tier",
    );
  }
  return tier;
}

/**
 * Why an imported model cannot be served in the tier a request asks for: Custom Model Import serves
 * on demand only (Bedrock's priority, flex and reserved tiers are for some foundation models). A
 * problem the route cannot honour, as its others: refused, or dropped under drop_params, served in
 * the default tier as it always is. "auto", "default" and none ask for that tier.
 */
export function importedModelTierProblem(requested: unknown): ParameterProblem | undefined {
  const tier = requestedTier(requested);
  if (tier === undefined || tier === "default") return undefined;
  return {
    param: "service_tier",
    why: `${JSON.stringify(requested)} asks for Bedrock's ${tier} tier, which an imported model does not have: Bedrock serves Custom Model Import on demand, in its default tier only ("auto" and "default" ask for that)`,
  };
}
