import { invalidRequest } from "../errors.ts";
import type { ChatCompletionRequest } from "../openai/types.ts";

const DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,([A-Za-z0-9+/]+={0,2})$/i;

/**
 * The base64 bytes of every image part, in order. Only data URLs: Bedrock does not fetch image
 * URLs, and passing one through would ask a model server to fetch an address a client chose.
 */
export function imageData(request: ChatCompletionRequest): string[] {
  const images: string[] = [];
  request.messages.forEach((message, index) => {
    if (typeof message.content === "string" || !Array.isArray(message.content)) return;
    for (const part of message.content) {
      if (part.type !== "image_url") continue;
      const match = DATA_URL.exec(part.image_url.url);
      if (!match) {
        throw invalidRequest(
          `messages[${index}].content has an image that is not a base64 data URL (data:image/png;base64,…): ` +
            "Bedrock does not fetch image URLs.",
          `messages[${index}].content`,
        );
      }
      images.push(match[1]!);
    }
  });
  return images;
}
