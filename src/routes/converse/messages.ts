// Chat messages -> Converse's `system` blocks and alternating user/assistant `messages`.
import { invalidRequest, shownText } from "../../errors.ts";
import { isJsonObject, type JsonObject } from "../../json.ts";
import type { AssistantMessage, ChatMessage, ContentPart, SystemMessage, TextPart } from "../../openai/types.ts";
import { imageOf } from "../images.ts";
import type { CachePoints } from "./cache-points.ts";
import { type DocumentReader, documentReader } from "./documents.ts";
import { toolUseId } from "./tool-ids.ts";
import type { CachePointBlock, ContentBlock, ImageFormat, Message, SystemBlock } from "./wire.ts";

const IMAGE_FORMATS: Record<string, ImageFormat> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

export interface ConverseConversation {
  system: SystemBlock[];
  messages: Message[];
  /** Whether any turn holds a toolUse or toolResult block: Bedrock then requires a toolConfig. */
  hasToolBlocks: boolean;
}

/**
 * System and developer messages become `system` blocks wherever they stand (Converse has no
 * system turns); the rest become turns, and consecutive turns of one role merge into one, as
 * Converse requires roles to alternate (tool results join the user turn they belong to), and a
 * user turn goes first when the conversation opens with the assistant. With `cache` (a model that
 * takes cache points), a cachePoint follows each part and message marked with `cache_control`;
 * without it the marks are dropped. File parts become documents, as `documents` (made for the
 * model) reads and checks them.
 */
export function toConverseConversation(
  messages: readonly ChatMessage[],
  takesImages = true,
  cache?: CachePoints,
  documents: DocumentReader = documentReader(""),
): ConverseConversation {
  const system: SystemBlock[] = [];
  const turns: Message[] = [];
  let hasToolBlocks = false;
  const marks = cache ? markReader(cache) : undefined;
  messages.forEach((message, index) => {
    if (isSystem(message)) {
      if (typeof message.content === "string") for (const text of texts(message.content)) system.push({ text });
      else {
        message.content.forEach((part) => {
          if (part.text.trim() !== "") system.push({ text: part.text });
          marks?.(part, system);
        });
      }
      marks?.(message, system);
      return;
    }
    const role = message.role === "assistant" ? "assistant" : "user";
    const content = blocksOf(message, index, { takesImages, documents }, marks);
    marks?.(message, content);
    if (message.role === "tool" || (message.role === "assistant" && message.tool_calls?.length)) hasToolBlocks = true;
    const last = turns[turns.length - 1];
    // A loop, not push(...content): a message may hold more parts than a call can take arguments.
    if (last?.role === role) for (const block of content) last.content.push(block);
    else if (content.length) turns.push({ role, content });
  });
  if (!turns.length) {
    throw invalidRequest(
      "messages must hold at least one user or assistant message with content: Converse has nothing to answer.",
      "messages",
    );
  }
  documents.checkTurns(turns);
  if (turns[0]?.role === "assistant") turns.unshift({ role: "user", content: [{ text: OPENING_USER_TEXT }] });
  trimPrefill(turns);
  return { system, messages: turns, hasToolBlocks };
}

/**
 * The user turn put before a conversation that opens with the assistant (a greeting): Converse
 * refuses one that does not start with a user turn, and OpenAI takes it. The text is LiteLLM's
 * for the same case (its DEFAULT_USER_CONTINUE_MESSAGE), so a model sees what it would there.
 */
export const OPENING_USER_TEXT = "Please continue.";

function isSystem(message: ChatMessage): message is SystemMessage {
  return message.role === "system" || message.role === "developer";
}

/**
 * Puts the cachePoint `marked` asks for (its `cache_control`) after `blocks`: only after a block
 * (a cache point caches what comes before it), one in a row (a part's and its message's marks at
 * the same place are one point), and never right after signed reasoning (Claude takes no cache
 * mark on a thinking block). One right after a document other than a PDF is moved before it
 * afterwards, across turns if need be (placeCachePoints).
 */
type MarkReader = (marked: unknown, blocks: Array<ContentBlock | SystemBlock>) => void;

function markReader(cache: CachePoints): MarkReader {
  return (marked, blocks) => {
    const point = cache.read(marked);
    const last = blocks[blocks.length - 1];
    if (point && last && !isCachePoint(last) && !("reasoningContent" in last)) blocks.push(point);
  };
}

function isCachePoint(block: ContentBlock | SystemBlock): block is CachePointBlock {
  return "cachePoint" in block;
}

/** What a user message's other parts than text become: images, when the model takes them, and documents. */
interface MediaReading {
  takesImages: boolean;
  documents: DocumentReader;
}

