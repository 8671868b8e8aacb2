// An assistant's refusal part (OpenAI's {type: "refusal", refusal}) is what the assistant said:
// every route reads it as that text. Made text here, once, for the chat request and for the
// Responses mapping (responses/to-chat.ts).
import type { ChatCompletionRequest, ChatMessage, RefusalPart, TextPart } from "./types.ts";

export function asTextPart(part: TextPart | RefusalPart): TextPart {
  return part.type === "refusal" ? { type: "text", text: part.refusal } : part;
}

/** The request with its assistant refusal parts as text parts; the same object when it has none. */
export function refusalsAsText(request: ChatCompletionRequest): ChatCompletionRequest {
  if (!request.messages.some(hasRefusal)) return request;
  const messages = request.messages.map((message): ChatMessage => {
    if (!hasRefusal(message)) return message;
    const parts = message.content as Array<TextPart | RefusalPart>;
    return { ...message, content: parts.map(asTextPart) };
  });
  return { ...request, messages };
}

function hasRefusal(message: ChatMessage): boolean {
  const content: unknown = message.role === "assistant" ? message.content : undefined;
  return Array.isArray(content) && content.some((part: TextPart | RefusalPart) => part.type === "refusal");
}
