// What an endpoint checks itself before its library call, which validates the rest: only what the
// proxy branches on (JSON or SSE, usage or not: the stream flags) and what it will not build (a
// plain answer too large: plain-answer.ts). In one place, for the endpoints and for what a key's
// limits ask before admission and before a limit's 429 (middleware/limits.ts), which ask these
// first as the endpoint would: a key's limits change no request's 400.
import { checkCompletionStreamFlags, checkResponsesStreamFlag, checkStreamFlags } from "../src/core.ts";
import type { ModelTableEntry } from "../src/index.ts";
import { checkPlainAnswerSize } from "./plain-answer.ts";
import type { ModelApi } from "./token-estimate.ts";

/** Throws the 400 the endpoint of `api` gives `body` before its call, if it gives one. */
export function checkBeforeCall(
  api: ModelApi,
  body: Record<string, unknown>,
  models: Readonly<Record<string, ModelTableEntry>>,
): void {
  switch (api) {
    case "chat":
      checkStreamFlags(body);
      checkPlainAnswerSize(body, "chat", models);
      return;
    case "completions":
      checkCompletionStreamFlags(body);
      checkPlainAnswerSize(body, "completions", models);
      return;
    case "responses":
      checkResponsesStreamFlag(body);
      return;
    case "embeddings":
    case "images":
      return;
  }
}