function blocksOf(
  message: Exclude<ChatMessage, SystemMessage>,
  index: number,
  media: MediaReading,
  marks: MarkReader | undefined,
): ContentBlock[] {
  switch (message.role) {
    case "user":
      return userBlocks(message.content, index, media, marks);
    case "assistant": {
      // reasoning_content is not sent back: Converse takes reasoning only signed, as the model
      // wrote it, and that is what thinking_blocks carry (first, as the model wrote them).
      const blocks: ContentBlock[] = thinkingBlocks(message, index);
      const content = message.content ?? "";
      if (typeof content === "string") for (const text of texts(content)) blocks.push({ text });
      else {
        content.forEach((part) => {
          if (part.text.trim() !== "") blocks.push({ text: part.text });
          marks?.(part, blocks);
        });
      }
      (message.tool_calls ?? []).forEach((call, position) => {
        blocks.push({
          toolUse: {
            toolUseId: toolUseId(call.id),
            name: call.function.name,
            input: toolInput(call.function.arguments, `messages[${index}].tool_calls[${position}].function.arguments`),
          },
        });
      });
      return blocks;
    }
    case "tool": {
      // Bedrock's status field is left out: OpenAI tool messages carry no error flag, and
      // models other than Claude and Nova refuse the field outright.
      const blocks: ContentBlock[] = [
        {
          toolResult: {
            toolUseId: toolUseId(message.tool_call_id),
            content: toolResultTexts(message.content).map((text) => ({ text })),
          },
        },
      ];
      // A result's own content takes no cachePoint: a marked part's follows the result.
      if (typeof message.content !== "string") {
        message.content.forEach((part) => {
          marks?.(part, blocks);
        });
      }
      return blocks;
    }
  }
}

/** An assistant message's thinking_blocks (not in the request schema: checked here) as reasoningContent. */
function thinkingBlocks(message: AssistantMessage, index: number): ContentBlock[] {
  const value: unknown = (message as AssistantMessage & { thinking_blocks?: unknown }).thinking_blocks;
  if (value === undefined || value === null) return [];
  const param = `messages[${index}].thinking_blocks`;
  if (!Array.isArray(value)) throw invalidRequest(`${param} must be an array of thinking blocks.`, param);
  return value.map((block: unknown, position) => {
    if (isJsonObject(block)) {
      if (block.type === "thinking" && typeof block.thinking === "string" && typeof block.signature === "string") {
        return { reasoningContent: { reasoningText: { text: block.thinking, signature: block.signature } } };
      }
      if (block.type === "redacted_thinking" && typeof block.data === "string") {
        return { reasoningContent: { redactedContent: block.data } };
      }
    }
    throw invalidRequest(
      `${param}[${position}] must be {"type":"thinking","thinking","signature"} or {"type":"redacted_thinking","data"}, as an answer gave it.`,
      `${param}[${position}]`,
    );
  });
}

/**
 * The non-blank texts of a content value. Bedrock refuses a blank text block, and a blank
 * message part carries nothing a model could read.
 */
function texts(content: string | TextPart[]): string[] {
  const all = typeof content === "string" ? [content] : content.map((part) => part.text);
  return all.filter((text) => text.trim() !== "");
}

/** Stands for a tool's empty output: a toolResult needs a non-blank text block. */
export const EMPTY_TOOL_RESULT = "(empty result)";

function toolResultTexts(content: string | TextPart[]): string[] {
  const kept = texts(content);
  return kept.length ? kept : [EMPTY_TOOL_RESULT];
}

function userBlocks(
  content: string | ContentPart[],
  index: number,
  media: MediaReading,
  marks: MarkReader | undefined,
): ContentBlock[] {
  if (typeof content === "string") return texts(content).map((text) => ({ text }));
  const blocks: ContentBlock[] = [];
  content.forEach((part, position) => {
    userBlock(part, index, position, media, blocks);
    marks?.(part, blocks);
  });
  return blocks;
}

function userBlock(
  part: ContentPart,
  index: number,
  position: number,
  { takesImages, documents }: MediaReading,
  blocks: ContentBlock[],
): void {
  if (part.type === "text") {
    if (part.text.trim() !== "") blocks.push({ text: part.text });
    return;
  }
  const where = `messages[${index}].content[${position}]`;
  if (part.type === "file") {
    blocks.push(documents.block(part, where));
    return;
  }
  if (!takesImages) {
    throw invalidRequest(
      `${where} is an image, and this model takes text only (AWS documents no vision for it on Converse): send text, or use a model that takes images.`,
      where,
    );
  }
  const param = `${where}.image_url.url`;
  const image = imageOf(part.image_url.url, where);
  const format = IMAGE_FORMATS[image.mediaType];
  if (!format) {
    throw invalidRequest(
      `${shownText(image.mediaType, 60, "a media type", false)} is not an image type Converse takes: send png, jpeg, gif or webp.`,
      param,
    );
  }
  blocks.push({ image: { format, source: { bytes: image.base64 } } });
}

/** Tool-call arguments are JSON text in OpenAI's shape and an object in Converse's. */
function toolInput(text: string, param: string): JsonObject {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!isJsonObject(value)) {
    throw invalidRequest(`${param} must be a JSON object: Converse sends a tool call's input as one.`, param);
  }
  return value;
}

/**
 * A conversation that ends with an assistant turn asks the model to continue it (a prefill);
 * Bedrock refuses one that ends in whitespace.
 */
function trimPrefill(turns: Message[]): void {
  const last = turns[turns.length - 1];
  if (last?.role !== "assistant") return;
  // The text before a cache point that ends the turn is its end too.
  const ending = last.content.filter((block) => !isCachePoint(block));
  const block = ending[ending.length - 1];
  // Blank texts were left out, so a trimmed text is never empty.
  if (block && "text" in block) block.text = block.text.trimEnd();
}
