// An assistant's refusal is what the assistant said: every route reads it as that text, whether it
// came as a refusal part ({type: "refusal", refusal}) or as the message's own `refusal` (OpenAI's
// answer when its model refuses: `content: null, refusal: "…"`, which a client appends to the
// history as it came). Made text here, once, for the chat request and for the Responses mapping
// (responses/to-chat.ts): a refusal part becomes a text part where it stood, and a message's
// refusal its text (the refusal alone when the content is empty), or a text part after its content.
import type { AssistantMessage, ChatCompletionRequest, ChatMessage, RefusalPart, TextPart } from "./types.ts";

export function asTextPart(part: TextPart | RefusalPart): TextPart {
  return part.type === "refusal" ? { type: "text", text: part.refusal } : part;
}

/** An assistant message as validation takes it: its parts text already, its refusal beside them. */
export type AssistantWithRefusal = AssistantMessage & { refusal?: string | null };

/** The message with its own refusal in its content, and no `refusal` key. */
export function refusalInContent({ refusal, ...message }: AssistantWithRefusal): AssistantMessage {
  if (refusal == null) return message;
  const { content } = message;
  if (content == null || content === "") return { ...message, content: refusal };
  const parts = typeof content === "string" ? [{ type: "text" as const, text: content }] : content;
  return { ...message, content: [...parts, { type: "text", text: refusal }] };
}

/** The request with its assistants' refusals as text; the same object when it has none. */
export function refusalsAsText(request: ChatCompletionRequest): ChatCompletionRequest {
  if (!request.messages.some(hasRefusal)) return request;
  const messages = request.messages.map((message): ChatMessage => {
    if (message.role !== "assistant" || !hasRefusal(message)) return message;
    const content = message.content as string | Array<TextPart | RefusalPart> | null | undefined;
    const withParts = Array.isArray(content) ? { ...message, content: content.map(asTextPart) } : message;
    return refusalInContent(withParts);
  });
  return { ...request, messages };
}

function hasRefusal(message: ChatMessage): boolean {
  if (message.role !== "assistant") return false;
  const content: unknown = message.content;
  return (
    (message as AssistantWithRefusal).refusal != null ||
    (Array.isArray(content) && content.some((part: TextPart | RefusalPart) => part.type === "refusal"))
  );
}
