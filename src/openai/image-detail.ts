// An image part's `detail`. "auto", "low" and "high" go to the model as they are. "original"
// (openai 7 added it) asks for the image at its own resolution, which no Bedrock request format
// has a setting for: it is taken and sent as no detail, the model's default. The chat request and
// the Responses mapping (responses/to-chat.ts) both drop it here, so they cannot differ.
import type { ChatCompletionRequest, ChatMessage, ContentPart, ImagePart, ImagePartParam } from "./types.ts";

type ImageUrl = ImagePart["image_url"];

/** The image_url as it is sent: without its detail when that is "original". */
export function sentImageUrl({ detail, ...rest }: ImagePartParam["image_url"]): ImageUrl {
  return detail === "original" || detail === undefined ? rest : { ...rest, detail };
}

/** The request with "original" detail left out of its image parts; the same object when it has none. */
export function originalDetailDropped(request: ChatCompletionRequest): ChatCompletionRequest {
  if (!request.messages.some(hasOriginalDetail)) return request;
  const messages = request.messages.map((message): ChatMessage => {
    if (message.role !== "user" || !hasOriginalDetail(message)) return message;
    const parts = message.content as Array<ContentPart | ImagePartParam>;
    const content = parts.map((part) =>
      part.type === "image_url" ? { ...part, image_url: sentImageUrl(part.image_url) } : part,
    );
    return { ...message, content };
  });
  return { ...request, messages };
}

function hasOriginalDetail(message: ChatMessage): boolean {
  const content: unknown = message.role === "user" ? message.content : undefined;
  return (
    Array.isArray(content) &&
    content.some(
      (part: ContentPart | ImagePartParam) => part.type === "image_url" && part.image_url.detail === "original",
    )
  );
}
