// Claude's thinking in tokens: the budget each reasoning_effort stands for, and the output limit
// (inferenceConfig.maxTokens) a request that sets none is sent with once thinking is on. Kept apart
// from reasoning.ts, which loads with the route, so that a server can tell before a call what the
// call may use (core.ts; the Worker's tokens_per_day reserves it) from the same numbers.
import { modelFamily } from "./model-family.ts";

/**
 * The thinking tokens of each effort, for a family that takes a budget (levels follow from it).
 * "max" asks for at least as much as "xhigh"; Claude's budget has no top of its own but the
 * model's output limit, which differs by model, so it is xhigh's.
 */
export const EFFORT_BUDGETS = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 32768,
  max: 32768,
} as const;
export type BudgetedEffort = keyof typeof EFFORT_BUDGETS;

/** Anthropic's smallest thinking budget. */
export const MIN_THINKING_BUDGET = 1024;
/** Room for the answer after the thinking, when the caller set no max_tokens (as the AI SDK does). */
export const ANSWER_TOKENS_AFTER_THINKING = 4096;
/**
 * The largest max_tokens plain (non-streamed) Converse takes with Claude's thinking on: Bedrock's
 * user guide, claude-messages-extended-thinking, "Streaming is required when max_tokens is
 * greater than 21,333".
 */
const MAX_PLAIN_THINKING_TOKENS = 21_333;

/**
 * The thinking budget of a call whose caller set no max_tokens: a plain call's is shrunk so that
 * the budget and the answer's room fit what plain Converse takes.
 */
export function unlimitedThinkingBudget(wanted: number, stream: boolean): number {
  return stream ? wanted : Math.min(wanted, MAX_PLAIN_THINKING_TOKENS - ANSWER_TOKENS_AFTER_THINKING);
}

export interface ReasoningLimitInput {
  /**
   * The id that describes the model: the Converse model id, or for one that names no model the
   * entry's foundation_model. Only Claude's thinking sets an output limit.
   */
  modelId: string;
  /** The request's reasoning_effort, unchecked (chat's field, or Responses' reasoning.effort). */
  reasoningEffort?: unknown;
  /** The model's reasoning_budget setting. */
  reasoningBudget?: number | undefined;
  stream?: boolean | undefined;
}

/**
 * The output limit the converse route sends a request that sets none, when its reasoning sets
 * one: Claude's thinking budget (its reasoning_effort's, else the model's reasoning_budget) and
 * the answer's room. Undefined when reasoning sets none: another family, reasoning off, or an
 * effort that is none (such a request is refused). A request that sets its own limit is sent
 * with that limit, the budget shrunk to fit it.
 */
export function reasoningOutputLimit(input: ReasoningLimitInput): number | undefined {
  if (modelFamily(input.modelId) !== "claude_thinking") return undefined;
  const { reasoningEffort: effort } = input;
  const wanted =
    effort == null
      ? input.reasoningBudget
      : typeof effort === "string" && Object.hasOwn(EFFORT_BUDGETS, effort)
        ? EFFORT_BUDGETS[effort as BudgetedEffort]
        : undefined;
  if (wanted === undefined) return undefined;
  return unlimitedThinkingBudget(wanted, input.stream === true) + ANSWER_TOKENS_AFTER_THINKING;
}
