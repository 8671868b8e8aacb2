// The image route: Bedrock's image models in a models table or a model string
// (`bedrock/image/amazon.nova-canvas-v1:0`). They answer image generation, edits and variations
// only (src/images/), so chat, legacy Completions and Responses on them are refused by name.
import { invalidRequest } from "../errors.ts";
import { IMAGE_ROUTE_INFO } from "./route-info.ts";
import type { Route } from "./types.ts";

function notChat(): never {
  throw invalidRequest(
    "This model is an image model (the image route): it answers image generation, edits and variations only. Call it through images (POST /v1/images/generations, /v1/images/edits, /v1/images/variations), or name a chat model.",
    "model",
    "unsupported_route",
  );
}

export const imageRoute: Route<"image"> = {
  name: "image",
  ...IMAGE_ROUTE_INFO,
  buildBody: notChat,
  parseAnswer: notChat,
  createStreamMapper: notChat,
  rawPrompt: notChat,
};
