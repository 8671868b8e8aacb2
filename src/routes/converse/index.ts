// The converse route: Bedrock's Converse and ConverseStream, for foundation models, inference
// profiles, provisioned models and the imports that take Converse. Bedrock applies the model's
// own template; the route maps OpenAI's shapes onto Converse's and back.
import type { ChatCompletionRequest } from "../../openai/types.ts";
import { CONVERSE_ROUTE_INFO } from "../route-info.ts";
import type { ModelSettings, Route } from "../types.ts";
import { parseConverseAnswer } from "./answer.ts";
import { describingModelId } from "../foundation-model.ts";
import { checksThinkingSignature } from "./model-features.ts";
import { converseAnswerEvents } from "./replay.ts";
import { buildConverseBody, replaysStream } from "./request.ts";
import { createConverseStreamMapper } from "./stream.ts";
import { converseStops } from "./stops.ts";

/** The stops the route applies itself for this request and model (none without an id). */
const appliedStops = (
  request: ChatCompletionRequest,
  settings: ModelSettings | undefined,
  modelId: string | undefined,
) => (modelId === undefined ? [] : converseStops(request, describingModelId(modelId, settings)).applied);

export const converseRoute: Route<"converse"> = {
  name: "converse",
  ...CONVERSE_ROUTE_INFO,
  sendsSignedThinking: (modelId, settings) => checksThinkingSignature(describingModelId(modelId, settings)),
  buildBody: buildConverseBody,
  parseAnswer: (body, request, settings, text, modelId) =>
    parseConverseAnswer(body, text, appliedStops(request, settings, modelId)),
  createStreamMapper: (request, settings, modelId) =>
    createConverseStreamMapper(appliedStops(request, settings, modelId)),
  streamReplay: {
    needed: (request, modelId, body, settings) =>
      replaysStream(request, describingModelId(modelId, settings), body.toolConfig !== undefined),
    events: converseAnswerEvents,
  },
};
