// reasoning_effort and the reasoning_budget setting -> each family's own reasoning fields in
// additionalModelRequestFields, as Bedrock documents them per model:
//   Claude 3.7 / 4+   thinking: { type: "enabled", budget_tokens }   (a token budget)
//   Amazon Nova 2     reasoningConfig: { type: "enabled", maxReasoningEffort }   (low/medium/high)
//   gpt-oss           reasoning_effort   (low/medium/high; the model always reasons)
// Other families take no reasoning control Bedrock documents; DeepSeek-R1 always reasons.
import { describeValue } from "../../describe-value.ts";
import { configurationError, invalidRequest } from "../../errors.ts";
import type { JsonObject } from "../../json.ts";
import type { ChatCompletionRequest } from "../../openai/types.ts";
import { type ModelFamily, takesReasoningControl } from "./model-family.ts";
import {
  ANSWER_TOKENS_AFTER_THINKING,
  type BudgetedEffort,
  EFFORT_BUDGETS,
  MIN_THINKING_BUDGET,
  unlimitedThinkingBudget,
} from "./thinking-tokens.ts";

const REASONING_EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh", "max"] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

type Level = "low" | "medium" | "high";

// One table both ways (thinking-tokens.ts): an effort is this many thinking tokens for a budget
// family, and a budget is the first level whose budget it does not exceed for a level family.
const EFFORT_LEVELS: Record<BudgetedEffort, Level> = {
  minimal: "low",
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "high",
  // Nova 2's and gpt-oss's top level is high.
  max: "high",
};

/** The request's reasoning_effort, checked; a 400 naming it when it is not an effort. */
export function readReasoningEffort(value: unknown): ReasoningEffort | undefined {
  if (value === undefined || value === null) return undefined;
  const effort = REASONING_EFFORTS.find((candidate) => candidate === value);
  if (!effort) {
    throw invalidRequest(
      `reasoning_effort must be one of ${REASONING_EFFORTS.join(", ")} (got ${describeValue(value)}).`,
      "reasoning_effort",
    );
  }
  return effort;
}

/** Why this family cannot honour this effort; undefined when it can. */
export function reasoningEffortProblem(effort: ReasoningEffort, family: ModelFamily): string | undefined {
  if (family === "deepseek_r1") return "cannot be honoured: DeepSeek-R1 always reasons and takes no reasoning control";
  if (family === "gpt_oss") {
    return effort === "none" ? 'cannot be "none": gpt-oss models always reason (use low, medium or high)' : undefined;
  }
  // "none" asks for what a model without reasoning does anyway.
  if (takesReasoningControl(family) || effort === "none") return undefined;
  return family === "other"
    ? "cannot be passed to this model: its id does not name a family with a documented reasoning control (Claude 3.7+, Nova 2, gpt-oss); the model's foundation_model setting can name the model an opaque id serves, or its own fields can go in additional_model_request_fields"
    : "cannot be passed to this model: it has no reasoning control on Bedrock";
}

export interface ReasoningInput {
  family: ModelFamily;
  /** The request's effort, unless it was dropped. */
  effort?: ReasoningEffort;
  /** The model's reasoning_budget setting: the default when the request names no effort. */
  budget?: number;
  /** The request's max_tokens / max_completion_tokens, and which of the two it was. */
  maxTokens?: number;
  maxTokensParam: string;
  /** The call streams (ConverseStream): plain Converse takes a smaller max_tokens with thinking. */
  stream: boolean;
}

export interface ReasoningPlan {
  /** Merged into additionalModelRequestFields. */
  fields?: JsonObject;
  /** inferenceConfig.maxTokens when reasoning needs it to differ from the request's. */
  maxTokens?: number;
}

export interface ThinkingConflicts {
  forcedTool: boolean;
  /** The sampling fields set, as the request names them. */
  sampling: string[];
}

/**
 * What Claude's thinking cannot go with (Bedrock's user guide, claude-messages-extended-thinking,
 * "Feature compatibility": no temperature, top_p or top_k modifications, no forced tool use).
 * temperature 1 is Claude's default, which thinking takes. `settingsTopK`: the model's own
 * additional_model_request_fields set top_k.
 */
