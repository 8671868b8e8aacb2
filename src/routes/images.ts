import { invalidRequest } from "../errors.ts";
import type { ChatCompletionRequest } from "../openai/types.ts";

const DATA_URL = /^data:(image\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/]+={0,2})$/i;

export interface ImageData {
  /** The MIME type, lower-cased: `image/png`. */
  mediaType: string;
  base64: string;
}

/** A base64 image data URL's type and bytes; undefined for anything else. */
export function parseImageDataUrl(url: string): ImageData | undefined {
  const match = DATA_URL.exec(url);
  return match ? { mediaType: match[1]!.toLowerCase(), base64: match[2]! } : undefined;
}

/** The 400 for an image that is not a base64 data URL; `where` names the content that holds it. */
export function notADataUrl(where: string, param = where) {
  return invalidRequest(
    `${where} has an image that is not a base64 data URL (data:image/png;base64,…): Bedrock does not fetch image URLs.`,
    param,
  );
}

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
      const image = parseImageDataUrl(part.image_url.url);
      if (!image) throw notADataUrl(`messages[${index}].content`);
      images.push(image.base64);
    }
  });
  return images;
}
