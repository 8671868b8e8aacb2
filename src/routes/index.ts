// The route registry: one line per route, held to RouteName by the compiler. The check of model
// strings and the list of routes in their messages come from it. Each line is what is known of
// the route at once (route-info.ts) and how to load its code: a caller of one route loads that
// route's templates and answer rules on its first call, never the other routes' (all.ts has
// them all).
import {
  COMPLETION_ROUTE_INFO,
  CONVERSE_ROUTE_INFO,
  EMBED_ROUTE_INFO,
  IMAGE_ROUTE_INFO,
  OPENAI_ROUTE_INFO,
  type RouteInfo,
} from "./route-info.ts";
import { lazy } from "../lazy.ts";
import type { Route } from "./types.ts";

export interface RouteEntry<Name extends string = string> extends RouteInfo {
  name: Name;
  /** The route itself: its module is loaded (once) on the first call that needs it. */
  load(): Promise<Route<Name>>;
}

/** The route part of a model string, `bedrock/<route>/<model-id>`. */
export type RouteName = "deepseek_r1" | "llama" | "qwen3" | "qwen2" | "openai" | "converse" | "embed" | "image";

function entry<Name extends RouteName>(
  name: Name,
  info: RouteInfo,
  load: () => Promise<Route<Name>>,
): RouteEntry<Name> {
  return { name, ...info, load: lazy(load) };
}

// RouteName is written out rather than inferred from this table: JSR wants public types explicit.
export const routeEntries: { readonly [Name in RouteName]: RouteEntry<Name> } = {
  deepseek_r1: entry("deepseek_r1", COMPLETION_ROUTE_INFO, () =>
    import("./deepseek-r1.ts").then((m) => m.deepseekR1Route),
  ),
  llama: entry("llama", COMPLETION_ROUTE_INFO, () => import("./llama.ts").then((m) => m.llamaRoute)),
  qwen3: entry("qwen3", COMPLETION_ROUTE_INFO, () => import("./qwen.ts").then((m) => m.qwen3Route)),
  qwen2: entry("qwen2", COMPLETION_ROUTE_INFO, () => import("./qwen.ts").then((m) => m.qwen2Route)),
  openai: entry("openai", OPENAI_ROUTE_INFO, () => import("./openai.ts").then((m) => m.openaiRoute)),
  converse: entry("converse", CONVERSE_ROUTE_INFO, () => import("./converse/index.ts").then((m) => m.converseRoute)),
  embed: entry("embed", EMBED_ROUTE_INFO, () => import("./embed.ts").then((m) => m.embedRoute)),
  image: entry("image", IMAGE_ROUTE_INFO, () => import("./image.ts").then((m) => m.imageRoute)),
};

export function isRouteName(name: string): name is RouteName {
  return Object.hasOwn(routeEntries, name);
}
