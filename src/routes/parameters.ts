// What a template route does with each Chat Completions parameter its body cannot carry: ignore
// it when it cannot change the answer, or refuse it with a 400 that names it, says why this route
// cannot honour it and what the caller can do. With drop_params (the request's, as LiteLLM takes
// it, else the model's or the proxy's) what would be refused is dropped instead.
import { invalidRequest } from "../errors.ts";
import { REQUEST_FIELDS } from "../openai/schema.ts";
import type { ChatCompletionRequest } from "../openai/types.ts";
import type { ModelSettings } from "./types.ts";

interface ParameterProblem {
  param: string;
  /** Why the route cannot honour it, as the rest of a sentence that starts with the parameter. */
  why: string;
  /** A setting under which it would be honoured. */
  honouredBy?: string;
}

/** Bedrock's OpenAICompletion format (the `wire_format` model setting) honours these. */
const OPENAI_COMPLETION = 'the model\'s wire_format "openai_completion"';
const NO_FIELD = "is not in Bedrock's completion format, which this route sends";

const RESPONSE_FORMATS = new Set<unknown>(["text", "json_object", "json_schema"]);

function formatType(format: unknown): unknown {
  return format !== null && typeof format === "object" ? (format as { type?: unknown }).type : undefined;
}

/**
 * OpenAI's parameters a completion-format route refuses when they ask for something (a no-op
 * value such as `n: 1` or `presence_penalty: 0` is accepted), and why.
 */
const RULES: Record<string, { asks(value: unknown): boolean; why: string; honouredBy?: string }> = {
  n: {
    asks: (n) => n != null && n !== 1,
    why: "must be 1: this route returns one answer per call",
    honouredBy: OPENAI_COMPLETION,
  },
  seed: { asks: (seed) => seed != null, why: NO_FIELD, honouredBy: OPENAI_COMPLETION },
  presence_penalty: { asks: Boolean, why: NO_FIELD, honouredBy: OPENAI_COMPLETION },
  frequency_penalty: { asks: Boolean, why: NO_FIELD, honouredBy: OPENAI_COMPLETION },
  logprobs: { asks: (wanted) => wanted === true, why: NO_FIELD, honouredBy: OPENAI_COMPLETION },
  top_logprobs: { asks: Boolean, why: NO_FIELD, honouredBy: OPENAI_COMPLETION },
  logit_bias: { asks: (bias) => bias != null && Object.keys(bias).length > 0, why: NO_FIELD },
  parallel_tool_calls: {
    asks: (parallel) => parallel === false,
    why: "cannot be false: a prompt cannot stop the model from calling several functions",
  },
  response_format: {
    asks: (format) => format != null && !RESPONSE_FORMATS.has(formatType(format)),
    why: "must have type text, json_object or json_schema",
  },
  store: {
    asks: (store) => store === true,
    why: "cannot be true: this server keeps nothing, so a stored completion could never be read back",
  },
  modalities: {
    asks: (modalities) => Array.isArray(modalities) && modalities.some((modality) => modality !== "text"),
    why: 'can only be ["text"]: this route answers with text',
  },
  audio: { asks: (audio) => audio != null, why: "is not available: this route answers with text" },
  verbosity: { asks: (verbosity) => verbosity != null, why: "is not available: the model has no verbosity control" },
  web_search_options: { asks: (options) => options != null, why: "is not available: this server has no web search" },
  functions: { asks: (fns) => fns != null, why: "(the deprecated functions API) is not supported: use tools" },
  function_call: {
    asks: (call) => call != null,
    why: "(the deprecated functions API) is not supported: use tool_choice",
  },
  moderation: { asks: (moderation) => moderation != null, why: "is not available: this server runs no moderation" },
};

/**
 * OpenAI's parameters that cannot change the answer: bookkeeping (`metadata`, `user`,
 * `safety_identifier`), routing and caching hints (`service_tier`, `prompt_cache_*`), and
 * `prediction` (predicted outputs only make an answer faster). Accepted and ignored.
 */
const IGNORED = new Set([
  "metadata",
  "user",
  "service_tier",
  "safety_identifier",
  "prompt_cache_key",
  "prompt_cache_retention",
  "prompt_cache_options",
  "prediction",
  // Handled by the route: it switches thinking where the model has a switch, and is ignored elsewhere.
  "reasoning_effort",
]);

/**
 * Every parameter of `request` that a completion-format route cannot honour, in the request's
 * order; with `only`, just those of these parameters.
 */
function unsupportedParameters(request: ChatCompletionRequest, only?: readonly string[]): ParameterProblem[] {
  const problems: ParameterProblem[] = [];
  for (const [param, value] of Object.entries(request)) {
    if (value === undefined || IGNORED.has(param) || (only && !only.includes(param))) continue;
    const rule = Object.hasOwn(RULES, param) ? RULES[param] : undefined;
    if (rule) {
      if (rule.asks(value))
        problems.push({ param, why: rule.why, ...(rule.honouredBy ? { honouredBy: rule.honouredBy } : {}) });
    } else if (!REQUEST_FIELDS.has(param)) {
      problems.push({ param, why: "is not a Chat Completions parameter" });
    }
  }
  return problems;
}

/** drop_params of the request, else of the model (or the whole proxy, DROP_PARAMS). */
function dropsParameters(request: ChatCompletionRequest, settings: ModelSettings): boolean {
  return request.drop_params ?? settings.drop_params ?? false;
}

/**
 * The parameters to leave out of the body: refuses the first unsupported one with a 400, unless
 * the request or the model drops them. `only` limits the check to some parameters (a route whose
 * body carries the rest).
 */
export function checkParameters(
  request: ChatCompletionRequest,
  route: string,
  settings: ModelSettings,
  only?: readonly string[],
): Set<string> {
  const problems = unsupportedParameters(request, only);
  if (problems.length && !dropsParameters(request, settings)) throw refusal(problems[0]!, route);
  return new Set(problems.map((problem) => problem.param));
}

function refusal({ param, why, honouredBy }: ParameterProblem, route: string) {
  const alternative = honouredBy ? `, or use ${honouredBy}, which honours it` : "";
  return invalidRequest(
    `${param} ${why} (route ${route}). Remove it, or set drop_params: true (in the request, or for the model) to ignore ` +
      `parameters this route cannot honour${alternative}.`,
    param,
    "unsupported_parameter",
  );
}
