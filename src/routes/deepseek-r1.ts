import { completionRoute } from "./completion-route.ts";
import { deepseekForcedCalls, renderDeepSeekR1Prompt } from "./prompts/deepseek-r1.ts";
import { EOS } from "./prompts/special-tokens.ts";
import { deepseekToolSyntax } from "./tool-syntax.ts";
import type { Route } from "./types.ts";

/**
 * DeepSeek R1 distills: the prompt opens `<think>`, so every answer starts with reasoning (it cannot
 * be switched off: `reasoning_effort` is ignored).
 */
export const deepseekR1Route: Route<"deepseek_r1"> = completionRoute({
  name: "deepseek_r1",
  render: renderDeepSeekR1Prompt,
  reasoning: "always",
  tools: deepseekToolSyntax,
  forcedCalls: deepseekForcedCalls,
  endMarkers: [EOS],
});