export function thinkingConflicts(request: ChatCompletionRequest, settingsTopK = false): ThinkingConflicts {
  const choice = request.tool_choice;
  const sampling: string[] = [];
  if (request.temperature != null && request.temperature !== 1) sampling.push("temperature");
  if (request.top_p != null) sampling.push("top_p");
  if (request.top_k != null) sampling.push("top_k");
  if (settingsTopK) sampling.push("the model's additional_model_request_fields.top_k");
  return { forcedTool: choice === "required" || typeof choice === "object", sampling };
}

export function planReasoning(input: ReasoningInput): ReasoningPlan {
  const { family, effort, budget } = input;
  if (effort === "none" || (effort === undefined && budget === undefined)) return {};
  switch (family) {
    case "claude_thinking":
      return claudeThinking(effort === undefined ? budget! : EFFORT_BUDGETS[effort], input);
    case "nova2": {
      const level = levelOf(effort, budget!);
      if (level === "high" && input.maxTokens !== undefined) throw novaHighWithLimit(input.maxTokensParam);
      return { fields: { reasoningConfig: { type: "enabled", maxReasoningEffort: level } } };
    }
    case "gpt_oss":
      return { fields: { reasoning_effort: levelOf(effort, budget!) } };
    default:
      // An effort here was refused or dropped before; a budget is the deployment's mistake.
      if (effort !== undefined) return {};
      throw configurationError(
        "This model has a reasoning_budget setting, but its id does not name a family with a documented reasoning control (Claude 3.7+, Nova 2, gpt-oss).",
        "invalid_model_config",
      );
  }
}

/**
 * Nova 2 at high effort takes no output limit (Amazon's engineers, inspect_ai#3767: "the Nova
 * Converse API only requires maxTokens to be unset when maxReasoningEffort is high"). A limit
 * is never left out to make it fit: it may be the model's max_output_tokens cap, which bounds
 * what any caller gets.
 */
function novaHighWithLimit(param: string) {
  return invalidRequest(
    `${param} cannot go with high reasoning effort on Amazon Nova 2, which takes no output limit at that effort: leave ${param} out, or use reasoning_effort medium or lower. (A model with a max_output_tokens cap always has a limit: use medium or lower there.)`,
    param,
  );
}

function levelOf(effort: BudgetedEffort | undefined, budget: number): Level {
  if (effort !== undefined) return EFFORT_LEVELS[effort];
  return budget <= EFFORT_BUDGETS.low ? "low" : budget <= EFFORT_BUDGETS.medium ? "medium" : "high";
}

/**
 * Claude counts thinking inside max_tokens, as OpenAI counts reasoning inside
 * max_completion_tokens, and needs max_tokens above the budget: a budget that does not fit
 * the caller's limit shrinks to fit, down to Anthropic's minimum. Without a limit from the
 * caller, a plain call's own is at most what plain Converse takes, the budget shrunk to leave
 * the answer its room (a caller's own limit goes as it is: Bedrock's 400 then says why).
 */
function claudeThinking(wanted: number, input: ReasoningInput): ReasoningPlan {
  let budget = input.maxTokens === undefined ? unlimitedThinkingBudget(wanted, input.stream) : wanted;
  if (input.maxTokens !== undefined) {
    budget = Math.min(budget, input.maxTokens - 1);
    if (budget < MIN_THINKING_BUDGET) {
      throw invalidRequest(
        `${input.maxTokensParam} must be above ${MIN_THINKING_BUDGET} when reasoning is on: Claude thinks within that limit, and ${MIN_THINKING_BUDGET} tokens is its smallest thinking budget. Raise it, or send reasoning_effort "none".`,
        input.maxTokensParam,
      );
    }
  }
  return {
    fields: { thinking: { type: "enabled", budget_tokens: budget } },
    maxTokens: input.maxTokens ?? budget + ANSWER_TOKENS_AFTER_THINKING,
  };
}
