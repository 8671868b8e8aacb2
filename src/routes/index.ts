// The route registry: one line per route. RouteName, the check of model strings and the list of
// routes in their messages all come from this list.
import { converseRoute } from "./converse/index.ts";
import { deepseekR1Route } from "./deepseek-r1.ts";
import { llamaRoute } from "./llama.ts";
import { openaiRoute } from "./openai.ts";
import { qwen2Route, qwen3Route } from "./qwen.ts";
import type { Route } from "./types.ts";

const ROUTE_LIST = [deepseekR1Route, llamaRoute, qwen3Route, qwen2Route, openaiRoute, converseRoute] as const;

/** The route part of a model string, `bedrock/<route>/<model-id>`. */
export type RouteName = (typeof ROUTE_LIST)[number]["name"];

export const routes = Object.fromEntries(ROUTE_LIST.map((route) => [route.name, route])) as Readonly<
  Record<RouteName, Route<RouteName>>
>;

export function isRouteName(name: string): name is RouteName {
  return Object.hasOwn(routes, name);
}
