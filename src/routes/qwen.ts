import { completionRoute } from "./completion-route.ts";
import {
  QWEN3_VARIABLES,
  qwen2ForcedCalls,
  qwen3ForcedCalls,
  renderQwen2Prompt,
  renderQwen3Prompt,
} from "./prompts/qwen.ts";
import { ENDOFTEXT, IM_END } from "./prompts/special-tokens.ts";
import { qwenToolSyntax } from "./tool-syntax.ts";
import type { Route } from "./types.ts";

const QWEN_END = [IM_END, ENDOFTEXT];

/**
 * Qwen3: reasoning when the answer opens with `<think>`, or (a chat_template such as Qwen3.5's or
 * Qwen3-Thinking-2507's) when the prompt does (off with `enable_thinking: false`, or
 * `reasoning_effort` "none"/"minimal", where the template reads the switch).
 */
export const qwen3Route: Route<"qwen3"> = completionRoute({
  name: "qwen3",
  render: renderQwen3Prompt,
  variables: QWEN3_VARIABLES,
  thinks: true,
  tools: qwenToolSyntax,
  forcedCalls: qwen3ForcedCalls,
  thinkingSwitch: "enable_thinking",
  endMarkers: QWEN_END,
});

/** Qwen2 / Qwen2.5 instruct. */
export const qwen2Route: Route<"qwen2"> = completionRoute({
  name: "qwen2",
  render: renderQwen2Prompt,
  thinks: false,
  tools: qwenToolSyntax,
  forcedCalls: qwen2ForcedCalls,
  endMarkers: QWEN_END,
});
