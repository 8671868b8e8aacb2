// OpenAI chat messages -> the plain messages the built-in chat templates read.
// Hugging Face templates see `content` as a string: text parts are joined with a newline (as
// vLLM joins them for such templates), images become a template's vision placeholder or a 400,
// and `developer` is a system message.

import { describeValue } from "../../describe-value.ts";
import { invalidRequest } from "../../errors.ts";
import { isJsonObject } from "../../json.ts";
import type { ChatMessage, ContentPart, ToolCall } from "../../openai/types.ts";
import type { TemplateName } from "../setting-names.ts";
import { parsePythonJsonShape, pythonJsonFromText } from "./python.ts";

export interface TemplateToolCall {
  type: string;
  name: string;
  /** `function.arguments` exactly as the request sent it (a JSON string in OpenAI's API). */
  argumentsText: string;
  /**
   * When the arguments are a JSON object (what Hugging Face templates expect), that object as the
   * templates' `tojson` writes it: Python's `json.dumps(json.loads(arguments))`.
   */
  argumentsJson: string | undefined;
}

export interface TemplateMessage {
  /** `system`, `user`, `assistant` or `tool`; `developer` arrives here as `system`. */
  role: string;
  /** Joined text; `null` only for an assistant message that carried no content. */
  content: string | null;
  /** `reasoning_content` of an assistant message, when it is a string. */
  reasoning: string | undefined;
  toolCalls: TemplateToolCall[];
}

/**
 * What a template does with image parts: refuse them (`refuseAs` names the template as the 400
 * says it: "the qwen2 chat template"), or write its placeholder in their place.
 */
export type ImageHandling = { refuseAs: string } | { placeholder: string };

/** The 400 for message `index`'s image, which `template` (as the refusal names it) has nowhere to put. */
export function imageRefused(index: number, template: string) {
  return invalidRequest(
    `messages[${index}].content has an image, but ${template} is text-only: send text parts only, or use a vision model.`,
    `messages[${index}].content`,
  );
}

/** The refusal of a built-in template without vision. */
export function textOnly(template: TemplateName): ImageHandling {
  return { refuseAs: `the ${template} chat template` };
}

export function toTemplateMessages(messages: readonly ChatMessage[], images: ImageHandling): TemplateMessage[] {
  return messages.map((message, index) => toTemplateMessage(message, index, images));
}

function toTemplateMessage(message: ChatMessage, index: number, images: ImageHandling): TemplateMessage {
  const role = message.role === "developer" ? "system" : message.role;
  if (message.role === "assistant") {
    return {
      role,
      content:
        message.content === null || message.content === undefined ? null : joinContent(message.content, index, images),
      reasoning: typeof message.reasoning_content === "string" ? message.reasoning_content : undefined,
      toolCalls: (message.tool_calls ?? []).map(toTemplateToolCall),
    };
  }
  return { role, content: joinContent(message.content, index, images), reasoning: undefined, toolCalls: [] };
}

/**
 * `content` as one string. Consecutive text parts are joined with "\n", as vLLM joins them for a
 * template that reads content as a string (so two parts' words never run together); an image
 * placeholder stands where its part stood, with nothing around it, as Qwen's vision templates
 * write it.
 */
export function joinContent(content: string | readonly ContentPart[], index: number, images: ImageHandling): string {
  if (typeof content === "string") return content;
  let text = "";
  let afterText = false;
  for (const part of content) {
    if (part.type === "text") {
      text += afterText ? `\n${part.text}` : part.text;
      afterText = true;
      continue;
    }
    afterText = false;
    if (part.type === "image_url" && "placeholder" in images) {
      text += images.placeholder;
    } else if (part.type === "image_url" && "refuseAs" in images) {
      throw imageRefused(index, images.refuseAs);
    } else {
      const kind: unknown = (part as { type?: unknown }).type;
      throw invalidRequest(
        `messages[${index}].content has a part of type ${describeValue(kind)}, which no chat template renders.`,
        `messages[${index}].content`,
      );
    }
  }
  return text;
}

function toTemplateToolCall(call: ToolCall): TemplateToolCall {
  return {
    type: call.type,
    name: call.function.name,
    argumentsText: call.function.arguments,
    argumentsJson: readsAsObject(call.function.arguments) ? pythonJsonFromText(call.function.arguments) : undefined,
  };
}

/** Whether Python's `json.loads` reads the text as an object, as the reference handover does. */
function readsAsObject(text: string): boolean {
  return objectParsed(text, parsePythonJsonShape) !== undefined;
}

/**
 * `function.arguments` parsed, when it is a JSON object. Hugging Face templates expect a mapping
 * there; anything else (invalid JSON, an array, a number) stays the string it was.
 */
export function parseArgumentsObject(text: string): Record<string, unknown> | undefined {
  return objectParsed(text, JSON.parse);
}

function objectParsed(text: string, parse: (text: string) => unknown): Record<string, unknown> | undefined {
  try {
    const parsed = parse(text);
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
