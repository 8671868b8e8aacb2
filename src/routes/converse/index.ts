// The converse route: Bedrock's Converse and ConverseStream, for foundation models, inference
// profiles, provisioned models and the imports that take Converse. Bedrock applies the model's
// own template; the route maps OpenAI's shapes onto Converse's and back.
import type { ChatCompletionRequest } from "../../openai/types.ts";
import { CONVERSE_ROUTE_INFO } from "../route-info.ts";
import type { Route } from "../types.ts";
import { parseConverseAnswer } from "./answer.ts";
import { checksThinkingSignature } from "./model-family.ts";
import { converseAnswerEvents } from "./replay.ts";
import { buildConverseBody, replaysStream } from "./request.ts";
import { createConverseStreamMapper } from "./stream.ts";
import { converseStops } from "./stops.ts";

/** The stops the route applies itself for this request and model id (none without an id). */
const appliedStops = (request: ChatCompletionRequest, modelId: string | undefined) =>
  modelId === undefined ? [] : converseStops(request, modelId).applied;

export const converseRoute: Route<"converse"> = {
  name: "converse",
  ...CONVERSE_ROUTE_INFO,
  sendsSignedThinking: checksThinkingSignature,
  buildBody: buildConverseBody,
  parseAnswer: (body, request, _settings, text, modelId) =>
    parseConverseAnswer(body, text, appliedStops(request, modelId)),
  createStreamMapper: (request, _settings, modelId) => createConverseStreamMapper(appliedStops(request, modelId)),
  streamReplay: {
    needed: (request, modelId, body) => replaysStream(request, modelId, body.toolConfig !== undefined),
    events: converseAnswerEvents,
  },
};
