// The embed route: Bedrock's embedding models in a models table or a model string
// (`bedrock/embed/amazon.titan-embed-text-v2:0`). They answer embeddings only
// (src/embeddings/), so chat, legacy Completions and Responses on them are refused by name.
import { invalidRequest } from "../errors.ts";
import { EMBED_ROUTE_INFO } from "./route-info.ts";
import type { Route } from "./types.ts";

function notChat(): never {
  throw invalidRequest(
    "This model is an embedding model (the embed route): it answers embeddings only. Call it through embeddings (POST /v1/embeddings), or name a chat model.",
    "model",
    "unsupported_route",
  );
}

export const embedRoute: Route<"embed"> = {
  name: "embed",
  ...EMBED_ROUTE_INFO,
  buildBody: notChat,
  parseAnswer: notChat,
  createStreamMapper: notChat,
  rawPrompt: notChat,
};
