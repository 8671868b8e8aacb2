// Every route, loaded: for bedrock-edge/core, which hands out routes to call directly. The
// client loads only the route a call needs (index.ts).
import { converseRoute } from "./converse/index.ts";
import { deepseekR1Route } from "./deepseek-r1.ts";
import { embedRoute } from "./embed.ts";
import { imageRoute } from "./image.ts";
import type { RouteName } from "./index.ts";
import { llamaRoute } from "./llama.ts";
import { openaiRoute } from "./openai.ts";
import { qwen2Route, qwen3Route } from "./qwen.ts";
import type { Route } from "./types.ts";

export const routes: { readonly [Name in RouteName]: Route<Name> } = {
  deepseek_r1: deepseekR1Route,
  llama: llamaRoute,
  qwen3: qwen3Route,
  qwen2: qwen2Route,
  openai: openaiRoute,
  converse: converseRoute,
  embed: embedRoute,
  image: imageRoute,
};
