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
 * Moves each cache point that stands right after a document of another format than pdf to just
 * before the run of such documents it ends: Claude on Bedrock refuses a point there (Bedrock makes
 * it a block with no type: "messages.0.content.2.type: Field required", live calls in
 * aws/aws-sdk-java-v2#6277 and strands-agents/harness-sdk#1966), and takes one before them. The document is then cached from the next request on, where a later point follows it. A
 * run that opens its turn moves the point to the end of what the model reads before the turn (the
 * previous turn, the system prompt, or the tools when the model caches them), which caches the
 * same prefix. The point is dropped where that place takes none: a point already there (one in a
 * row), signed reasoning (Claude takes no mark on it), or nothing at all. No report says whether
 * Nova takes such a point: it gets the same place, which is as good a hint.
 */
export function placeCachePoints(body: ConverseBody, inTools: boolean): void {
  const lists = promptLists(body, inTools);
  lists.forEach((list, index) => {
    // Backwards: a point only moves earlier, onto a place that needs no move.
    for (let at = list.length - 1; at > 0; at--) {
      if (!("cachePoint" in list[at]!) || !isExtractedDocument(list[at - 1]!)) continue;
      const [point] = list.splice(at, 1);
      let start = at - 1;
      while (start > 0 && isExtractedDocument(list[start - 1]!)) start--;
      const earlier = lists.slice(0, index).findLast((other) => other.length > 0);
      const before = start > 0 ? list[start - 1] : earlier?.at(-1);
      if (!point || !before || !takesPointAfter(before)) continue;
      if (start > 0) list.splice(start, 0, point);
      else earlier?.push(point);
    }
  });
}

/** A document Bedrock passes on as extracted text (every format but pdf), which takes no point after it. */
function isExtractedDocument(block: object): boolean {
  return "document" in block && isJsonObject(block.document) && block.document.format !== "pdf";
}

function takesPointAfter(block: object): boolean {
  return !("cachePoint" in block) && !("reasoningContent" in block) && !isExtractedDocument(block);
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
  const lists = promptLists(body);
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

/** The block lists of `body` in the order the model reads its prompt: tools (when asked), system, then the turns. */
function promptLists(body: ConverseBody, withTools = true): object[][] {
  return [
    withTools ? (body.toolConfig?.tools ?? []) : [],
    body.system ?? [],
    ...body.messages.map((message) => message.content),
  ];
}
