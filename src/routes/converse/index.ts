// The converse route: Bedrock's Converse and ConverseStream, for foundation models, inference
// profiles, provisioned models and the imports that take Converse. Bedrock applies the model's
// own template; the route maps OpenAI's shapes onto Converse's and back.
import { CONVERSE_ROUTE_INFO } from "../route-info.ts";
import type { Route } from "../types.ts";
import { parseConverseAnswer } from "./answer.ts";
import { checksThinkingSignature } from "./model-family.ts";
import { converseAnswerEvents } from "./replay.ts";
import { buildConverseBody, replaysStream } from "./request.ts";
import { createConverseStreamMapper } from "./stream.ts";

export const converseRoute: Route<"converse"> = {
  name: "converse",
  ...CONVERSE_ROUTE_INFO,
  sendsSignedThinking: checksThinkingSignature,
  buildBody: buildConverseBody,
  parseAnswer: (body, _request, _settings, text) => parseConverseAnswer(body, text),
  createStreamMapper: createConverseStreamMapper,
  streamReplay: {
    needed: (request, modelId, body) => replaysStream(request, modelId, body.toolConfig !== undefined),
    events: converseAnswerEvents,
  },
};
