// What the library itself refuses in a request, asked before the proxy answers it with a refusal of
// its own (a limit, a bound): a request that no retry could get served is told what to fix, in the
// library's words, not to wait or to ask for less (precheck43, codereview43 #1); or before it
// admits it to a key's limits (a reservation, a stream's place) that the request would hold until
// its 400 (adm45). Only on the way to such a refusal, or to such a place: a request served is
// otherwise checked once, by the library.
import {
  inResponsesTerms,
  parseChatRequest,
  parseCompletionRequest,
  parseEmbeddingRequest,
  parseImageEditRequest,
  parseImageRequest,
  parseImageVariationRequest,
  parseResponsesRequest,
  toChatRequest,
} from "../src/core.ts";
import type { Bedrock, RequestOptions } from "../src/index.ts";
import { apiOfPath, imageEndpointOf, type ModelApi } from "./token-estimate.ts";

/** The APIs a request may stream on; `stream` elsewhere is a field the library refuses. */
export function streamsOn(api: ModelApi): boolean {
  return api === "chat" || api === "completions" || api === "responses";
}

const PARSERS: Record<Exclude<ModelApi, "images">, (body: unknown) => unknown> = {
  chat: parseChatRequest,
  completions: parseCompletionRequest,
  responses: parseResponses,
  embeddings: parseEmbeddingRequest,
};

/**
 * A Responses request as the library checks it: its own fields, then the chat request it becomes
 * (whose bounds it takes: max_output_tokens is sent as max_tokens), refused in its own names.
 */
function parseResponses(body: unknown): void {
  const { chat, sources } = toChatRequest(parseResponsesRequest(body));
  try {
    parseChatRequest(chat);
  } catch (error) {
    throw inResponsesTerms(error, sources);
  }
}

/** Throws the library's 400 for `body` as a request of `api`, if it has one. */
export function throwApiRefusal(api: Exclude<ModelApi, "images">, body: Record<string, unknown>): void {
  PARSERS[api](body);
}

/**
 * Throws the library's 400 for `body` sent to `path`, if it has one. An edit's or a variation's
 * parse checks its image's type, not its bytes: the image is read by the library's call alone.
 */
export function throwLibraryRefusal(path: string, body: Record<string, unknown>): void {
  const api = apiOfPath(path);
  if (api !== "images") {
    throwApiRefusal(api, body);
    return;
  }
  const endpoint = imageEndpointOf(path);
  if (endpoint === "edits") parseImageEditRequest(body);
  else if (endpoint === "variations") parseImageVariationRequest(body);
  else parseImageRequest(body);
}

/** The library's call of a request sent to `path`. */
function callOf(path: string): (bedrock: Bedrock, body: never, options: RequestOptions) => Promise<unknown> {
  switch (apiOfPath(path)) {
    case "chat":
      return (bedrock, body, options) => bedrock.chat.completions.create(body, options);
    case "completions":
      return (bedrock, body, options) => bedrock.completions.create(body, options);
    case "responses":
      return (bedrock, body, options) => bedrock.responses.create(body, options);
    case "embeddings":
      return (bedrock, body, options) => bedrock.embeddings.create(body, options);
    case "images": {
      const endpoint = imageEndpointOf(path);
      if (endpoint === "edits") return (bedrock, body, options) => bedrock.images.edit(body, options);
      if (endpoint === "variations") return (bedrock, body, options) => bedrock.images.createVariation(body, options);
      return (bedrock, body, options) => bedrock.images.generate(body, options);
    }
  }
}

/**
 * Throws the library's 400 for `body` sent to `path` on its model, if it has one: the library's
 * own call, run until it would send (onDeployment, told once the request's body is built and before
 * its first call goes out) and stopped there. So every refusal it makes before sending (the
 * request's fields, its model's max_n and max_output_tokens, Converse's one answer, a wire format's
 * calls, a route's images, an image model's images and pixels) is its own, in its words, in one
 * place; nothing reaches Bedrock. A request it would send returns. Only for a request that asks
 * past its model's bounds (pastModelBounds): this reads the request a second time (an edit's image
 * too, should its model take the count).
 */
export async function throwRefusalBeforeSending(
  bedrock: Bedrock,
  path: string,
  body: Record<string, unknown>,
  signal: AbortSignal,
): Promise<void> {
  // Thrown where the call would send: the library refused nothing.
  const sending = new Error("The request would be sent.");
  const onDeployment = () => {
    throw sending;
  };
  try {
    await callOf(path)(bedrock, body as never, { signal, onDeployment });
  } catch (error) {
    if (error !== sending) throw error;
  }
}
