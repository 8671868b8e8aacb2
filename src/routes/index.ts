// The route registry: one line per route. RouteName, the check of model strings and the list of
// routes in their messages all come from this list. Each line is what is known of the route at
// once (route-info.ts) and how to load its code: a caller of one route loads that route's
// templates and answer rules on its first call, never the other routes' (all.ts has them all).
import { COMPLETION_ROUTE_INFO, CONVERSE_ROUTE_INFO, OPENAI_ROUTE_INFO, type RouteInfo } from "./route-info.ts";
import { lazy } from "../lazy.ts";
import type { Route } from "./types.ts";

export interface RouteEntry<Name extends string = string> extends RouteInfo {
  name: Name;
  /** The route itself: its module is loaded (once) on the first call that needs it. */
  load(): Promise<Route<Name>>;
}

const entry = <const Name extends string>(name: Name, info: RouteInfo, load: () => Promise<Route<Name>>) =>
  ({ name, ...info, load: lazy(load) }) satisfies RouteEntry<Name>;

const ROUTE_LIST = [
  entry("deepseek_r1", COMPLETION_ROUTE_INFO, () => import("./deepseek-r1.ts").then((m) => m.deepseekR1Route)),
  entry("llama", COMPLETION_ROUTE_INFO, () => import("./llama.ts").then((m) => m.llamaRoute)),
  entry("qwen3", COMPLETION_ROUTE_INFO, () => import("./qwen.ts").then((m) => m.qwen3Route)),
  entry("qwen2", COMPLETION_ROUTE_INFO, () => import("./qwen.ts").then((m) => m.qwen2Route)),
  entry("openai", OPENAI_ROUTE_INFO, () => import("./openai.ts").then((m) => m.openaiRoute)),
  entry("converse", CONVERSE_ROUTE_INFO, () => import("./converse/index.ts").then((m) => m.converseRoute)),
] as const;

/** The route part of a model string, `bedrock/<route>/<model-id>`. */
export type RouteName = (typeof ROUTE_LIST)[number]["name"];

export const routeEntries = Object.fromEntries(ROUTE_LIST.map((route) => [route.name, route])) as Readonly<{
  [Name in RouteName]: RouteEntry<Name>;
}>;

export function isRouteName(name: string): name is RouteName {
  return Object.hasOwn(routeEntries, name);
}
