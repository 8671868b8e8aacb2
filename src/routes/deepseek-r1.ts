import { completionRoute } from "./completion-route.ts";
import { deepseekForcedCalls, renderDeepSeekR1Prompt } from "./prompts/deepseek-r1.ts";
import { EOS } from "./prompts/special-tokens.ts";
import { deepseekToolSyntax } from "./tool-syntax.ts";
import type { Route } from "./types.ts";

/**
 * DeepSeek R1 distills: the generation prompt opens `<think>`, so an answer to it starts with
 * reasoning (it cannot be switched off: `reasoning_effort` is ignored); after a tool result the
 * template opens none, and the answer is content unless it opens `<think>` itself.
 */
export const deepseekR1Route: Route<"deepseek_r1"> = completionRoute({
  name: "deepseek_r1",
  render: renderDeepSeekR1Prompt,
  thinks: true,
  tools: deepseekToolSyntax,
  forcedCalls: deepseekForcedCalls,
  endMarkers: [EOS],
});
