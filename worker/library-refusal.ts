// What the library itself refuses in a request, asked before the proxy answers it with a refusal of
// its own (a limit, a bound): a request that no retry could get served is told what to fix, in the
// library's words, not to wait or to ask for less (precheck43, codereview43 #1). Only on the way to
// such a refusal: a request served is checked once, by the library.
import {
  parseChatRequest,
  parseCompletionRequest,
  parseEmbeddingRequest,
  parseImageRequest,
  parseResponsesRequest,
} from "../src/core.ts";

/** The APIs a request may stream on; `stream` elsewhere is a field the library refuses. */
export type StreamingApi = "chat" | "completions" | "responses";

export function streamsOn(api: string): api is StreamingApi {
  return api === "chat" || api === "completions" || api === "responses";
}

/**
 * Throws the library's 400 for `body` sent to `path`, if it has one. Edits and variations are
 * form bodies whose parse reads their images: left to the library's call.
 */
export function throwLibraryRefusal(path: string, body: Record<string, unknown>): void {
  if (/(^|\/)chat\/completions\/*$/.test(path)) parseChatRequest(body);
  else if (/(^|\/)completions\/*$/.test(path)) parseCompletionRequest(body);
  else if (/(^|\/)responses\/*$/.test(path)) parseResponsesRequest(body);
  else if (/(^|\/)embeddings\/*$/.test(path)) parseEmbeddingRequest(body);
  else if (/(^|\/)images\/generations\/*$/.test(path)) parseImageRequest(body);
}
