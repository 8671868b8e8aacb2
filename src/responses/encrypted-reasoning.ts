// A reasoning item's `encrypted_content`: here, the signed (or redacted) thinking blocks a chat
// answer gave (Claude through the converse route), which Bedrock needs back unmodified in the
// turn that answers a tool call. OpenAI's is opaque and encrypted; ours is only opaque: the
// base64url of the JSON `{"thinking_blocks": [...]}`, so a client that hands the item back (as
// OpenAI's clients do with store: false) gives this server the blocks back as they came.
import { invalidRequest } from "../errors.ts";
import { isJsonObject } from "../json.ts";
import type { JsonTextLimits } from "../openai/depth.ts";
import {
  drawJsonText,
  type JsonTextBudget,
  requestJsonTextBudget,
  sharedOverrunSentence,
} from "../openai/json-text-budget.ts";
import type { ThinkingBlock } from "../openai/types.ts";

/**
 * The JSON this server writes in an encrypted_content, `{"thinking_blocks": [{…}, …]}`: three
 * levels, an object per block with a few members; a thousand blocks is more than any answer gives.
 */
const THINKING_BLOCKS_LIMITS: JsonTextLimits = { maxDepth: 3, maxContainers: 1_002, maxElements: 8_000, maxMembers: 8 };

export function encodeThinkingBlocks(blocks: readonly ThinkingBlock[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify({ thinking_blocks: blocks }));
  let binary = "";
  // Chunks: String.fromCharCode takes each byte as an argument.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * The blocks inside an encrypted_content this server gave out; a 400 naming `param` for anything
 * else, or for blocks past what the request's other JSON text in strings left of `budget`
 * (json-text-budget.ts: each item is held to what this server writes, but a request may hand back
 * any number of them).
 */
export function decodeThinkingBlocks(
  content: string,
  param: string,
  budget: JsonTextBudget = requestJsonTextBudget(),
): ThinkingBlock[] {
  const text = decodedText(content);
  // Held to what this server writes there before it is parsed: it came in the body as an opaque
  // string, past the body's own limits (twenty items of 50,000 arrays each were parsed).
  const overrun = text === undefined ? undefined : drawJsonText(text, budget, THINKING_BLOCKS_LIMITS);
  if (overrun?.shared) throw invalidRequest(`${param} ${sharedOverrunSentence(overrun.problem)}`, param);
  const blocks = text === undefined || overrun ? undefined : parsedBlocks(text);
  if (!blocks) {
    throw invalidRequest(
      `${param} is not reasoning this server gave out: send back the reasoning item as a response returned it, or leave encrypted_content out.`,
      param,
    );
  }
  return blocks;
}

/** The UTF-8 text an encrypted_content's base64url holds; undefined for anything else. */
function decodedText(content: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(content)) return undefined;
  try {
    const binary = atob(content.replaceAll("-", "+").replaceAll("_", "/"));
    // A loop: Uint8Array.from with a map function took 0.9 s for 4 MB (amplify35 #3).
    const bytes = new Uint8Array(binary.length);
    for (let at = 0; at < binary.length; at++) bytes[at] = binary.charCodeAt(at);
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function parsedBlocks(text: string): ThinkingBlock[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const blocks = isJsonObject(value) ? value.thinking_blocks : undefined;
  if (!Array.isArray(blocks) || !blocks.every(isThinkingBlock)) return undefined;
  return blocks;
}

function isThinkingBlock(block: unknown): block is ThinkingBlock {
  if (!isJsonObject(block)) return false;
  if (block.type === "thinking") return typeof block.thinking === "string" && typeof block.signature === "string";
  return block.type === "redacted_thinking" && typeof block.data === "string";
}
