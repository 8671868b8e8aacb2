import { deepseekR1Route } from "./deepseek-r1.ts";
import { llamaRoute } from "./llama.ts";
import { openaiRoute } from "./openai.ts";
import { qwen2Route, qwen3Route } from "./qwen.ts";
import type { Route, RouteName } from "./types.ts";

export const routes: Readonly<Record<RouteName, Route>> = {
  deepseek_r1: deepseekR1Route,
  llama: llamaRoute,
  qwen3: qwen3Route,
  qwen2: qwen2Route,
  openai: openaiRoute,
};

export function isRouteName(name: string): name is RouteName {
  return Object.hasOwn(routes, name);
}

export type * from "./types.ts";
