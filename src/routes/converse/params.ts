// The request's parameters that Converse cannot honour, each with the reason in words. They are
// refused by name with a 400, or dropped under drop_params (routes/parameters.ts, which also says
// what every route ignores and what none can do).
import type { ChatCompletionRequest } from "../../openai/types.ts";
import { type ParameterProblem, serverParameterProblems } from "../parameters.ts";
import type { ModelFamily } from "./model-family.ts";

export type ParamProblem = ParameterProblem;

// Beside the request schema's fields, the one this route reads itself (the schema leaves it
// unchecked: each route's models take it differently, or not at all).
const ROUTE_FIELDS = new Set(["reasoning_effort"]);

const NOT_IN_CONVERSE = "is not a parameter Bedrock's Converse API takes";

/** The families whose top_k Bedrock documents, by where it goes (request.ts writes it). */
export function topKPlace(family: ModelFamily): "anthropic" | "nova" | undefined {
  if (family === "claude" || family === "claude_thinking") return "anthropic";
  if (family === "nova" || family === "nova2") return "nova";
  return undefined;
}

/** Every parameter set to something other than its no-op value that Converse cannot carry. */
export function paramProblems(request: ChatCompletionRequest, family: ModelFamily): ParamProblem[] {
  const found: ParamProblem[] = serverParameterProblems(request, ROUTE_FIELDS);
  if ((request.n ?? 1) !== 1) found.push({ param: "n", why: "must be 1: Converse returns one choice" });
  if (request.seed != null) found.push({ param: "seed", why: NOT_IN_CONVERSE });
  if (request.logprobs) found.push({ param: "logprobs", why: "is not returned by Converse" });
  if (request.top_logprobs) found.push({ param: "top_logprobs", why: "is not returned by Converse" });
  if (request.prompt_logprobs != null) found.push({ param: "prompt_logprobs", why: "is not returned by Converse" });
  // Bedrock's constrained decoding for imported models (vLLM's); Converse holds output to a schema only.
  if (request.structured_outputs != null) {
    found.push({ param: "structured_outputs", why: `${NOT_IN_CONVERSE} (response_format json_schema is)` });
  }
  if (request.logit_bias && Object.keys(request.logit_bias).length) {
    found.push({ param: "logit_bias", why: NOT_IN_CONVERSE });
  }
  if (request.presence_penalty) found.push({ param: "presence_penalty", why: NOT_IN_CONVERSE });
  if (request.frequency_penalty) found.push({ param: "frequency_penalty", why: NOT_IN_CONVERSE });
  if (request.top_k != null && !topKPlace(family)) {
    found.push({
      param: "top_k",
      why: "is only passed to Claude and Nova models on Converse (their documented field); give other models' own fields in additional_model_request_fields",
    });
  }
  if (request.parallel_tool_calls === false) {
    found.push({ param: "parallel_tool_calls", why: "cannot be false: Converse has no switch for it" });
  }
  if (request.chat_template_kwargs && Object.keys(request.chat_template_kwargs).length) {
    found.push({
      param: "chat_template_kwargs",
      why: "is for chat templates, and on Converse Bedrock applies the model's own",
    });
  }
  // Another type is refused before (buildConverseBody, checkResponseFormatType): a wrong value.
  if (request.response_format?.type === "json_object") {
    found.push({
      param: "response_format",
      why: 'cannot be "json_object" on Converse, which constrains output by a schema only: send "json_schema" with a schema',
    });
  }
  return found;
}
