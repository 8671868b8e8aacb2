import { completionRoute } from "./completion-route.ts";
import { LLAMA31_VARIABLES, llamaForcedCalls, renderLlama31Prompt } from "./prompts/llama3.ts";
import { END_OF_TEXT, EOM, EOT } from "./prompts/special-tokens.ts";
import { llamaJsonToolSyntax } from "./tool-syntax.ts";
import type { Route } from "./types.ts";

/**
 * Llama 3 instruct models and their fine-tunes, by default with the Llama 3.1 template (3.1 and
 * 3.3 share it; most Llama imports are 3.1-3.3 fine-tunes). A 3.2 model sets `template: "llama3_2"`,
 * a 3.0 model `template: "llama3"` (no tools).
 */
export const llamaRoute: Route<"llama"> = completionRoute({
  name: "llama",
  render: renderLlama31Prompt,
  variables: LLAMA31_VARIABLES,
  thinks: false,
  tools: llamaJsonToolSyntax,
  forcedCalls: llamaForcedCalls,
  endMarkers: [EOT, EOM, END_OF_TEXT],
});
