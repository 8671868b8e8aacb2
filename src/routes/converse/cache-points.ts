// Anthropic-style `cache_control` marks -> Converse's cachePoint blocks (Bedrock's prompt caching).
// OpenAI's API has no such mark; clients written for Claude (Claude Code through a router, Cline,
// Roo Code, LiteLLM users) put `cache_control: { type: "ephemeral" }` on content parts, messages
// and tools. Bedrock caches the prompt up to a cachePoint on the models it documents prompt
// caching for ("Prompt caching for faster model inference": Claude 3.5 Haiku, 3.7 Sonnet and
// every Claude 4; Nova Micro, Lite, Pro and Premier), and refuses the request elsewhere ("You
// invoked an unsupported model or your request did not allow prompt caching", as gateways that
// sent one to Llama or Qwen found). A mark is a hint for the cost of a prompt, never a change to
// its answer, so where the model takes none it is dropped, and the request is served as it would
// have been without it.
import { isJsonObject } from "../../json.ts";
import { foundationModelId, modelFamily } from "./model-family.ts";
import type { CachePointBlock, ConverseBody } from "./wire.ts";

/** Where a model takes cache points: in `system` and `messages`, and (Claude only) in `toolConfig.tools`. */
export interface CachePoints {
  /** The cachePoint a part, a message or a tool marks (undefined without a mark). */
  read(marked: unknown): CachePointBlock | undefined;
  /** Whether the model takes cache points among its tools (Nova caches no tools). */
  inTools: boolean;
}

/** How a model's cache marks are read: undefined for a model that takes none (every mark dropped). */
export function cachePointsFor(modelId: string): CachePoints | undefined {
  const family = modelFamily(modelId);
  const id = foundationModelId(modelId) ?? "";
  const claude = family === "claude_thinking" || id.startsWith("anthropic.claude-3-5-haiku");
  if (!claude && family !== "nova" && family !== "nova2") return undefined;
  const hourLong = claude && takesHourLongCache(id);
  return { read: (marked) => cachePointOf(marked, hourLong), inTools: claude };
}

/**
 * Claude 4.5 and later take a one-hour cache (`ttl: "1h"`); earlier models and Nova only the
 * default five minutes, to which a longer ask is lowered (a hint, as above).
 */
function takesHourLongCache(id: string): boolean {
  const version = /^anthropic\.claude-(?:opus|sonnet|haiku)-(\d+)(?:-(\d)(?!\d))?/.exec(id);
  if (!version) return false;
  const major = Number(version[1]);
  return major > 4 || (major === 4 && Number(version[2] ?? 0) >= 5);
}

/**
 * The cachePoint block `marked` (a part, a message or a tool) asks for with its `cache_control`,
 * whose shape the request schema has checked (schema.ts).
 */
function cachePointOf(marked: unknown, hourLong: boolean): CachePointBlock | undefined {
  const control = isJsonObject(marked) ? marked.cache_control : undefined;
  if (!isJsonObject(control)) return undefined;
  return { cachePoint: control.ttl === "1h" && hourLong ? { type: "default", ttl: "1h" } : { type: "default" } };
}

/**
 * The most cache points a request may hold: Anthropic's limit ("A maximum of 4 blocks with
 * cache_control may be provided"), which clients marking each turn run past.
 */
export const MAX_CACHE_POINTS = 4;

/**
 * Keeps the last MAX_CACHE_POINTS cache points of `body`, in the order the model reads its
 * prompt (tools, system, then the turns): a later point caches a longer prefix, and the earlier
 * ones only serve a request whose later turns changed.
 */
export function keepLastCachePoints(body: ConverseBody): void {
  const lists: object[][] = [
    body.toolConfig?.tools ?? [],
    body.system ?? [],
    ...body.messages.map((message) => message.content),
  ];
  let over = lists.reduce((sum, list) => sum + list.filter((block) => "cachePoint" in block).length, 0);
  over -= MAX_CACHE_POINTS;
  for (const list of lists) {
    for (let at = 0; over > 0 && at < list.length; ) {
      if ("cachePoint" in list[at]!) {
        list.splice(at, 1);
        over--;
      } else at++;
    }
  }
}
