import { completionRoute } from "./completion-route.ts";
import { END_OF_TEXT, EOT, renderLlama3Prompt } from "./prompts/llama3.ts";
import type { Route } from "./types.ts";

/** Llama 3 instruct models and their fine-tunes. Its template has no tools. */
export const llamaRoute: Route<"llama"> = completionRoute({
  name: "llama",
  render: renderLlama3Prompt,
  reasoning: "never",
  endMarkers: [EOT, END_OF_TEXT],
});
