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
import { describeValue } from "../../describe-value.ts";
import { invalidRequest } from "../../errors.ts";
import { isJsonObject } from "../../json.ts";
import { foundationModelId, modelFamily } from "./model-family.ts";
import type { CachePointBlock } from "./wire.ts";

/** Where a model takes cache points: in `system` and `messages`, and (Claude only) in `toolConfig.tools`. */
export interface CachePoints {
  /** The cachePoint a part, a message or a tool marks (undefined without a mark); `param` names it for a 400. */
  read(marked: unknown, param: string): CachePointBlock | undefined;
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
  return { read: (marked, param) => cachePointOf(marked, param, hourLong), inTools: claude };
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

/** The cachePoint block `marked` (a part, a message or a tool) asks for with its `cache_control`. */
function cachePointOf(marked: unknown, param: string, hourLong: boolean): CachePointBlock | undefined {
  const control = isJsonObject(marked) ? marked.cache_control : undefined;
  if (control === undefined || control === null) return undefined;
  const where = `${param}.cache_control`;
  if (!isJsonObject(control) || control.type !== "ephemeral") {
    throw invalidRequest(
      `${where} must be {"type": "ephemeral"}, with a ttl of "5m" or "1h" if any (got ${describeValue(control)}).`,
      where,
    );
  }
  const ttl = control.ttl;
  if (ttl !== undefined && ttl !== "5m" && ttl !== "1h") {
    throw invalidRequest(`${where}.ttl must be "5m" or "1h" (got ${describeValue(ttl)}).`, `${where}.ttl`);
  }
  return { cachePoint: ttl === "1h" && hourLong ? { type: "default", ttl } : { type: "default" } };
}
